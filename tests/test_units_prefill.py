"""`cchc units changes --prefill --province NAME`: the 1 July 2025 mergers of a province as a unit_changes CSV,
from the conversion dataset of `vietnamadminunits` (the code the demo city uses), loaded back through `cchc
ingest` with the catalogue's wards and the old wards it names."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

from conftest import cchc


def test_prefill_for_hue_loads_and_every_old_ward_leads_to_a_ward_of_today(tmp_path):
    out = tmp_path / "unit_changes.csv"
    said = cchc("units", "changes", "--prefill", "--province", "TP Huế", "--out", str(out)).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    catalogue = list(csv.DictReader(io.StringIO(cchc("units", "catalogue", "--province", "hue").stdout.decode())))
    wards = {r["unit_code"]: r["unit_name"] for r in catalogue if r["level"] == "ward"}
    assert len(wards) == 40
    assert list(rows[0])[:4] == ["old_code", "new_code", "effective_date", "kind"]
    assert len(rows) == 133 and f"Đã ghi {out}: 133 phường, xã cũ → " in said
    assert {r["new_code"] for r in rows} <= set(wards) and all(re.fullmatch(r"C\d{5}", r["old_code"]) for r in rows)
    assert len({r["old_code"] for r in rows}) == 133 and {r["effective_date"] for r in rows} == {"2025-07-01"}
    n = Counter(r["new_code"] for r in rows)
    assert all(r["kind"] == ("merge" if n[r["new_code"]] > 1 else "rename") for r in rows)
    assert all(r["new_name"] == wards[r["new_code"]] for r in rows)
    # round trip: the catalogue's units, the old wards (retired the day before), then the changes
    (tmp_path / "units.csv").write_text(cchc("units", "catalogue", "--province", "hue").stdout.decode(), "utf-8")
    with open(tmp_path / "old.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "unit_name", "unit_kind", "parent_code", "level", "valid_to"])
        for r in rows:
            kind = "phuong" if r["old_name"].startswith("Phường") else "xa"
            w.writerow([r["old_code"], f"{r['old_name']} (cũ)", kind, "46", "ward", "2025-06-30"])
    db = tmp_path / "hue.duckdb"
    text = cchc("ingest", str(tmp_path / "units.csv"), str(tmp_path / "old.csv"), str(out), db=db).stdout.decode()
    assert "unit_changes.csv: Sắp xếp đơn vị hành chính (utf-8) — đọc 133 dòng, nhận 133, loại 0" in text
    listed = {u["unit_code"]: u for u in json.loads(cchc("units", "list", "--format", "json", db=db).stdout)}
    assert all(listed[r["old_code"]]["successor"] == r["new_code"] for r in rows)
    # the bare GSO codes on request; an unknown province is refused in one line
    bare = cchc("units", "changes", "--prefill", "--province", "hue", "--old-prefix", "").stdout.decode()
    assert bare.splitlines()[1].split(",")[0] == rows[0]["old_code"][1:]
    r = cchc("units", "changes", "--prefill", "--province", "Atlantis", check=False)
    assert r.returncode != 0 and len(r.stderr.decode().strip().splitlines()) == 1 and "Atlantis" in r.stderr.decode()
