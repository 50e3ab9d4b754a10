"""Files people take away: the official form as Excel (two-row Vietnamese header) and CSV,
and any table as Excel or CSV. Every cell of every export (web downloads and the CLI) goes through
one sanitiser, `safe_cell`, so no cell can run as a formula (no CSV/Excel injection):

- a text starting with `=`, `+`, `-`, `@`, tab, CR or LF (and their full-width forms) gets a leading `'`
  (OWASP's list), so a spreadsheet shows it as text;
- control characters an XLSX file cannot hold become U+FFFD (openpyxl would refuse the whole file);
- CSV is written RFC 4180 style (CRLF rows) by `csv_text`, so any cell holding a CR or LF is quoted and a
  spreadsheet cannot start a new row inside it; XLSX cells are always typed as text, never formulas."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .config import LEVEL_LABELS

# The form's columns in the order of the official template, with their labels in a CSV export and on the printed
# form (form_columns.csv). The last three are the newer layouts' columns, reported apart (data-contract §2): not
# part of the 13 numbered columns' sums.
with open(Path(__file__).with_name("form_columns.csv"), encoding="utf-8", newline="") as _f:
    _FORM = tuple(csv.DictReader(_f))
# (group, column label, key)
FORM_COLUMNS: tuple[tuple[str, str, str], ...] = tuple((c["group"], c["label"], c["key"]) for c in _FORM)
FORM_CODE = "Biểu số II.06a/VPCP/KSTT"
ROW_HEAD = {"unit": "Đơn vị", "level": "Cấp", "field": "Lĩnh vực"}
TOTAL_LABEL = "Tổng cộng"
# the control characters an XLSX cell cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (tests/test_exports.py holds
# them equal), spelled here so that a CSV answer does not import openpyxl
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(v: Any) -> Any:
    """The one sanitiser for every exported cell (CSV and XLSX): formula starts escaped, XLSX-illegal
    control characters replaced. Numbers, dates and None pass unchanged."""
    if not isinstance(v, str):
        return v
    v = ILLEGAL_CHARACTERS.sub("\ufffd", v)
    return "'" + v if v.startswith(_FORMULA_START) else v


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """CSV for people and spreadsheets: every cell sanitised; CRLF rows, so a cell holding CR or LF is quoted."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([safe_cell(h) for h in header])
    for r in rows:
        w.writerow([safe_cell(v) for v in r])
    return buf.getvalue()


def _put(ws, row: int, col: int, v: Any):
    """Write one XLSX cell through the sanitiser; text is always a string cell, never a formula."""
    cell = ws.cell(row, col)
    cell.value = safe_cell(v)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def form_value(row: dict, key: str) -> int:
    if key == "received_offline":
        return int(row["received_in_person"]) + int(row["received_postal"])
    return int(row.get(key) or 0)


def form_row_label(row: dict, by: str) -> str:
    if by == "unit":
        return row.get("unit_name") or row.get("unit_code") or ""
    if by == "level":
        return LEVEL_LABELS.get(row.get("level") or "", row.get("level") or "Chưa phân cấp")
    return row.get("field") or ""


def form_table(form: dict) -> tuple[list[str], list[list[Any]]]:
    """The form as a flat table (row label + the 11 official columns), total row last."""
    by = form["by"]
    header = [ROW_HEAD[by]] + [f"{g} - {c}" for g, c, _ in FORM_COLUMNS]
    body = [[form_row_label(r, by)] + [form_value(r, k) for _, _, k in FORM_COLUMNS] for r in form["rows"]]
    body.append([TOTAL_LABEL] + [form_value(form["total"], k) for _, _, k in FORM_COLUMNS])
    return header, body


def form_csv(form: dict) -> str:
    """CSV with the contract's keys (machine-readable), total row with unit_code ALL."""
    by = form["by"]
    id_cols = {"unit": ["unit_code", "unit_name", "level"], "level": ["level"], "field": ["field"]}[by]
    keys = list(form["total"].keys())
    rows = [[form["period"], *(r.get(c) for c in id_cols), *(r[k] for k in keys)] for r in form["rows"]]
    total_id = {"unit": ["ALL", TOTAL_LABEL, ""], "level": ["ALL"], "field": ["ALL"]}[by]
    rows.append([form["period"], *total_id, *(form["total"][k] for k in keys)])
    return csv_text(["period", *id_cols, *keys], rows)


@functools.cache
def _xl() -> SimpleNamespace:
    """openpyxl and the workbooks' shared styles, imported the first time a workbook is written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="808080")
    return SimpleNamespace(
        Workbook=Workbook, Alignment=Alignment, Font=Font, PatternFill=PatternFill, column=get_column_letter,
        border=Border(left=thin, right=thin, top=thin, bottom=thin), head_fill=PatternFill("solid", fgColor="DCE6F1"),
    )


# The printable form: (number, row-2 group, row-3 label, key); the 3-row header of Biểu số II.06a/VPCP/KSTT.
# Row 1 groups: STT, the row head, "Số hồ sơ nhận giải quyết" (3–6), "Kết quả giải quyết" (7–13), then the
# newer layouts' status columns (14–16), reported apart.
_PRINT_COLS: tuple[tuple[int, str | None, str, str], ...] = tuple(
    (int(c["column"]), c["print_group"] or None, c["print_label"], c["key"]) for c in _FORM
)
_PRINT_GROUPS = (("Số hồ sơ nhận giải quyết", 3, 6), ("Kết quả giải quyết", 7, 13), ("Theo trạng thái", 14, 16))
FORM_HEADER_ROWS = (9, 11)  # first and last row of the 3-row header (repeated on every printed page)


def _print_header(ws, by: str, last: int) -> None:
    """The form's 3-row header (rows 9–11): STT and the row head down all three, groups, sub-groups, labels."""
    h1, h2, h3 = FORM_HEADER_ROWS[0], FORM_HEADER_ROWS[0] + 1, FORM_HEADER_ROWS[1]
    _put(ws, h1, 1, "STT")
    ws.merge_cells(start_row=h1, start_column=1, end_row=h3, end_column=1)
    _put(ws, h1, 2, {"unit": "Đơn vị", "level": "Cấp", "field": "Lĩnh vực, công việc giải quyết"}[by])
    ws.merge_cells(start_row=h1, start_column=2, end_row=h3, end_column=2)
    for g, c1, c2 in _PRINT_GROUPS:
        _put(ws, h1, c1, g)
        ws.merge_cells(start_row=h1, start_column=c1, end_row=h1, end_column=c2)
    i = 0
    while i < len(_PRINT_COLS):
        n, g, label, _ = _PRINT_COLS[i]
        if g is None:
            _put(ws, h2, n, label)
            ws.merge_cells(start_row=h2, start_column=n, end_row=h3, end_column=n)
            i += 1
            continue
        j = i
        while j + 1 < len(_PRINT_COLS) and _PRINT_COLS[j + 1][1] == g:
            j += 1
        _put(ws, h2, n, g)
        if j > i:
            ws.merge_cells(start_row=h2, start_column=n, end_row=h2, end_column=_PRINT_COLS[j][0])
        for k in range(i, j + 1):
            _put(ws, h3, _PRINT_COLS[k][0], _PRINT_COLS[k][2])
        i = j + 1


def _print_signatures(ws, r: int, last: int, st: dict, to_iso: str, block) -> None:
    """Place and date, then Người lập biểu (left) and the head of the unit (right) with their names."""
    xl = _xl()
    bold = xl.Font(bold=True)
    place = st.get("report_place") or ""
    to = to_iso.split("-")
    block(r, 11, last, f"{place + ', ' if place else ''}ngày {to[2]} tháng {to[1]} năm {to[0]}", xl.Font(italic=True))
    block(r + 1, 1, 6, "NGƯỜI LẬP BIỂU", bold)
    block(r + 1, 11, last, (st.get("report_head_title") or "THỦ TRƯỞNG ĐƠN VỊ").upper(), bold)
    block(r + 2, 1, 6, "(Ký, ghi rõ họ tên)", xl.Font(italic=True))
    block(r + 2, 11, last, "(Ký tên, đóng dấu)", xl.Font(italic=True))
    block(r + 6, 1, 6, st.get("report_preparer") or "", bold)
    block(r + 6, 11, last, st.get("report_head") or "", bold)


def form_xlsx(form: dict, title: str = "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", city: str = "",
              settings: dict | None = None) -> bytes:
    """The official form, printable as is (Biểu số II.06a/VPCP/KSTT): form code and reporting/receiving unit,
    national motto, title and period, "Đơn vị tính: Số hồ sơ", the 3-row header, the numbering row (1)–(16),
    STT and rows, total row, signature block; A4 landscape, fitted to the page width, header rows repeated."""
    xl = _xl()
    st = dict(settings or {})
    unit_name = st.get("report_unit_name") or city or ""
    receiver = st.get("report_receiving_unit") or ""
    wb = xl.Workbook()
    ws = wb.active
    ws.title = "Bieu II.06a"
    last = 2 + len(_PRINT_COLS)
    bold = xl.Font(bold=True)
    center = xl.Alignment(horizontal="center", vertical="center", wrap_text=True)

    def block(row, c1, c2, text, font=None):
        cell = _put(ws, row, c1, text)
        if c2 > c1:
            ws.merge_cells(start_row=row, start_column=c1, end_row=row, end_column=c2)
        cell.alignment = center
        if font:
            cell.font = font
        return cell

    block(1, 1, 4, FORM_CODE, bold)
    block(1, 5, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    block(1, 13, last, f"Đơn vị báo cáo: {unit_name}")
    block(2, 1, 4, "Ban hành theo Thông tư số 01/2020/TT-VPCP")
    block(2, 5, 12, "Độc lập - Tự do - Hạnh phúc", xl.Font(bold=True, underline="single"))
    block(2, 13, last, f"Đơn vị nhận báo cáo: {receiver}")
    block(4, 1, last, f"{title}{(' TẠI ' + unit_name.upper()) if unit_name else ''}", xl.Font(bold=True, size=13))
    block(5, 1, last, f"Kỳ báo cáo: {form['period_label']} (từ ngày {_vn_date(form['from'])} đến ngày "
                      f"{_vn_date(form['to'])})", xl.Font(italic=True))
    cell = _put(ws, 7, last - 2, "Đơn vị tính: Số hồ sơ")
    ws.merge_cells(start_row=7, start_column=last - 2, end_row=7, end_column=last)
    cell.font = xl.Font(italic=True)
    cell.alignment = xl.Alignment(horizontal="right")
    h1, h3 = FORM_HEADER_ROWS
    _print_header(ws, form["by"], last)
    num_row = h3 + 1
    for c in range(1, last + 1):
        _put(ws, num_row, c, f"({c})")
    for r in range(h1, num_row + 1):
        for c in range(1, last + 1):
            cell = ws.cell(r, c)
            cell.font = xl.Font(bold=r < num_row, italic=r == num_row)
            cell.fill = xl.head_fill if r < num_row else xl.PatternFill()
            cell.border = xl.border
            cell.alignment = center
    r = num_row + 1
    body = [(str(k), form_row_label(row, form["by"]), row) for k, row in enumerate(form["rows"], start=1)]
    body.append(("", TOTAL_LABEL, form["total"]))
    for stt, label, row in body:
        _put(ws, r, 1, stt).alignment = xl.Alignment(horizontal="center")
        _put(ws, r, 2, label)
        for n, _, _, key in _PRINT_COLS:
            _put(ws, r, n, form_value(row, key)).number_format = "#,##0"
        for c in range(1, last + 1):
            ws.cell(r, c).border = xl.border
            if label == TOTAL_LABEL and not stt:
                ws.cell(r, c).font = bold
        r += 1
    r += 1
    _print_signatures(ws, r, last, st, form["to"], block)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 30
    for c in range(3, last + 1):
        ws.column_dimensions[xl.column(c)].width = 11
    ws.row_dimensions[h3].height = 75
    ws.freeze_panes = ws.cell(num_row + 1, 3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{h1}:{num_row}"
    ws.print_area = f"A1:{xl.column(last)}{r + 6}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Du lieu", title: str | None = None
) -> bytes:
    xl = _xl()
    wb = xl.Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet[:31]
    start = 1
    if title:
        _put(ws, 1, 1, title).font = xl.Font(bold=True, size=12)
        start = 3
    for j, h in enumerate(headers, start=1):
        c = _put(ws, start, j, h)
        c.font = xl.Font(bold=True)
        c.fill = xl.head_fill
        c.border = xl.border
        ws.column_dimensions[xl.column(j)].width = max(12, min(40, len(str(h)) + 4))
    for i, row in enumerate(rows, start=start + 1):
        for j, v in enumerate(row, start=1):
            _put(ws, i, j, v)
    ws.freeze_panes = ws.cell(start + 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _vn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"
