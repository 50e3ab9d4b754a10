"""The `boundaries` input kind: a GeoJSON FeatureCollection of ward / commune boundaries the city supplies.

Each feature names its unit by a property (`unit_code`, or "Mã đơn vị" / `ma_don_vi` / `ma_xa` / `code`, matched
without accents or case) and carries a Polygon or MultiPolygon in longitude/latitude. The file is checked whole
before anything is loaded: a feature without a code, with a code that is not a known unit (published, or loaded
earlier in the same command) or without a usable polygon refuses the file, each problem named by its feature
number, line and column, so a map is never drawn from half a file. Accepted, the boundaries replace the ones a
unit had (table `boundaries`, public like the unit list); the units page then draws filled areas instead of
bubbles (ui/figures.unit_map).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .read import UnreadableFile, _decode, _read_bytes

KIND = "boundaries"
LABEL = "Ranh giới phường, xã (GeoJSON)"
SUFFIXES = (".geojson",)
# the property naming a feature's unit, compared folded (no accents, lower case, spaces → _)
CODE_PROPERTIES = ("unit_code", "ma_don_vi", "ma_dv", "ma_xa", "ma_phuong_xa", "ward_code", "code", "ma")
NAME_PROPERTIES = ("unit_name", "ten_don_vi", "ten", "name", "ward_name")
MAX_PROBLEMS_SHOWN = 5


@dataclass
class Feature:
    number: int  # 1-based, in the file's order
    line: int
    column: int
    unit_code: str | None
    unit_name: str | None
    geometry: str | None  # the GeoJSON geometry, compact, when usable
    problem: str | None


@dataclass
class GeoSource:
    path: Path
    sha256: str
    features: list[Feature]
    kind_name: str = KIND
    encoding: str = "utf-8"


def is_geojson(path: str | Path, head: bytes | None = None) -> bool:
    """A .geojson file, or a .json one whose text starts like a GeoJSON object."""
    p = Path(path)
    if p.suffix.lower() in SUFFIXES:
        return True
    if p.suffix.lower() != ".json":
        return False
    head = head if head is not None else _read_bytes(p)[:4096]
    return b'"FeatureCollection"' in head or b'"features"' in head


def _fold(key: str) -> str:
    from .profiles import fold

    return re.sub(r"[^a-z0-9]+", "_", fold(key)).strip("_")


def _pick(props: dict, keys: tuple[str, ...]) -> str | None:
    folded = {_fold(str(k)): v for k, v in props.items()}
    for k in keys:
        v = folded.get(k)
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def _ring_ok(ring) -> bool:
    return (
        isinstance(ring, list)
        and len(ring) >= 4
        and all(
            isinstance(pt, list)
            and len(pt) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in pt[:2])
            and -180 <= pt[0] <= 180
            and -90 <= pt[1] <= 90
            for pt in ring
        )
    )


def _geometry_problem(geom) -> str | None:
    if not isinstance(geom, dict):
        return "không có hình (geometry)"
    kind, coords = geom.get("type"), geom.get("coordinates")
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon":
        polys = coords if isinstance(coords, list) else None
    else:
        return f"hình «{str(kind)[:40]}» không phải Polygon hoặc MultiPolygon"
    if not polys or not all(isinstance(p, list) and p and all(_ring_ok(r) for r in p) for p in polys):
        return "toạ độ không hợp lệ (cần các vòng [kinh độ, vĩ độ] khép kín, ít nhất 4 điểm)"
    return None


def _positions(text: str) -> list[tuple[int, int]]:
    """(line, column) where each element of the top-level `features` array starts."""
    dec = json.JSONDecoder()
    m = re.search(r'"features"\s*:\s*\[', text)
    out: list[tuple[int, int]] = []
    if not m:
        return out
    i = m.end()
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text) or text[i] == "]":
            return out
        line = text.count("\n", 0, i) + 1
        out.append((line, i - (text.rfind("\n", 0, i) + 1) + 1))
        try:
            _, i = dec.raw_decode(text, i)
        except json.JSONDecodeError:
            return out


def read_geojson(path: str | Path) -> GeoSource:
    """Parse and check the file's features (unit codes are checked against the units later, in the batch)."""
    path = Path(path)
    data = _read_bytes(path)
    name = path.name
    text, encoding = _decode(data, name)  # as the CSV path: UTF-8 (BOM or not), UTF-16, else charset-normalizer
    text = unicodedata.normalize("NFC", text)  # cp1258 writes tone marks as combining characters
    if not text.strip():
        raise UnreadableFile(f"{name}: tệp rỗng")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"{name}: dòng {exc.lineno}, cột {exc.colno}: không phải JSON hợp lệ ({exc.msg})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise UnreadableFile(f'{name}: cần một GeoJSON "FeatureCollection" có danh sách "features"')
    where = _positions(text)
    features = []
    for n, f in enumerate(doc["features"], start=1):
        line, col = where[n - 1] if n - 1 < len(where) else (0, 0)
        props = f.get("properties") if isinstance(f, dict) else None
        props = props if isinstance(props, dict) else {}
        code = _pick(props, CODE_PROPERTIES)
        problem = None
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problem = 'không phải một "Feature"'
        elif code is None:
            problem = "không có mã đơn vị (thuộc tính unit_code hoặc «Mã đơn vị»)"
        else:
            problem = _geometry_problem(f.get("geometry"))
        geom = json.dumps(f["geometry"], separators=(",", ":")) if problem is None else None
        features.append(Feature(n, line, col, code, _pick(props, NAME_PROPERTIES), geom, problem))
    if not features:
        raise UnreadableFile(f"{name}: GeoJSON không có đối tượng (feature) nào")
    return GeoSource(path, hashlib.sha256(data).hexdigest(), features, encoding=encoding)


def refusal(src: GeoSource, known_units: set[str]) -> str | None:
    """The one message refusing the file (None: every feature is usable): each problem with its feature number,
    line and column; a code that is not a known unit is a problem too."""
    problems = []
    for f in src.features:
        why = f.problem
        if why is None and f.unit_code not in known_units:
            why = f"mã đơn vị «{f.unit_code[:80]}» không có trong danh mục đơn vị"
        if why is None and f.unit_code in {g.unit_code for g in src.features if g.number < f.number}:
            why = f"mã đơn vị «{f.unit_code[:80]}» đã có ở một đối tượng trước"
        if why:
            problems.append(f"đối tượng {f.number} (dòng {f.line}, cột {f.column}): {why}")
    if not problems:
        return None
    more = len(problems) - MAX_PROBLEMS_SHOWN
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN]) + (f"; và {more} lỗi khác" if more > 0 else "")
    return f"{src.path.name}: không nạp ranh giới ({len(problems)}/{len(src.features)} đối tượng lỗi): {shown}"
