"""The intranet has no internet: no served asset may name an address outside the server (a CDN, tiles, topojson)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# http(s) addresses other than the XML/SVG namespaces and licence/source comments that browsers never fetch
URL = re.compile(rb"https?://(?!www\.w3\.org/|127\.0\.0\.1|localhost)[a-z0-9.-]+\.[a-z]{2,}/[^\s\"')]*", re.I)
FETCHABLE = re.compile(rb"cdn|tile|topojson|fonts\.g|unpkg|jsdelivr", re.I)


def test_no_asset_points_to_a_cdn():
    found = []
    for f in sorted((ROOT / "assets").rglob("*")):
        if f.is_file() and f.suffix in (".js", ".css", ".html", ".json"):
            found += [(f.name, m.group().decode()) for m in URL.finditer(f.read_bytes()) if FETCHABLE.search(m.group())]
    assert not found, found
