"""The `boundaries` input kind (a GeoJSON of ward boundaries, ingest/boundaries.py) and the map it draws.

Fixture: units TP (city), A and B (wards with boundaries: squares of 0.02° around 106.70 E / 10.78 N and
106.74 E / 10.78 N), C (a ward with no boundary and no official code: not on the map). Dossiers: A 4 on time,
B 3 on time + 1 late (75 %), C 2 on time, in Q1/2026."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import cchc

D = dt.datetime
UNITS = """unit_code,unit_name,unit_kind,parent_code,level
TP,Thành phố Mẫu,ubnd,,city
A,Phường An,phuong,TP,ward
B,Phường Bình,phuong,TP,ward
C,Xã Cầu,xa,TP,ward
"""


def square(lon: float, lat: float, half: float = 0.01) -> list[list[float]]:
    return [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]


def feature(code: str, ring, name: str = "", prop: str = "unit_code", kind: str = "Polygon") -> dict:
    return {"type": "Feature", "properties": {prop: code, "ten": name},
            "geometry": {"type": kind, "coordinates": [ring] if kind == "Polygon" else [[ring]]}}


def write_geojson(path, features) -> str:
    """One feature per line after the opening two lines: feature n starts on line n + 2, column 1."""
    lines = ['{"type": "FeatureCollection",', '"features": [']
    last = len(features) - 1
    lines += [json.dumps(f, ensure_ascii=False) + ("," if i < last else "") for i, f in enumerate(features)]
    lines += ["]}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8")


def _rows() -> list[dict]:
    rows = []
    for i, (unit, late) in enumerate([("A", 0)] * 4 + [("B", 0)] * 3 + [("B", 1)] + [("C", 0)] * 2, start=1):
        received = D(2026, 1, 5, 8) + dt.timedelta(days=i)
        due = received + dt.timedelta(days=5, hours=9)
        done = due + dt.timedelta(days=2) if late else due - dt.timedelta(days=1)
        rows.append(dict(dossier_id=f"B-{i:03d}", unit_code=unit, procedure_code="1.001612",
                         procedure_name="Đăng ký khai sinh", field="Hộ tịch", channel="truc_tiep",
                         received_at=received, due_at=due, completed_at=done, status="da_giai_quyet", handler="",
                         late_reason="", updated_at=D(2026, 4, 10, 9)))
    return rows


@pytest.fixture()
def city(tmp_path):
    from builders import write_csv

    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    write_csv(tmp_path / "hoso.csv", _rows())
    db = tmp_path / "b.duckdb"
    cchc("ingest", str(tmp_path / "units.csv"), str(tmp_path / "hoso.csv"), db=db)
    return db


def _reader(db):
    from dashboard.db import Database
    from dashboard.reader import Reader

    return Reader(Database(db).snapshot())


def test_boundaries_load_and_the_map_draws_filled_areas(city, tmp_path):
    from dashboard.metrics import kpis
    from dashboard.metrics.period import Period
    from dashboard.ui.unit_map import unit_map

    db = city
    write_geojson(tmp_path / "ranh-gioi.geojson",
                  [feature("A", square(106.70, 10.78), "Phường An"),
                   feature("B", square(106.74, 10.78), prop="Mã đơn vị", kind="MultiPolygon")])
    out = cchc("ingest", str(tmp_path / "ranh-gioi.geojson"), db=db).stdout.decode()
    assert "ranh-gioi.geojson: Ranh giới phường, xã (GeoJSON) (utf-8) — đọc 2 dòng, nhận 2, loại 0" in out
    reader = _reader(db)
    assert sorted(reader.q("boundaries").unit_code) == ["A", "B"]
    m = kpis.unit_matrix(reader, Period.parse("2026-Q1"))
    um = unit_map(reader, m, "on_time_rate")
    assert (um.areas, um.placed, um.missing) == (2, 2, 2)  # TP and C have no place
    *areas, marks = um.figure["data"]
    assert all(a["fill"] == "toself" for a in areas)
    drawn = {(x, y) for a in areas for x, y in zip(a["x"], a["y"]) if x is not None}
    assert drawn == {tuple(pt) for pt in square(106.70, 10.78) + square(106.74, 10.78)}
    status = dict(zip(m.unit_code, m.on_time_rate__status))
    assert marks["customdata"] == ["A", "B"]
    assert [round(v, 6) for v in marks["x"]] == [106.70, 106.74] and [round(v, 6) for v in marks["y"]] == [10.78] * 2
    fills = {a["name"]: a["fillcolor"] for a in areas}
    from dashboard.ui.theme import STATUS_COLORS

    assert fills == {f"areas:{status[c]}": STATUS_COLORS[status[c]] for c in ("A", "B")}
    assert marks["hovertext"] == ["Phường An: 100,00%", "Phường Bình: 75,00%"]
    # a later import keeps them (carried into every build); a newer file replaces a unit's boundary
    cchc("ingest", str(tmp_path / "hoso.csv"), db=db)
    write_geojson(tmp_path / "a-moi.geojson", [feature("A", square(106.60, 10.70))])
    cchc("ingest", str(tmp_path / "a-moi.geojson"), db=db)
    got = {c: json.loads(g) for c, g in _reader(db).q("boundaries").itertuples(index=False)}
    assert set(got) == {"A", "B"} and got["A"]["coordinates"] == [square(106.60, 10.70)]


def test_a_boundary_file_naming_an_unknown_unit_is_refused_whole(city, tmp_path):
    db = city
    before = _reader(db).data_version
    write_geojson(tmp_path / "sai.geojson",
                  [feature("A", square(106.70, 10.78)), feature("ZZ9", square(106.74, 10.78)),
                   {"type": "Feature", "properties": {"unit_code": "B"}, "geometry": {"type": "Point",
                                                                                    "coordinates": [106.7, 10.7]}},
                   {"type": "Feature", "properties": {"name": "không mã"}, "geometry": None}])
    r = cchc("ingest", str(tmp_path / "sai.geojson"), db=db, check=False)
    assert r.returncode != 0
    msg = r.stderr.decode()
    assert "sai.geojson: không nạp ranh giới (3/4 đối tượng lỗi)" in msg
    assert "đối tượng 2 (dòng 4, cột 1): mã đơn vị «ZZ9» không có trong danh mục đơn vị" in msg
    assert "đối tượng 3 (dòng 5, cột 1): hình «Point» không phải Polygon hoặc MultiPolygon" in msg
    assert "đối tượng 4 (dòng 6, cột 1): không có mã đơn vị" in msg
    assert "Traceback" not in msg
    assert _reader(db).data_version == before and _reader(db).q("boundaries").empty  # nothing published
    # not JSON at all: the line and column of the fault
    (tmp_path / "hong.geojson").write_text('{"type": "FeatureCollection",\n"features": [ {,]}\n', encoding="utf-8")
    msg = cchc("ingest", str(tmp_path / "hong.geojson"), db=db, check=False).stderr.decode()
    assert "hong.geojson: dòng 2, cột 16: không phải JSON hợp lệ" in msg
    # a unit loaded in the same command is known
    (tmp_path / "d.csv").write_text("unit_code,unit_name,unit_kind,parent_code,level\nD,Phường Đông,phuong,TP,ward\n",
                                    encoding="utf-8")
    write_geojson(tmp_path / "d.geojson", [feature("D", square(106.8, 10.8))])
    cchc("ingest", str(tmp_path / "d.csv"), str(tmp_path / "d.geojson"), db=db)
    assert list(_reader(db).q("boundaries").unit_code) == ["D"]


def test_a_ward_reader_sees_only_its_boundary(city, tmp_path):
    from dashboard.db import Database, Scope
    from dashboard.geo import boundaries
    from dashboard.reader import Reader

    write_geojson(tmp_path / "ab.geojson", [feature("A", square(106.70, 10.78)), feature("B", square(106.74, 10.78))])
    cchc("ingest", str(tmp_path / "ab.geojson"), db=city)
    scoped = Reader(Database(city).snapshot(), Scope(units=frozenset({"B"}), personal=False, imports=False))
    assert set(boundaries(scoped)) == {"B"}


def test_the_deck_has_a_map_slide_only_where_a_unit_can_be_placed(app, city, tmp_path, demo_db):
    from dashboard.pages.present import MAP_TITLE, slide_titles
    from dashboard.ui.unit_map import has_places

    assert not has_places(_reader(demo_db))  # the legacy demo town: codes outside the catalogue, no boundaries
    assert not has_places(_reader(city))  # A, B, C: not catalogue codes either
    assert MAP_TITLE not in slide_titles(with_map=False) and len(slide_titles(with_map=False)) == 9
    write_geojson(tmp_path / "a.geojson", [feature("A", square(106.70, 10.78))])
    cchc("ingest", str(tmp_path / "a.geojson"), db=city)
    assert has_places(_reader(city))  # one boundary is enough
    assert slide_titles(with_map=True)[-1] == MAP_TITLE and len(slide_titles()) == 10


@pytest.mark.parametrize("encoding,label", [("utf-16", "utf-16"), ("cp1258", "cp1258"), ("utf-8-sig", "utf-8-sig")])
def test_a_geojson_in_another_encoding_is_read_like_a_csv(city, tmp_path, encoding, label):
    """Detected as the CSV path detects it (BOM, else charset-normalizer): the Vietnamese names survive."""
    text = write_geojson(tmp_path / "x.geojson",
                         [feature("A", square(106.70, 10.78), "Phường Ấn Định Đông Hưng Thịnh Vượng", prop="Mã đơn vị"),
                          feature("B", square(106.74, 10.78), "Phường Bình Thạnh Đường Sơn Mỹ")])
    path = tmp_path / f"ranh-gioi-{label}.geojson"
    from builders import to_cp1258

    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    out = cchc("ingest", str(path), db=city).stdout.decode()
    assert f"{path.name}: Ranh giới phường, xã (GeoJSON) ({label}) — đọc 2 dòng, nhận 2, loại 0" in out, out
    from dashboard.ingest.boundaries import read_geojson

    src = read_geojson(path)
    assert src.encoding == label and [f.unit_name for f in src.features] == [
        "Phường Ấn Định Đông Hưng Thịnh Vượng", "Phường Bình Thạnh Đường Sơn Mỹ"]
    assert sorted(_reader(city).q("boundaries").unit_code) == ["A", "B"]


def test_far_islands_go_to_an_inset():
    """TP HCM's Côn Đảo (≈ 8.7° N, 200 km offshore) squeezes the map of the 167 other wards: it is drawn in an
    inset of its own; a compact city (Huế) has none; every unit is drawn exactly once."""
    from dashboard.catalogue import find_province, units_of
    from dashboard.geo import locate
    from dashboard.ui import figures

    for province, far_names in [("TP HCM", ["Đặc khu Côn Đảo"]), ("Hải Phòng", ["Đặc khu Bạch Long Vĩ"]),
                                ("Huế", [])]:
        us = [u.row() for u in units_of(find_province(province))]
        where = locate([u["unit_code"] for u in us], [u["unit_name"] for u in us], [u["parent_code"] for u in us])
        us = [u for u in us if u["unit_code"] in where]
        codes, names = [u["unit_code"] for u in us], [u["unit_name"] for u in us]
        lats, lons = [where[c][0] for c in codes], [where[c][1] for c in codes]
        assert [names[i] for i in figures.far_units(lats, lons)] == far_names
        fig = figures.unit_map(codes, names, lats, lons, ["met"] * len(codes), ["90,00%"] * len(codes))
        marks = [t for t in fig["data"] if t["mode"] == "markers+text"]
        assert sorted(c for t in marks for c in t["customdata"]) == sorted(codes)
        inset = [t for t in marks if t["xaxis"] == "x2"]
        if far_names:
            [inset] = inset
            assert [n.split(":")[0] for n in inset["hovertext"]] == far_names and inset["yaxis"] == "y2"
            assert fig["layout"]["xaxis2"]["domain"] == [0.0, figures.INSET_SHARE]
            assert fig["layout"]["annotations"][0]["text"] == f"{far_names[0]} (khung riêng, không cùng tỉ lệ)"
            lo, hi = fig["layout"]["yaxis2"]["range"]
            assert all(lo < y < hi for y in inset["y"])
            main_lats = [y for t in marks if t["xaxis"] == "x" for y in t["y"]]
            assert min(main_lats) > 10.0  # the main map keeps to the mainland (Cần Giờ, Vũng Tàu ≈ 10.3° N)
        else:
            assert not inset and "xaxis2" not in fig["layout"]
