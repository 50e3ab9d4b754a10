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
import io
from typing import Any
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .config import LEVEL_LABELS

# (group, column label, key) — the form's columns in the order of the official template
FORM_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Tiếp nhận", "Tổng số", "received_total"),
    ("Tiếp nhận", "Trực tuyến", "received_online"),
    ("Tiếp nhận", "Trực tiếp và dịch vụ bưu chính công ích", "received_offline"),
    ("Tiếp nhận", "Từ kỳ trước chuyển qua", "carried_over"),
    ("Đã giải quyết", "Tổng số", "resolved_total"),
    ("Đã giải quyết", "Trước hạn", "resolved_early"),
    ("Đã giải quyết", "Đúng hạn", "resolved_on_time"),
    ("Đã giải quyết", "Quá hạn", "resolved_late"),
    ("Đang giải quyết", "Tổng số", "pending_total"),
    ("Đang giải quyết", "Trong hạn", "pending_in_time"),
    ("Đang giải quyết", "Quá hạn", "pending_overdue"),
)
ROW_HEAD = {"unit": "Đơn vị", "level": "Cấp", "field": "Lĩnh vực"}
TOTAL_LABEL = "Tổng cộng"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(v: Any) -> Any:
    """The one sanitiser for every exported cell (CSV and XLSX): formula starts escaped, XLSX-illegal
    control characters replaced. Numbers, dates and None pass unchanged."""
    if not isinstance(v, str):
        return v
    v = ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
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
    return int(row[key])


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


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")


def form_xlsx(form: dict, title: str = "BIỂU KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", city: str = "") -> bytes:
    """The official layout: title, period, two header rows (group / column), rows, total."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Bieu ket qua"
    ncol = 1 + len(FORM_COLUMNS)
    _put(ws, 1, 1, title).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    sub = f"Kỳ báo cáo: {form['period_label']} (từ {_vn_date(form['from'])} đến {_vn_date(form['to'])})"
    if city:  # the city's name is a setting anyone with the CLI may write: sanitised with the rest
        sub = f"{city} — {sub}"
    _put(ws, 2, 1, sub).font = Font(italic=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    for row in (1, 2):
        ws.cell(row, 1).alignment = Alignment(horizontal="center")
    h1, h2 = 4, 5
    _put(ws, h1, 1, ROW_HEAD[form["by"]])
    ws.merge_cells(start_row=h1, start_column=1, end_row=h2, end_column=1)
    col = 2
    groups: dict[str, list[int]] = {}
    for g, c, _ in FORM_COLUMNS:
        groups.setdefault(g, []).append(col)
        _put(ws, h2, col, c)
        col += 1
    for g, cols in groups.items():
        _put(ws, h1, cols[0], g)
        ws.merge_cells(start_row=h1, start_column=cols[0], end_row=h1, end_column=cols[-1])
    for r in (h1, h2):
        for c in range(1, ncol + 1):
            cell = ws.cell(r, c)
            cell.font = Font(bold=True)
            cell.fill = _HEAD_FILL
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    _, body = form_table(form)
    for i, values in enumerate(body, start=h2 + 1):
        for j, v in enumerate(values, start=1):
            cell = _put(ws, i, j, v)
            cell.border = _BORDER
            if j > 1:
                cell.number_format = "#,##0"
        if i == h2 + len(body):
            for j in range(1, ncol + 1):
                ws.cell(i, j).font = Font(bold=True)
    ws.column_dimensions["A"].width = 34
    for c in range(2, ncol + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    ws.row_dimensions[h2].height = 48
    ws.freeze_panes = ws.cell(h2 + 1, 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Du lieu", title: str | None = None
) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet[:31]
    start = 1
    if title:
        _put(ws, 1, 1, title).font = Font(bold=True, size=12)
        start = 3
    for j, h in enumerate(headers, start=1):
        c = _put(ws, start, j, h)
        c.font = Font(bold=True)
        c.fill = _HEAD_FILL
        c.border = _BORDER
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(str(h)) + 4))
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
