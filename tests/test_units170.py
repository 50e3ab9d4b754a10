"""Pages at 170 units (tests/units170.py: TP HCM's 168 wards and communes, the city, one department, two legacy
wards merged into Phường Thủ Dầu Một on 01/07/2025): the matrix's top/bottom N with "Xem tất cả", the rank and its
change against the previous quarter (recomputed here from the dossiers with pandas, independently of the
queries), grouping by kind, the "Đơn vị hiện nay" roll-up, accent-insensitive grouped pickers, no chart with
170 bars."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

import units170

N = 12_000


@pytest.fixture(scope="module")
def hcm_db(tmp_path_factory):
    return units170.build(tmp_path_factory.mktemp("hcm"), N)


@pytest.fixture(scope="module")
def pages(hcm_db):
    import dash

    from dashboard.app import create_app

    create_app(hcm_db)
    return {p["path"]: p["layout"] for p in dash.page_registry.values()}


def _reader(db):
    from dashboard.db import Database
    from dashboard.reader import Reader

    return Reader(Database(db).snapshot())


def _walk(c, out):
    if isinstance(c, (str, int, float)):
        out.append(str(c))
    elif isinstance(c, (list, tuple)):
        for x in c:
            _walk(x, out)
    elif c is not None and hasattr(c, "children"):
        _walk(c.children, out)
    return out


def _find(c, pred, out=None):
    out = [] if out is None else out
    if isinstance(c, (list, tuple)):
        for x in c:
            _find(x, pred, out)
    elif c is not None and hasattr(c, "to_plotly_json"):
        if pred(c):
            out.append(c)
        _find(getattr(c, "children", None), pred, out)
    return out


def _on_time_by_unit(rows: list[dict], start: dt.date, end: dt.date, rollup: bool) -> pd.Series:
    """On-time rate per unit straight from the generated dossiers: completed in [start, end], not after due_at."""
    df = pd.DataFrame(rows)
    df = df[df.completed_at.notna()]
    df = df[(df.completed_at.dt.date >= start) & (df.completed_at.dt.date <= end)]
    if rollup:
        df["unit_code"] = df.unit_code.replace({"L1": units170.SUCCESSOR, "L2": units170.SUCCESSOR})
    return df.assign(ok=df.completed_at <= df.due_at).groupby("unit_code").ok.mean()


def _matrix_rows(layout) -> list[list[str]]:
    table = _find(layout, lambda c: getattr(c, "id", None) == "unit-matrix")[0]
    body = table.children[1].children
    return [_walk(tr.children, []) for tr in body]


def test_ranking_and_rank_change_match_the_dossiers(hcm_db):
    from dashboard.metrics import kpis
    from dashboard.metrics.period import Period

    rows = units170.dossiers(N)
    q3, q2 = _on_time_by_unit(rows, dt.date(2025, 7, 1), dt.date(2025, 9, 30), True), _on_time_by_unit(
        rows, dt.date(2025, 4, 1), dt.date(2025, 6, 30), True)
    m = kpis.ranking(_reader(hcm_db), Period.parse("2025-Q3"), "on_time_rate", rollup=True)
    assert len(m) == 170 and "L1" not in set(m.unit_code)
    got = m.set_index("unit_code")
    expected_rank = q3.rank(ascending=False, method="min")
    expected_prev = q2.rank(ascending=False, method="min")
    for code in q3.index:
        assert got.at[code, "on_time_rate"] == pytest.approx(q3[code])
        assert got.at[code, "rank"] == expected_rank[code]
        assert got.at[code, "rank_change"] == expected_prev[code] - expected_rank[code]
    # rolled up, Thủ Dầu Một's Q2 holds the two legacy wards' dossiers
    assert got.at[units170.SUCCESSOR, "prev_rank"] == expected_prev[units170.SUCCESSOR]
    as_of = kpis.ranking(_reader(hcm_db), Period.parse("2025-Q2"), "on_time_rate")
    assert len(as_of) == 172 and {"L1", "L2"} <= set(as_of.unit_code)


def test_matrix_top_bottom_show_all_and_groups(hcm_db, pages):
    from dashboard.reader import reading

    units_page = pages["/don-vi"]
    with reading(_reader(hcm_db)):
        default = units_page(period="2025-Q3", units="current")
        everything = units_page(period="2025-Q3", units="current", all="1")
        communes = units_page(period="2025-Q3", units="current", kind="xa", all="1")
        departments = units_page(period="2025-Q3", kind="so")
    shown = _matrix_rows(default)
    assert len(shown) == 21  # 10 worst, the gap row, 10 best
    gap = " ".join(shown[10])
    rows = units170.dossiers(N)
    q3 = _on_time_by_unit(rows, dt.date(2025, 7, 1), dt.date(2025, 9, 30), True)
    assert f"⋯ {170 - 20} đơn vị khác" in gap and "Xem tất cả" in gap
    ranks = [int(r[0]) for r in shown[:10] + shown[11:]]
    assert ranks == sorted(ranks, reverse=True)  # worst first: the highest rank numbers at the top
    assert ranks[0] == q3.rank(ascending=False, method="min").max() and ranks[-1] == 1
    assert "Xem tất cả 170 đơn vị" in " ".join(_walk(default, []))
    assert len(_matrix_rows(everything)) == 170
    kinds = {u["unit_code"]: u["unit_kind"] for u in units170.unit_rows()}
    n_xa = sum(1 for c, k in kinds.items() if k in ("xa", "dac_khu") and c not in ("L1", "L2"))
    assert len(_matrix_rows(communes)) == n_xa
    dep_names = [r[2] for r in _matrix_rows(departments)]
    assert sorted(dep_names) == ["Sở Tư pháp", "Thành phố Hồ Chí Minh"]
    # rank changes are arrows with a number (never colour alone)
    changes = [r[1] for r in _matrix_rows(everything)]
    assert all(re.fullmatch(r"[▲▼][0-9]+|=|–", c) for c in changes)
    assert any(c.startswith("▲") for c in changes) and any(c.startswith("▼") for c in changes)


def test_pickers_are_grouped_and_searchable_without_accents(hcm_db):
    from dashboard.metrics.units import current_units
    from dashboard.ui.components import units_options

    opts = units_options(current_units(_reader(hcm_db)), with_all="Toàn thành phố")
    headings = [o["label"] for o in opts if o.get("disabled")]
    assert [h.split(" (")[0] for h in headings] == ["— Sở, ngành, cơ quan cấp thành phố", "— Phường", "— Xã, đặc khu"]
    units = [o for o in opts if o["value"] and not o.get("disabled")]
    assert len(units) == 170  # the two merged wards left the filter

    def typed(text: str) -> list[str]:
        return [o["label"] for o in opts if text.lower() in o["search"].lower()]

    assert typed("phuong thu dau mot") == ["Phường Thủ Dầu Một"]
    assert typed("Thủ Dầu Một") == ["Phường Thủ Dầu Một"]
    assert typed("xa thanh an") == ["Xã Thanh An", "Xã Thạnh An"]  # without accents both; with them, one
    assert typed("Thạnh An") == ["Xã Thạnh An"]
    assert all(o["search"] == "" for o in opts if o.get("disabled"))  # a heading never matches what is typed


def test_no_chart_draws_170_bars(hcm_db, pages):
    from dashboard.reader import reading

    def bar_counts(layout) -> list[int]:
        graphs = _find(layout, lambda c: type(c).__name__ == "Graph")
        out = []
        for g in graphs:
            fig = g.figure if isinstance(g.figure, dict) else g.figure.to_plotly_json()
            out += [len(t.get("y") or t.get("x") or []) for t in fig.get("data", []) if t.get("type") == "bar"]
        return out

    with reading(_reader(hcm_db)):
        for path, query in [("/trinh-chieu", {"slide": str(s), "period": "2025-Q3"}) for s in range(1, 12)] + [
            ("/chi-tieu", {"year": "2025"}),
            ("/", {"period": "2025-Q3"}),
            ("/don-vi", {"period": "2025-Q3"}),
        ]:
            counts = bar_counts(pages[path](**query))
            assert all(n <= 25 for n in counts), (path, query, counts)


def test_every_official_ward_has_a_centroid_inside_its_province():
    """geo.locate finds all 3,321 wards and communes of the catalogue (by code, else by name within the province),
    each inside Việt Nam's mainland box, and every province's wards near each other (within 4° of their mean);
    special zones (Hoàng Sa, Trường Sa, Phú Quốc…) lie offshore and are left out of this check."""
    from vietnam_provinces import Province

    from dashboard.catalogue import units_of
    from dashboard.geo import locate

    for prov in Province.iter_all():
        wards = [u for u in units_of(prov) if u.level == "ward" and u.unit_kind != "dac_khu"]
        got = locate([u.unit_code for u in wards], [u.unit_name for u in wards], [u.parent_code for u in wards])
        assert len(got) == len(wards), prov.name
        lats, lons = zip(*got.values())
        assert all(8 <= a <= 24 for a in lats) and all(102 <= o <= 110 for o in lons), prov.name
        mlat, mlon = sum(lats) / len(lats), sum(lons) / len(lons)
        assert all(abs(a - mlat) < 4 and abs(o - mlon) < 4 for a, o in zip(lats, lons)), prov.name
