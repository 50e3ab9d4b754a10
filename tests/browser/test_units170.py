"""170 units in real Chromium (tests/units170.py: TP HCM's wards and communes): the matrix's 10 + 10 with "Xem tất
cả", the "Đơn vị hiện nay" toggle in the URL, a unit picker found by typing without accents, and a closed quarter
on the form page ("Đã chốt ngày … bởi …" and the differences a later import made)."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import Watched, sign_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import cchc, live_server  # noqa: E402
import units170  # noqa: E402

N = 9_000
PASSWORD = "mat-khau-170-don-vi"


AREAS = 2  # wards given a boundary (a square around their centroid) by the fixture's GeoJSON


def _squares(db) -> list[dict]:
    """Boundaries for the first AREAS wards of today that the catalogue places."""
    from dashboard.db import Database
    from dashboard.geo import locate
    from dashboard.reader import Reader

    from test_boundaries import feature, square

    u = Reader(Database(db).snapshot()).q("units")
    wards = u[(u.level == "ward") & ~u.unit_code.isin(["L1", "L2"])]
    where = locate(wards.unit_code, wards.unit_name, ["79"] * len(wards))
    codes = sorted(where)[:AREAS]
    return [feature(c, square(where[c][1], where[c][0], 0.004)) for c in codes]


@pytest.fixture(scope="module")
def hcm(tmp_path_factory):
    """The 170-unit city; Q2/2025 closed, then one dossier of Q2 re-exported completed late (2 differences)."""
    from builders import write_csv
    from test_boundaries import write_geojson

    tmp = tmp_path_factory.mktemp("hcm-browser")
    db = units170.build(tmp, N)
    cchc("users", "add", "noivu", "--role", "noi_vu", "--password-stdin", db=db, input=f"{PASSWORD}\n".encode())
    cchc("close", "--period", "2025-Q2", "--as", "noivu", db=db)
    rows = units170.dossiers(N)
    row = next(
        r for r in rows
        if r["completed_at"] and r["completed_at"] <= r["due_at"] and r["completed_at"].month == 5
        and r["unit_code"] not in ("L1", "L2")
    )
    changed = dict(row, completed_at=row["due_at"] + dt.timedelta(days=2), updated_at=dt.datetime(2025, 10, 30, 9))
    write_csv(tmp / "later.csv", [changed])
    cchc("ingest", str(tmp / "later.csv"), db=db)
    write_geojson(tmp / "ranh-gioi.geojson", _squares(db))
    cchc("ingest", str(tmp / "ranh-gioi.geojson"), db=db)
    on_time = row["completed_at"].date() == row["due_at"].date()
    return db, row["unit_code"], "resolved_on_time" if on_time else "resolved_early"


@pytest.fixture(scope="module")
def hcm_server(hcm):
    with live_server(hcm[0]) as base:
        yield base


@pytest.fixture
def hp(browser, hcm_server):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    w = Watched(ctx.new_page(), hcm_server)
    sign_in(w, "noivu", PASSWORD)
    yield w
    ctx.close()


def _q(p) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(p.url).query).items()}


def _rows(p) -> int:
    return p.locator("#unit-matrix tbody tr").count()


def test_matrix_top_bottom_show_all_and_units_toggle(hp):
    p = hp.goto("/don-vi?period=2025-Q3&units=current")
    assert _rows(p) == 21 and p.locator("#unit-matrix-gap").is_visible()
    assert "150 đơn vị khác" in p.locator("#unit-matrix-gap").inner_text()
    changes = p.locator("#unit-matrix td.col-rank-change").all_inner_texts()
    assert len(changes) == 20 and all(re.fullmatch(r"[▲▼][0-9]+|=|–", c.strip()) for c in changes)
    p.locator("#units-show-all").click()
    p.wait_for_url(re.compile(r"all=1"))
    hp.settle()
    p.wait_for_function("() => document.querySelectorAll('#unit-matrix tbody tr').length === 170")
    assert _q(p)["units"] == "current"
    # back to 10 + 10, then the toggle to the units of the period (in the URL): a merged ward is listed again
    # when it has figures in Q3 (June dossiers finished in Q3), counted here from the fixture's own rows
    late_legacy = {r["unit_code"] for r in units170.dossiers(N) if r["unit_code"] in ("L1", "L2")
                   and r["completed_at"] and r["completed_at"].date() >= units170.MERGED_ON}
    between = 170 + len(late_legacy) - 20
    p.locator("#units-top-bottom").click()
    p.wait_for_function("() => !/all=1/.test(window.location.search)")
    hp.settle()
    p.locator(".filter-radio label", has_text="Như trong kỳ").click()
    p.wait_for_function("() => !/units=current/.test(window.location.search)")
    hp.settle()
    p.wait_for_function(
        f"() => /(^|\\s){between} đơn vị khác/.test(document.querySelector('#unit-matrix-gap').innerText)"
    )
    assert _rows(p) == 21
    assert not hp.errors


def test_unit_picker_finds_a_ward_typed_without_accents(hp):
    p = hp.goto("/?period=2025-Q3")
    box = p.locator("#\\{\\\"key\\\"\\:\\\"unit\\\"\\,\\\"type\\\"\\:\\\"flt\\\"\\}")
    if not box.count():
        box = p.locator(".filter-dropdown").nth(1)
    box.click()
    p.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    p.keyboard.type("phuong thu dau mot")
    option = p.get_by_role("option", name="Phường Thủ Dầu Một")
    option.wait_for(timeout=10000)
    p.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1", timeout=10000)
    assert p.get_by_role("option").count() == 1
    option.click()
    p.wait_for_url(re.compile(r"unit=25747"))
    hp.settle()
    assert "Phường Thủ Dầu Một" in p.locator(".page").inner_text()
    assert not hp.errors


def test_closed_quarter_on_the_form_page(hp, hcm):
    db, unit, key = hcm
    p = hp.goto("/bao-cao-quy?period=2025-Q2")
    notice = p.locator("#closure-notice")
    today = dt.date.today().strftime("%d/%m/%Y")
    assert f"Đã chốt ngày {today} bởi noivu" in notice.inner_text()
    assert "làm thay đổi 2 số liệu" in notice.inner_text()
    cells = [r.split("\t") for r in p.locator("#closure-changes tbody tr").all_inner_texts()]
    report = json.loads(cchc("report", "quarterly", "--period", "2025-Q2", db=db).stdout)
    diffs = {d["key"]: d for d in report["changed_since_close"]}
    assert set(diffs) == {key, "resolved_late"} and {d["unit_code"] for d in diffs.values()} == {unit}
    assert len(cells) == 2
    shown = {tuple(c.strip() for c in row[2:]) for row in cells}
    assert shown == {(str(d["closed"]), str(d["current"]), f"{d['current'] - d['closed']:+d}".replace("-", "−"))
                     for d in diffs.values()}
    # the form shows the closed figures: the total row's late count is the closed one
    late_total = sum(r["resolved_late"] for r in report["rows"])
    assert report["total"]["resolved_late"] == late_total
    assert not hp.errors


def test_map_bubble_opens_its_unit(hp):
    """The units page's bubble map (ward centroids, no tile server): a click on a bubble lands on that unit."""
    p = hp.goto("/don-vi?period=2025-Q3&units=current")
    p.wait_for_selector("#units-map .scatterlayer path.point")
    points = p.locator("#units-map .scatterlayer path.point")
    assert points.count() == 168  # every ward and commune of today; the city and the department have no centroid
    assert "2 đơn vị không có toạ độ" in p.locator("#units-map-section").inner_text()
    texts = p.locator("#units-map .scatterlayer text").all_text_contents()
    assert set(texts) <= {"✔", "▲", "✖", "–"} and len(texts) == 168  # the status symbol on every bubble
    p.locator("#units-map").scroll_into_view_if_needed()
    # the bubble farthest from its nearest neighbour (a click resolves to the nearest bubble)
    i = p.evaluate(
        """() => {
        const c = Array.from(document.querySelectorAll('#units-map .scatterlayer path.point')).map(e => {
            const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; });
        let best = 0, far = -1;
        c.forEach((a, k) => {
            const d = Math.min(...c.filter((_, j) => j !== k).map(b => Math.hypot(a[0] - b[0], a[1] - b[1])));
            if (d > far) { far = d; best = k; } });
        return best; }"""
    )
    # the symbols (over the areas), the mainland's then the far islands' inset (TP HCM: Côn Đảo, the farthest bubble)
    marks = "document.querySelector('#units-map .js-plotly-plot').data.filter(t => t.mode === 'markers+text')"
    code = p.evaluate(f"() => {marks}.flatMap(t => t.customdata)[{i}]")
    name = p.evaluate(f"() => {marks}.flatMap(t => t.hovertext)[{i}]")
    box = points.nth(i).bounding_box()
    p.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    p.wait_for_url(re.compile(rf"unit={code}"))
    hp.settle()
    assert p.locator(".page-title").inner_text() == name.split(":")[0]
    assert _q(p)["kpi"] == "on_time_rate" and _q(p)["period"] == "2025-Q3"
    assert not hp.errors and not hp.foreign  # offline: nothing fetched from another host (no tiles, no topojson)


def _closings(db, period: str) -> list[dict]:
    return [r for r in json.loads(cchc("close", "--list", "--format", "json", db=db).stdout) if r["period"] == period]


def test_home_affairs_closes_and_reopens_the_quarter_from_the_form_page(hp, hcm):
    """"Chốt số liệu" on /bao-cao-quy: the dialog names the period and the data version, the page then shows
    "Đã chốt" with a CSS padlock; "Mở lại" needs a reason (an empty one is refused in the dialog) and the notice
    goes away.
    The closing is the CLI's (`cchc close --list` shows it, with the reopening's reason)."""
    from dashboard.db import Database
    from dashboard.metrics.period import Period
    from dashboard.reader import Reader

    db = hcm[0]
    assert "closed" not in json.loads(cchc("report", "quarterly", "--period", "2025-Q3", db=db).stdout)
    version = Reader(Database(db).snapshot()).data_version
    p = hp.goto("/bao-cao-quy?period=2025-Q3")
    assert p.locator("#closure-notice").count() == 0
    p.click("#closing-open")
    dialog = p.locator(".modal-dialog")
    dialog.wait_for()
    text = dialog.inner_text()
    assert f"{Period.parse('2025-Q3').label} (01/07/2025 – 30/09/2025)" in text
    assert f"phiên bản dữ liệu {version}" in text
    p.click("#closing-confirm")
    p.wait_for_selector("#closure-notice", timeout=60000)
    today = dt.date.today().strftime("%d/%m/%Y")
    assert f"Đã chốt ngày {today} bởi noivu" in p.locator("#closure-notice").inner_text()
    assert "không làm thay đổi số liệu nào" in p.locator("#closure-notice").inner_text()
    [row] = _closings(db, "2025-Q3")
    assert row["closed_by"] == "noivu" and row["reopened_at"] is None
    # reopening: the dialog refuses an empty reason, then takes one
    p.click("#closing-open")
    p.locator("#closing-reason").wait_for()
    p.click("#closing-confirm")
    p.locator("#closing-error").get_by_text("cần lý do mở lại").wait_for()
    p.fill("#closing-reason", "Sở Nội vụ yêu cầu cập nhật")
    p.click("#closing-confirm")
    p.wait_for_selector("#closure-notice", state="detached", timeout=60000)
    assert p.locator("#closing-open").inner_text().strip() == "Chốt số liệu"
    # the padlock is drawn by CSS (an SVG mask, no emoji font needed): a visible 1em box in the button's colour
    lock = p.locator("#closing-open .icon-lock")
    box = lock.bounding_box()
    assert box and box["width"] > 8 and box["height"] > 8, box
    assert "svg" in lock.evaluate("e => getComputedStyle(e).maskImage || getComputedStyle(e).webkitMaskImage")
    [row] = _closings(db, "2025-Q3")
    assert (row["reopened_by"], row["reopen_reason"]) == ("noivu", "Sở Nội vụ yêu cầu cập nhật")
    assert not hp.errors and not hp.foreign


@pytest.mark.parametrize("w,h", [(1920, 1080), (1280, 720)])
def test_deck_map_slide_fits_and_draws_areas_and_symbols(browser, hcm_server, w, h):
    """The deck's last slide: today's wards on the map (the fixture's boundaries as filled areas, the others as
    bubbles), each with its status symbol; the slide fits the projector without scrolling."""
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="vi-VN")
    try:
        wp = Watched(ctx.new_page(), hcm_server)
        sign_in(wp, "noivu", PASSWORD)
        p = wp.goto("/trinh-chieu?period=2025-Q3&slide=1")
        count = int(p.locator("#deck").get_attribute("data-count"))
        p = wp.goto(f"/trinh-chieu?period=2025-Q3&slide={count}")
        assert p.locator(".slide-title").inner_text() == "Bản đồ phường, xã: tỷ lệ đúng hạn"
        p.wait_for_selector("#deck-map .scatterlayer path.point")
        assert p.locator("#deck-map .scatterlayer path.point").count() == 168
        texts = p.locator("#deck-map .scatterlayer text").all_text_contents()
        assert set(texts) <= {"✔", "▲", "✖", "–"} and len(texts) == 168
        assert p.locator("#deck-map .scatterlayer path.js-fill").count() >= 1  # the filled areas
        areas = p.evaluate("() => document.querySelector('#deck-map .js-plotly-plot').data.filter(t => t.fill"
                           " === 'toself').reduce((n, t) => n + t.x.filter(x => x === null).length, 0)")
        assert areas == AREAS
        fit = p.evaluate("""() => ({sh: document.documentElement.scrollHeight, ih: window.innerHeight,
            sw: document.documentElement.scrollWidth, iw: window.innerWidth,
            clipped: [...document.querySelectorAll('.slide')].filter(s => s.scrollHeight > s.clientHeight + 1).length,
            map: document.querySelector('#deck-map').getBoundingClientRect().bottom,
            foot: document.querySelector('.slide-foot').getBoundingClientRect().top})""")
        assert fit["sh"] <= fit["ih"] and fit["sw"] <= fit["iw"] and not fit["clipped"], fit
        assert fit["map"] <= fit["foot"], fit
        wp.shot(f"deck-map-{w}x{h}")
        assert not wp.errors and not wp.foreign
    finally:
        ctx.close()
