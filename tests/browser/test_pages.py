"""Every page in real Chromium: loads with no console error and no request off 127.0.0.1; filters write
the URL and change the figures; counts lead to exactly that many rows; Excel matches the screen."""

from __future__ import annotations

import io
import re
import json
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest

from .conftest import ROOT

PAGES = [
    ("/", "overview"),
    ("/don-vi", "units"),
    ("/ho-so-tre-han", "late"),
    ("/bao-cao-quy", "report"),
    ("/chi-tieu", "targets"),
    ("/phan-tich", "analysis"),
    ("/du-lieu", "data"),
    ("/ban-tin", "digest"),
]

pytestmark = pytest.mark.browser
FILTER = """[id='{{"key":"{}","type":"flt"}}']"""


@pytest.mark.parametrize("path,name", PAGES)
def test_page_loads_clean_and_offline(page, path, name):
    p = page.goto(path)
    assert p.locator("h1.page-title").count() == 1
    assert p.locator("h1.page-title").inner_text().strip()
    page.shot(f"{name}-1920x1080")
    assert not page.errors, page.errors
    assert not page.foreign, page.foreign
    # Vietnamese fonts and css are served from the app itself
    fonts = p.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "Be Vietnam Pro" in fonts or "Inter" in fonts or "Noto" in fonts, fonts
    # and the shipped font files themselves load (assets/vendor/02_fonts.css points at assets/fonts/)
    loaded = p.evaluate(
        "async () => { await document.fonts.ready; await document.fonts.load(\"16px 'Be Vietnam Pro'\", 'Tiếng Việt');"
        " return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family); }"
    )
    assert any("Be Vietnam Pro" in f for f in loaded), loaded


def _xlsx(download):
    with open(download.path(), "rb") as fh:
        return openpyxl.load_workbook(io.BytesIO(fh.read()))


def _query(p) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(p.url).query).items()}


def test_overview_period_filter_changes_url_and_figures(page):
    p = page.goto("/")
    before = p.locator("[data-kpi='on_time_rate'] .kpi-value").inner_text()
    subtitle = p.locator(".page-subtitle").inner_text()
    p.locator(FILTER.format("period")).click()
    p.get_by_role("option", name="Quý 1/2025", exact=True).click()
    p.wait_for_url(re.compile(r"period=2025-Q1"))
    page.settle()
    assert _query(p)["period"] == "2025-Q1"
    assert p.locator(".page-subtitle").inner_text() == "Quý 1/2025" != subtitle
    after = p.locator("[data-kpi='on_time_rate'] .kpi-value").inner_text()
    assert after != before
    # the same number as the CLI for the same filters
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "kpi", "--period", "2025-Q1", "--db", page.db],
        capture_output=True,
        cwd=ROOT,
        check=True,
    ).stdout
    rate = next(r for r in json.loads(out) if r["kpi"] == "on_time_rate" and r["unit_code"] == "ALL")["actual"]
    assert after == f"{rate * 100:.2f}%".replace(".", ",")
    assert not page.errors


def test_ward_late_count_leads_to_exactly_that_many_rows(page):
    p = page.goto("/don-vi?period=2025-Q2")
    cell = p.locator("#unit-matrix td[data-kind='late'] a").first
    expected = int(cell.inner_text().replace(".", ""))
    unit = cell.locator("xpath=..").get_attribute("data-unit")
    cell.click()
    p.wait_for_url(re.compile(r"/ho-so-tre-han"))
    page.settle()
    q = _query(p)
    assert q["unit"] == unit and q["view"] == "late" and q["period"] == "2025-Q2"
    assert int(p.locator("#late-total").get_attribute("data-count")) == expected
    # the pager shows "1 – 50 / nhiều" until the server's first page (with the row count) arrives
    p.wait_for_function(
        "() => { const el = document.querySelector('.ag-paging-row-summary-panel');"
        " return el && /\\/\\s*[0-9.]+\\s*$/.test(el.innerText); }"
    )
    summary = re.sub(r"\s", "", p.locator(".ag-paging-row-summary-panel").inner_text())
    assert summary.endswith(f"/{expected}") or summary.replace(".", "").endswith(f"/{expected}"), summary
    page.shot("late-drilldown-1920x1080")
    # the Excel download holds the same rows
    with p.expect_download() as dl:
        p.locator("#late-download-btn").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    ws = _xlsx(dl.value).active
    data_rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(data_rows) == expected
    assert all(r[1] == unit for r in data_rows)
    assert not page.errors


def _wait_for_rows(p, n: int = 5) -> None:
    """The infinite grid draws placeholder rows before their data arrives: wait for n filled cells."""
    p.wait_for_function(
        """n => { const cells = [...document.querySelectorAll(".ag-row .ag-cell[col-id='working_days_late']")];
                 return cells.length >= n && cells.slice(0, n).every(c => c.innerText.trim() !== ''); }""",
        arg=n,
    )


def test_grid_sorts_server_side(page):
    p = page.goto("/ho-so-tre-han?period=2025&view=late")
    _wait_for_rows(p)
    first = [int(x) for x in p.locator(".ag-row .ag-cell[col-id='working_days_late']").all_inner_texts()[:5]]
    assert first == sorted(first, reverse=True)
    p.locator(".ag-header-cell[col-id='working_days_late'] .ag-header-cell-label").click()
    p.wait_for_timeout(300)
    page.settle()
    _wait_for_rows(p)
    asc = [int(x) for x in p.locator(".ag-row .ag-cell[col-id='working_days_late']").all_inner_texts()[:5]]
    assert asc == sorted(asc) and asc[0] <= first[-1]


def test_report_excel_matches_screen(page):
    p = page.goto("/bao-cao-quy?period=2025-Q3")
    total_row = p.locator("#form-table tr.form-total td").all_inner_texts()
    screen = [int(x.replace(".", "")) for x in total_row]
    with p.expect_download() as dl:
        p.locator("#form-xlsx-btn").click()
    ws = _xlsx(dl.value).active
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Tổng cộng")  # then signatures
    last = [c.value for c in ws[total]]
    assert last[2:] == screen  # STT, unit, then the 16 numbered columns as on screen
    assert screen[0] == screen[4] + screen[8]  # received = resolved + pending
    p.get_by_text("Theo lĩnh vực").click()
    p.wait_for_url(re.compile(r"by=field"))
    page.settle()
    assert p.locator("#form-table thead th").first.inner_text() == "Lĩnh vực"
    by_field = [int(x.replace(".", "")) for x in p.locator("#form-table tr.form-total td").all_inner_texts()]
    assert by_field == screen
    page.shot("report-by-field-1920x1080")


def test_upload_imports_in_background_and_reports_counts(page, tmp_path):
    """The Home Affairs office uploads an extract: a preview first (layout, mapping, counts, reasons), nothing
    published; half the rows rejected needs "accept partial" ticked; then counts per file, bad rows listed."""
    f = tmp_path / "don_vi_bo_sung.csv"
    f.write_text(
        "Mã đơn vị,Tên đơn vị,Loại đơn vị,Đơn vị cấp trên,Cấp\n"
        "W01,Phường 1,phuong,UBND,ward\nZZ9,Đơn vị lỗi,phuong,UBND,khong-ro\n",
        encoding="utf-8",
    )
    p = page.goto("/du-lieu")
    before = p.locator("#imports-table tbody tr").count()
    p.locator("#data-upload input[type=file]").set_input_files(str(f))
    p.wait_for_selector("#upload-preview", timeout=60000)
    preview = p.locator("#upload-preview").inner_text()
    assert "chưa công bố" in preview and "đọc 2 dòng, nhận 1, loại 1" in preview and "Mẫu nhận ra" in preview
    assert "Cấp: cấp (city/ward) không hợp lệ" in preview and "vd. dòng 3" in preview
    p.locator("#upload-confirm").click()
    p.wait_for_selector("#upload-partial-refused", timeout=30000)
    page.goto("/du-lieu")  # nothing was published: the import log is unchanged
    assert p.locator("#imports-table tbody tr").count() == before
    p.locator("#data-upload input[type=file]").set_input_files(str(f))
    p.wait_for_selector("#upload-preview", timeout=60000)
    p.locator("#upload-accept-partial").check()
    p.locator("#upload-confirm").click()
    p.wait_for_selector("#upload-done", timeout=60000)
    text = p.locator("#upload-done").inner_text()
    assert "don_vi_bo_sung.csv" in text and "đọc 2 dòng, nhận 1, loại 1" in text
    page.goto("/du-lieu")
    assert p.locator("#imports-table tbody tr").count() == before + 1
    assert "don_vi_bo_sung.csv" in p.locator("#imports-table tbody tr").first.inner_text()
    p.wait_for_selector("#rejects-grid .ag-row")
    assert "khong-ro" in p.locator("#rejects-grid").inner_text()
    assert not page.errors
