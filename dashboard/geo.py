"""Where units are: ward and commune centroids from the maintained `vietnamadminunits` package (MIT; its 2025
dataset carries a latitude and longitude per official ward code), for the units page's bubble map.

`vietnam-provinces` (the catalogue) has no coordinates; unit codes taken from `cchc units catalogue` are the
official 5-digit ward codes this dataset is keyed by. Units without such a code (departments, the service
centre, the seeds' W01…) have no place on the map and are counted apart. No tile server, no topojson: the map
is a plain scatter of longitude × latitude drawn by the bundled plotly.js."""

from __future__ import annotations

import functools
import importlib.resources
import json


@functools.cache
def _dataset() -> tuple[dict[str, tuple[float, float]], dict[tuple[str, str], tuple[float, float]]]:
    """({official ward code: (lat, lon)}, {(province code, folded ward name): (lat, lon)})."""
    from .ingest.profiles import fold

    path = importlib.resources.files("vietnamadminunits") / "data" / "parser_from_2025.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    provinces = {key: str(p.get("provinceCode") or "") for key, p in data.get("DICT_PROVINCE", {}).items()}
    by_code: dict[str, tuple[float, float]] = {}
    by_name: dict[tuple[str, str], tuple[float, float]] = {}
    for table in ("DICT_PROVINCE_WARD_NO_ACCENTED", "DICT_PROVINCE_WARD_ACCENTED", "DICT_PROVINCE_WARD_SHORT_ACCENTED"):
        for province_key, wards in data.get(table, {}).items():
            for w in wards.values():
                code, lat, lon = w.get("wardCode"), w.get("wardLat"), w.get("wardLon")
                if code and lat is not None and lon is not None:
                    by_code.setdefault(str(code), (float(lat), float(lon)))
                    by_name.setdefault(
                        (provinces.get(province_key, ""), fold(w.get("ward") or "")), (float(lat), float(lon))
                    )
    return by_code, by_name


def centroids() -> dict[str, tuple[float, float]]:
    """{official ward code: (latitude, longitude)} as the dataset codes them."""
    return _dataset()[0]


def locate(codes, names=None, provinces=None) -> dict[str, tuple[float, float]]:
    """The centroids of the units that have one: by official ward code, else by name within the province (the
    dataset codes some merged wards differently from the official catalogue: 114 of 3,321)."""
    from .ingest.profiles import fold

    by_code, by_name = _dataset()
    names = list(names) if names is not None else [None] * len(list(codes))
    provinces = list(provinces) if provinces is not None else [None] * len(names)
    out = {}
    for code, name, prov in zip(codes, names, provinces):
        hit = by_code.get(code) or (by_name.get((str(prov or ""), fold(name))) if name else None)
        if hit:
            out[code] = hit
    return out


def boundaries(reader) -> dict[str, dict]:
    """{unit code: GeoJSON geometry} of the boundaries the city supplied (input kind `boundaries`), in the
    reader's scope; empty when it supplied none."""
    rows = reader.q("boundaries")
    return {code: json.loads(geom) for code, geom in zip(rows.unit_code, rows.geometry)}


def centre(geometry: dict) -> tuple[float, float]:
    """(lat, lon): the middle of a boundary's bounding box, for a unit the catalogue has no centroid of."""
    polys = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry["coordinates"]
    pts = [pt for poly in polys for pt in poly[0]]
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
