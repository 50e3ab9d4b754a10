"""The demo city of today (`cchc demo`, default Huế): the catalogue's wards, the pre-merger wards merged on 1 July
2025, the dossiers on each side of that date, the rollup to today's units, the PAR INDEX among the provinces.

Every expected figure is derived independently of the generator: the wards of today from `vietnam_provinces`
directly, the old wards and their successors from `vietnamadminunits`' own data files (SQLite and JSON, read
here with the standard library), counts from SQL over the dossiers table."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import cchc

AS_OF = "2026-11-20"
N = 40_000
REORG = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def hue_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hue") / "cchc.duckdb"
    cchc("demo", "--dossiers", str(N), "--as-of", AS_OF, db=db)  # the default city
    return db


def sql(db: Path, query: str, **params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params).fetchall()


def _vau_data() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _hue_conversion() -> dict[tuple[str, str], str]:
    """(old district name, old ward name) -> name of the ward of today, from the package's conversion table."""
    conv = json.loads((_vau_data() / "converter_2025.json").read_text(encoding="utf-8"))
    with sqlite3.connect(_vau_data() / "dataset.db") as con:
        old = {
            f"{p}_{d}_{w}": (dn, wn)
            for p, d, w, dn, wn in con.execute(
                "SELECT provinceKey, districtKey, wardKey, district, ward FROM admin_units_legacy "
                "WHERE provinceKey = 'thanhphohue'"
            )
        }
        new = dict(con.execute("SELECT wardKey, ward FROM admin_units WHERE provinceKey = 'thanhphohue'"))
    return {old[o]: new[n] for n, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"]["thanhphohue"].items() for o in olds}


def _fold(name: str) -> str:
    from dashboard.ingest.profiles import fold

    return "".join(ch for ch in fold(name) if ch.isalnum())


def _successor_name(old_name: str, conversion: dict[tuple[str, str], str]) -> str:
    """The (folded) name of the ward of today an old ward's unit became, by the conversion table: 'Phường X (cũ)'
    is unique by its name, 'Xã Y (cũ, Huyện Z)' shares its name with another commune and is told by district."""
    ward, _, rest = old_name.partition(" (cũ")
    hits = [n for (d, w), n in conversion.items() if w == _fold(ward) and (rest == ")" or d == _fold(rest[2:-1]))]
    assert len(hits) == 1, (old_name, hits)
    return hits[0]


def test_wards_of_today_are_the_catalogues(hue_db):
    from vietnam_provinces import Ward

    want = {(f"{int(w.code):05d}", w.name) for w in Ward.iter_by_province(46)}
    got = set(sql(hue_db, "SELECT unit_code, unit_name FROM units WHERE level = 'ward' AND valid_to IS NULL"))
    assert len(want) == 40 and got == want
    assert sql(hue_db, "SELECT DISTINCT valid_from FROM units WHERE level = 'ward' AND valid_to IS NULL") == [(REORG,)]
    city = sql(hue_db, "SELECT unit_code, unit_name FROM units WHERE unit_kind = 'ubnd'")
    assert city == [("46", "Ủy ban nhân dân thành phố Huế")]
    offices = [n for (n,) in sql(hue_db, "SELECT unit_name FROM units WHERE unit_kind = 'phong_ban'")]
    assert "Trung tâm Phục vụ hành chính công" in offices and sum(n.startswith("Sở ") for n in offices) >= 6
    settings = dict(sql(hue_db, "SELECT key, value FROM settings"))
    assert settings["city_peer_code"] == "46" and settings["city_name"].startswith("Thành phố Huế")


def test_old_wards_merge_into_todays_on_1_july_2025(hue_db):
    with sqlite3.connect(_vau_data() / "dataset.db") as con:
        (n_old,) = con.execute("SELECT count(*) FROM admin_units_legacy WHERE provinceKey = 'thanhphohue'").fetchone()
    old = sql(hue_db, "SELECT unit_code, valid_from, valid_to FROM units WHERE valid_to IS NOT NULL")
    assert len(old) == n_old == 133
    assert {v for _, _, v in old} == {dt.date(2025, 6, 30)} and {f for _, f, _ in old} == {None}
    changes = sql(hue_db, "SELECT old_code, new_code, effective_date, kind FROM unit_changes")
    assert len(changes) == n_old and {c[0] for c in changes} == {u for u, _, _ in old}
    assert {c[2] for c in changes} == {REORG} and {c[3] for c in changes} <= {"merge", "rename"}

    # every old ward's successor (cchc units list) is the ward of today the conversion table names
    listed = {u["unit_code"]: u for u in json.loads(cchc("units", "list", "--format", "json", db=hue_db).stdout)}
    names = {u["unit_code"]: u["unit_name"] for u in listed.values()}
    conversion = {(_fold(d), _fold(w)): _fold(n) for (d, w), n in _hue_conversion().items()}
    for code, _, _ in old:
        u = listed[code]
        assert u["valid_to"] == "2025-06-30" and u["successor"] in names
        assert _fold(names[u["successor"]]) == _successor_name(u["unit_name"], conversion)
    # a fact of the 2025 map, written out: An Đông and An Tây became part of the ward of today An Cựu
    an_cuu = next(c for c, n in names.items() if n == "Phường An Cựu")
    merged = {names[c] for c, u in listed.items() if u["successor"] == an_cuu}
    assert {"Phường An Đông (cũ)", "Phường An Tây (cũ)", "Phường An Cựu (cũ)"} <= merged


def test_dossiers_belong_to_the_units_of_their_day(hue_db):
    (total,) = sql(hue_db, "SELECT count(*) FROM dossiers")[0]
    assert total == N
    q = """SELECT count(*) FILTER (WHERE u.valid_from IS NOT NULL AND d.received_at < u.valid_from),
                  count(*) FILTER (WHERE u.valid_to IS NOT NULL AND d.received_at >= u.valid_to + INTERVAL 1 DAY),
                  count(*) FILTER (WHERE u.valid_to IS NOT NULL), count(*) FILTER (WHERE u.valid_from IS NOT NULL),
                  count(*) FILTER (WHERE u.unit_code IS NULL)
           FROM dossiers d LEFT JOIN units u USING (unit_code)"""
    before_birth, after_death, at_old, at_new, unknown = sql(hue_db, q)[0]
    assert (before_birth, after_death, unknown) == (0, 0, 0) and at_old > 0 and at_new > 0
    # the departments receive on both sides of the date; some dossiers received by an old ward in June were
    # still open on 1 July (the carried-over history the rollup must follow)
    sides = sql(hue_db, """SELECT count(DISTINCT received_at < DATE '2025-07-01') FROM dossiers d
                           JOIN units u USING (unit_code) WHERE u.unit_kind = 'phong_ban' GROUP BY unit_code""")
    assert {s for (s,) in sides} == {2}
    (straddling,) = sql(hue_db, """SELECT count(*) FROM dossiers d JOIN units u USING (unit_code)
        WHERE u.valid_to IS NOT NULL AND coalesce(completed_at, TIMESTAMP '2100-01-01') >= TIMESTAMP '2025-07-01'""")[0]
    assert straddling > 0


def test_report_rolls_history_up_to_todays_wards(hue_db):
    """`--units current` for 2025-Q2 (before the wards of today existed): each ward of today receives what its
    old wards received, by the conversion table (not the database's unit_changes), counted in SQL."""
    conversion = {(_fold(d), _fold(w)): _fold(n) for (d, w), n in _hue_conversion().items()}
    names = dict(sql(hue_db, "SELECT unit_code, unit_name FROM units"))
    retired = {c for (c,) in sql(hue_db, "SELECT unit_code FROM units WHERE valid_to IS NOT NULL")}
    today = {_fold(n): c for c, n in sql(hue_db, "SELECT unit_code, unit_name FROM units WHERE valid_from IS NOT NULL")}
    counts = sql(hue_db, """SELECT unit_code, count(*) FROM dossiers WHERE status <> 'rut'
                            AND received_at >= TIMESTAMP '2025-04-01' AND received_at < TIMESTAMP '2025-07-01'
                            GROUP BY unit_code""")
    expected: dict[str, int] = {}
    for code, n in counts:
        if code in retired:
            code = today[_successor_name(names[code], conversion)]
        expected[code] = expected.get(code, 0) + n
    r = json.loads(cchc("report", "quarterly", "--period", "2025-Q2", "--by", "unit", "--units", "current",
                        "--format", "json", db=hue_db).stdout)
    got = {row["unit_code"]: row["received_new"] for row in r["rows"] if row["received_new"]}
    assert got == expected
    assert sum(expected.values()) == r["total"]["received_new"]
    assert not set(got) & retired and set(got) & set(today.values())
    asof = json.loads(cchc("report", "quarterly", "--period", "2025-Q3", "--format", "json", db=hue_db).stdout)
    now = json.loads(cchc("report", "quarterly", "--period", "2025-Q3", "--units", "current", "--format", "json",
                          db=hue_db).stdout)
    assert asof["total"] == now["total"]  # rolling up moves rows between units, never changes the totals


def test_par_index_ranks_the_countrys_provinces(hue_db):
    from vietnam_provinces import Province

    rows = pd.DataFrame(sql(hue_db, "SELECT year, peer_code, peer_name, rank FROM par_index"),
                        columns=["year", "peer_code", "peer_name", "rank"])
    assert sorted(rows.year.unique()) == [2022, 2023, 2024, 2025]  # published up to the year before the as-of
    with sqlite3.connect(_vau_data() / "dataset.db") as con:
        (n_before,) = con.execute("SELECT count(DISTINCT provinceCode) FROM admin_units_legacy").fetchone()
    n_today = len(list(Province.iter_all()))
    for year, g in rows.groupby("year"):
        n = n_before if year < 2025 else n_today
        assert (len(g), sorted(g["rank"])) == (n, list(range(1, n + 1))), year
        assert (g.peer_code == "46").sum() == 1
    assert (n_before, n_today) == (63, 34)
    latest = int(rows[(rows.year == 2025) & (rows.peer_code == "46")]["rank"].iloc[0])
    kpi = json.loads(cchc("kpi", "--period", "2026-Q3", "--format", "json", db=hue_db).stdout)
    par = next(k for k in kpi if k["kpi"] == "par_index_rank" and k["unit_code"] == "ALL")
    assert par["actual"] == latest and par["target"] == 5


def test_character_near_targets_with_misses(hue_db):
    """Something to discuss on every page: the city close to its on-time target, some wards met, some not."""
    kpi = json.loads(cchc("kpi", "--period", "2026-Q3", "--by", "unit", "--format", "json", db=hue_db).stdout)
    city = {k["kpi"]: k for k in kpi if k["unit_code"] == "ALL"}
    assert 0.97 <= city["on_time_rate"]["actual"] <= 1.0
    assert {k["status"] for k in city.values()} >= {"met", "at_risk"}
    wards = [k for k in kpi if k["kpi"] == "on_time_rate" and k["unit_code"].isdigit()]
    statuses = {k["status"] for k in wards if k["actual"] is not None}
    assert "met" in statuses and statuses & {"missed", "at_risk"}


def test_another_city_scales_and_is_deterministic(danang_db):
    from vietnam_provinces import Ward

    db, out = danang_db  # `cchc demo --city "Đà Nẵng" --dossiers 3000 --as-of 2026-11-20` (built once, conftest.py)
    assert "dossiers 3.000" in out
    wards = sql(db, "SELECT count(*) FROM units WHERE level = 'ward' AND valid_to IS NULL")[0][0]
    assert wards == len(list(Ward.iter_by_province(48))) == 94
    assert sql(db, "SELECT count(*) FROM dossiers")[0][0] == 3000
    assert sql(db, "SELECT value FROM settings WHERE key = 'city_peer_code'") == [("48",)]

    from dashboard.demo.generate import generate, iter_dossier_chunks

    def digest(frame):
        return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()

    a = generate(2000, dt.date(2026, 11, 20), city="Đà Nẵng")["dossiers"]
    b = pd.concat(iter_dossier_chunks(2000, dt.date(2026, 11, 20), chunk_size=300, city="thanh pho da nang"),
                  ignore_index=True)
    assert digest(a) == digest(b)


def test_unknown_city_is_one_clear_line(tmp_path):
    out = cchc("demo", "--city", "Đà Nẳng lớn", "--dossiers", "10", db=tmp_path / "x.duckdb", check=False)
    err = out.stderr.decode()
    assert out.returncode == 2 and "Traceback" not in err and "Đà Nẵng" in err
    assert not (tmp_path / "x.duckdb").exists()


def test_every_page_renders_the_city_of_today(hue_db, caplog):
    """The pages at the demo's scale (40 wards of today, 133 retired ones, 8 offices) before, across and after
    the reorganisation, as the chairman and as the demo ward, through the app's real request handling in this
    process (Flask's test client, the router's request as the browser sends it): no error panel, no error logged
    (a page that fails logs its traceback)."""
    from test_security import page, sign_in

    from dashboard.app import create_app
    from dashboard.auth import UserStore, users_path

    caplog.set_level("ERROR")
    ward = next(u for u in UserStore(users_path(hue_db)).users() if u["username"] == "phuong")["units"][0]
    ward_name = sql(hue_db, "SELECT unit_name FROM units WHERE unit_code = $c", c=ward)[0][0]
    old_ward = sql(hue_db, "SELECT min(old_code) FROM unit_changes WHERE new_code = $c", c=ward)[0][0]
    app = create_app(hue_db)
    for user in ("chutich", "phuong"):
        c = sign_in(app, user, f"demo-{user}")
        pages = [(p, f"?period={q}") for q in ("2025-Q2", "2025", "2026-Q3")
                 for p in ("/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich")]
        pages += [("/don-vi", f"?period=2026-Q3&unit={ward}&kpi=on_time_rate"),
                  ("/bao-cao-quy", f"?period=2025-Q2&unit={old_ward}"),
                  ("/bao-cao-quy", "?period=2025&units=current")]
        pages += [("/trinh-chieu", f"?period=2026-Q3&slide={i}") for i in range(1, 8)]
        for path, search in pages:
            r = page(c, path, search)
            assert r.status_code == 200, (user, path, search, r.text[:300])
            text = json.dumps(r.json, ensure_ascii=False)
            assert "Không hiển thị được trang" not in text, (user, path, search)
            if user == "phuong" and path == "/" and search.endswith("2026-Q3"):
                assert ward_name in text
            if user == "chutich" and path == "/" and search.endswith("2026-Q3"):
                assert "Huế" in text
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records][:5]


def test_portal_766_ranks_wards_among_the_province_and_the_city_among_34(hue_db):
    rows = pd.DataFrame(sql(hue_db, "SELECT period, unit_code, indicator, score, max_points, rank FROM portal_results"),
                        columns=["period", "unit_code", "indicator", "score", "max_points", "rank"])
    # the whole quarters after 1 July 2025 and before the as-of date 20/11/2026
    assert sorted(rows.period.unique()) == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    today = {c for (c,) in sql(hue_db, "SELECT unit_code FROM units WHERE level = 'ward' AND valid_to IS NULL")}
    for period, g in rows.groupby("period"):
        wards = g[g.unit_code != "ALL"].sort_values("rank")
        assert set(wards.unit_code) == today and list(wards["rank"]) == list(range(1, 41)), period
        assert wards.score.is_monotonic_decreasing and (g.max_points == 100).all()
        city = g[g.unit_code == "ALL"]
        assert len(city) == 1 and 1 <= int(city["rank"].iloc[0]) <= 34
    cmp = json.loads(cchc("index766", "--period", "2026-Q3", "--compare", "--by", "unit", db=hue_db).stdout)["rows"]
    published = [r for r in cmp if r["indicator"] == "total" and r["portal_score"] is not None]
    assert len(published) == 41 and all(r["gap"] == round(r["points"] - r["portal_score"], 2) for r in published)


def test_petitions_feed_766_indicator_5_2(hue_db):
    """5.2 for 2026-Q2 recounted here: petitions received in the quarter, handled (refused: 2, else 15 working
    days, Mon–Fri minus the holidays table) in time, or still open and not yet past that deadline at its end."""
    import numpy as np

    rows = sql(hue_db, """SELECT p.received_at, p.handled_at, coalesce(p.refused, false), u.valid_from, u.valid_to
                          FROM petitions p JOIN units u USING (unit_code)""")
    assert len(rows) == round(N * 0.012)
    assert all((vf is None or r.date() >= vf) and (vt is None or r.date() <= vt) for r, _, _, vf, vt in rows)
    hol = np.array([d for (d,) in sql(hue_db, "SELECT date FROM holidays")], dtype="datetime64[D]")
    start, end = np.datetime64("2026-04-01"), np.datetime64("2026-07-01")
    on_time = total = 0
    for received, handled, refused, _, _ in rows:
        r = np.datetime64(received.date())
        if not start <= r < end:
            continue
        total += 1
        stop = np.datetime64(handled.date()) if handled is not None and handled < dt.datetime(2026, 7, 1) \
            else end - np.timedelta64(1, "D")
        # working days from receipt to stop: positions in the working-day calendar (a day off counts as the next)
        wd = np.busday_count(np.busday_offset(r, 0, roll="forward", holidays=hol),
                             np.busday_offset(stop, 0, roll="forward", holidays=hol), holidays=hol)
        on_time += wd <= (2 if refused else 15)
    got = json.loads(cchc("index766", "--period", "2026-Q2", "--format", "json", db=hue_db).stdout)["rows"]
    p52 = next(r for r in got if r["unit_code"] == "ALL" and r["indicator"] == "5.2")
    assert (p52["numerator"], p52["denominator"]) == (on_time, total) and total > 0


def test_units_matrix_lists_the_units_of_its_period(hue_db):
    """After 1 July 2025 the 133 retired wards leave the matrix (no row, no '⋯ k đơn vị khác' count); before it,
    the wards of today do not appear (they did not exist) — counted against the units table directly."""
    from dashboard.db import Database
    from dashboard.metrics import kpis
    from dashboard.metrics.period import resolve_period
    from dashboard.reader import Reader

    reader = Reader(Database(hue_db).snapshot())
    valid_now = {c for (c,) in sql(hue_db, "SELECT unit_code FROM units WHERE valid_to IS NULL AND level <> 'tinh'")}
    m = kpis.unit_matrix(reader, resolve_period(reader, "2026-Q3"))
    assert set(m.unit_code) == valid_now and not any(m.unit_name.str.endswith("(cũ)"))
    before = set(kpis.unit_matrix(reader, resolve_period(reader, "2025-Q2")).unit_code)
    born_later = {c for (c,) in sql(hue_db, "SELECT unit_code FROM units WHERE valid_from = DATE '2025-07-01'")}
    assert born_later and not (before & born_later)
