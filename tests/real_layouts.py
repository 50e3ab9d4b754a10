"""One set of 26 dossiers with known outcomes in 2026-Q3, written the way the one-stop software really exports
them (shared/real-extracts.md): the follow-up list, statistics by procedure (group rows, unit in the title),
the tracking book, the system's field names (PascalCase CSV with status codes 1-10, camelCase XLSX) and a
two-row header with merged group cells. Every file carries title rows, total rows, signature blocks, blank
rows; dates as text, real Excel dates, date-only due dates, two-digit years and SA/CH times.

Hand-counted outcomes for 2026-Q3 (1 Jul - 30 Sep 2026):
- carried over 2 (C1, C2: received in June, completed in July on the due day; C1's due date has no time)
- received new 21 = early 6 (E1-E6) + on time 5 (O1-O5, completed 15:00 on a due date written without a time:
  late if that date were read as 00:00) + late 3 (L1-L3) + open in time 2 (PI1-PI2, due in October) + open
  overdue 2 (PO1-PO2) + awaiting supplement 1 (S1, code 5, due in October) + awaiting fee 1 (F1, code 6,
  due in October) + stopped 1 (D1, code 8, completed on its due day: on time);
  withdrawn W1 (code 7) leaves the totals; N1 (code 1) and N3 (code 3) were never received: skipped.
- resolved 17 = early 6 + on time 8 (C1, C2, O1-O5, D1) + late 3; pending 6 = in time 4 (PI1, PI2, S1, F1) +
  overdue 2; awaiting supplement 1.
- channels of the 21 new: online 10, in person 7 (one has no channel: in person), postal 4.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

D = dt.datetime
UNITS = (
    "unit_code,unit_name,unit_kind,parent_code,level\n"
    "UBND,UBND thành phố Tây Ninh,ubnd,,city\n"
    "P01,Phường An Hòa,phuong,UBND,ward\n"
    "P02,Phường Tân Ninh,phuong,UBND,ward\n"
    "X03,Xã Bình Minh,xa,UBND,ward\n"
)
PROCEDURES = (
    "procedure_code,procedure_name,field,statutory_days\n"
    "1.001612,Đăng ký khai sinh,Hộ tịch,3\n"
    "2.000908,Chứng thực bản sao từ bản chính giấy tờ văn bản,Chứng thực,1\n"
    "1.003003,Đăng ký biến động quyền sử dụng đất,Đất đai,10\n"
)
PROC = {
    "KS": ("1.001612", "Đăng ký khai sinh", "Hộ tịch", "HT"),
    "CT": ("2.000908", "Chứng thực bản sao từ bản chính giấy tờ văn bản", "Chứng thực", "CTH"),
    "DD": ("1.003003", "Đăng ký biến động quyền sử dụng đất", "Đất đai", "DD"),
}
UNIT_SPELLINGS = {
    "P01": ["UBND phường An Hòa", "Phường An Hòa", "P. An Hòa", "phuong an hoa"],
    "P02": ["UBND Phường Tân Ninh", "P. Tân Ninh", "Phường Tân Ninh"],
    "X03": ["UBND xã Bình Minh", "Xã Bình Minh", "X. Bình Minh"],
}
STATUS_WORDS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
CHANNEL_WORDS = {1: "Trực tiếp", 2: "Nộp trực tuyến", 3: "Qua bưu chính công ích", None: ""}


@dataclass
class Spec:
    key: str
    unit: str
    proc: str
    channel: int | None
    received: D
    due: D
    completed: D | None
    status: int
    due_date_only: bool = False


def specs() -> list[Spec]:
    out = [
        Spec("C1", "P01", "KS", 1, D(2026, 6, 25, 9), D(2026, 7, 2), D(2026, 7, 2, 15), 10, True),
        Spec("C2", "P02", "CT", 2, D(2026, 6, 29, 14), D(2026, 7, 3, 17), D(2026, 7, 3, 10), 9),
    ]
    units, procs = ["P01", "P02", "X03"], ["KS", "CT", "DD"]
    for i, ch in enumerate([2, 2, 2, 3, 1, 2]):
        r = D(2026, 7, 6 + i, 8, 30)
        due = D(2026, 7, 13 + i, 17)
        out.append(
            Spec(f"E{i + 1}", units[i % 3], procs[i % 3], ch, r, due, due - dt.timedelta(days=1), 10 if i % 2 else 9)
        )
    for i, ch in enumerate([2, 3, 1, 2, None]):
        r = D(2026, 8, 3 + i, 9)
        due = D(2026, 8, 10 + i)
        out.append(Spec(f"O{i + 1}", units[(i + 1) % 3], procs[i % 3], ch, r, due, due.replace(hour=15), 10, True))
    for i, ch in enumerate([1, 2, 3]):
        r = D(2026, 8, 17 + i, 10)
        due = D(2026, 8, 24 + i, 17)
        out.append(Spec(f"L{i + 1}", units[(i + 2) % 3], procs[i % 3], ch, r, due, due + dt.timedelta(days=2), 10))
    out += [
        Spec("PI1", "P01", "DD", 2, D(2026, 9, 20, 8), D(2026, 10, 10), None, 4, True),
        Spec("PI2", "P02", "KS", 1, D(2026, 9, 21, 8), D(2026, 10, 12), None, 2, True),
        Spec("PO1", "X03", "CT", 3, D(2026, 8, 1, 8), D(2026, 8, 15, 17), None, 2),
        Spec("PO2", "P01", "DD", 2, D(2026, 8, 2, 8), D(2026, 8, 16, 17), None, 4),
        Spec("S1", "P02", "DD", 2, D(2026, 9, 1, 8), D(2026, 10, 8, 17), None, 5),
        Spec("F1", "X03", "DD", 1, D(2026, 9, 25, 8), D(2026, 10, 5, 17), None, 6),
        Spec("W1", "P01", "KS", 2, D(2026, 7, 10, 8), D(2026, 7, 15, 17), None, 7),
        Spec("D1", "P02", "CT", 1, D(2026, 7, 12, 8), D(2026, 7, 20, 17), D(2026, 7, 20, 9), 8),
        Spec("N1", "X03", "KS", 2, D(2026, 9, 28, 8), D(2026, 10, 2, 17), None, 1),
        Spec("N3", "P01", "CT", 2, D(2026, 9, 29, 8), D(2026, 10, 1, 17), None, 3),
    ]
    return out


# The form's totals for 2026-Q3 when every row above is loaded (counted by hand, see the docstring).
FULL = {
    "received_total": 23,
    "carried_over": 2,
    "received_new": 21,
    "received_online": 10,
    "received_in_person": 7,
    "received_postal": 4,
    "resolved_total": 17,
    "resolved_early": 6,
    "resolved_on_time": 8,
    "resolved_late": 3,
    "pending_total": 6,
    "pending_in_time": 4,
    "pending_overdue": 2,
    "pending_awaiting_supplement": 1,
}
# Layouts without a status column list only received dossiers that are open or completed (S1, W1, D1, N1, N3 are
# left out): 19 new = 6 + 5 + 3 + 2 + 2 + F1; resolved 16 = 6 + 7 (C1, C2, O1-O5) + 3; pending 5 = 3 + 2.
NO_STATUS = {
    "received_total": 21,
    "carried_over": 2,
    "received_new": 19,
    "received_online": 9,
    "received_in_person": 6,
    "received_postal": 4,
    "resolved_total": 16,
    "resolved_early": 6,
    "resolved_on_time": 7,
    "resolved_late": 3,
    "pending_total": 5,
    "pending_in_time": 3,
    "pending_overdue": 2,
    "pending_awaiting_supplement": 0,
}
NO_STATUS_LEFT_OUT = {"S1", "W1", "D1", "N1", "N3"}


def all_in_person(expected: dict) -> dict:
    """The same totals when the file has no channel: every dossier counts as received in person."""
    return {**expected, "received_online": 0, "received_postal": 0, "received_in_person": expected["received_new"]}


def _text_date(d: D | None, i: int, date_only: bool = False) -> str:
    """Dates written the ways real exports write them, varied by row: full seconds, two-digit years, SA/CH."""
    if d is None:
        return ""
    if date_only:
        return d.strftime("%d/%m/%Y") if i % 2 else d.strftime("%d/%m/%y")
    style = i % 4
    if style == 0:
        return d.strftime("%d/%m/%Y %H:%M:%S")
    if style == 1:
        return d.strftime("%d/%m/%y %H:%M")
    if style == 2:
        h = d.hour % 12 or 12
        return f"{d:%d/%m/%Y} {h}:{d:%M} {'SA' if d.hour < 12 else 'CH'}"
    return d.strftime("%d/%m/%Y %H:%M")


def _xlsx_date(d: D | None, i: int, date_only: bool = False):
    """Half real Excel dates (date cells for date-only values), half text, in one column."""
    if d is None:
        return None
    if i % 2 == 0:
        return d.date() if date_only else d
    return _text_date(d, i, date_only)


def _dossier_id(s: Spec) -> str:
    return f"000.00.15.H57-{s.received:%y%m%d}-{s.key}"


SIGNATURE = [
    ["NGƯỜI LẬP BIỂU", "", "", "THỦ TRƯỞNG ĐƠN VỊ"],
    ["(Ký, ghi rõ họ tên)", "", "", "(Ký tên, đóng dấu)"],
    ["Nguyễn Văn A", "", "", "Trần Thị B"],
]


# the follow-up list's header row (also bench.real_extracts' 200,000-row list)
FOLLOW_UP_HEADER = [
    "STT",
    "Đơn vị tiếp nhận",
    "Tên thủ tục hành chính",
    "Mã hồ sơ",
    "Trạng thái",
    "Địa chỉ",
    "Người nộp",
    "Chủ hồ sơ",
    "Ngày nộp hồ sơ",
    "Ngày nhận",
    "Ngày hẹn trả",
    "Ngày kết thúc xử lý",
]


def follow_up_list(path: Path) -> Path:
    """Layout 1, XLSX: two title rows; unit and procedure by name; status words; no field, channel, update time."""
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỒ SƠ THEO DÕI"])
    ws.append(["Từ ngày 01/06/2026 đến ngày 30/09/2026"])
    ws.append(FOLLOW_UP_HEADER)
    for i, s in enumerate(specs()):
        unit = UNIT_SPELLINGS[s.unit][i % len(UNIT_SPELLINGS[s.unit])]
        ws.append(
            [
                i + 1,
                unit,
                PROC[s.proc][1],
                _dossier_id(s),
                STATUS_WORDS[s.status],
                "Tây Ninh",
                "Lê Văn C",
                "Lê Văn C",
                _xlsx_date(s.received, i + 1),
                _xlsx_date(s.received, i),
                _xlsx_date(s.due, i, s.due_date_only),
                _xlsx_date(s.completed, i + 1),
            ]
        )
        if i == 10:
            ws.append([])  # a blank row inside the table
    ws.append(["Tổng cộng: 26 hồ sơ"])
    ws.append([])
    ws.append(["", "", "", "", "", "", "", "", "Tây Ninh, ngày 01 tháng 10 năm 2026"])
    for r in SIGNATURE:
        ws.append(r)
    wb.save(path)
    return path


FOLLOW_UP_SKIPPED = 2 + 1 + 1 + 1 + 1 + len(SIGNATURE)  # N1, N3, the blank row, total, blank, dated line, signatures


def by_procedure(path: Path) -> Path:
    """Layout 2, XLSX: 4 merged title rows (unit named once), 23 columns, field and procedure group rows with the
    dossier count in the last cell, a total row and the signature block; no status column."""
    cols = [
        "TT",
        "Mã hồ sơ hành chính",
        "Họ tên người nộp",
        "Số CMND/CCCD",
        "Địa chỉ",
        "Số điện thoại",
        "Email",
        "Họ tên người tiếp nhận",
        "Nội dung hồ sơ",
        "Ngày tiếp nhận hồ sơ",
        "Ngày hẹn trả kết quả",
        "Ngày có kết quả",
        "Ngày trả công dân",
        "Cán bộ thụ lý",
        "Phòng ban xử lý",
        "Số ngày trễ",
        "Ghi chú",
        "Kết quả giải quyết",
        "Số ký hiệu văn bản",
        "Người ký",
        "Hình thức nộp hồ sơ",
        "Tổng phí, lệ phí đã nộp",
        "Tổng số hồ sơ",
    ]
    wb = Workbook()
    ws = wb.active
    ws.append(["THỐNG KÊ THEO THỦ TỤC"])
    ws.append(["Từ ngày 01/06/2026 đến ngày 30/09/2026"])
    ws.append(["Đơn vị chủ trì giải quyết: UBND phường An Hòa"])
    ws.append([])
    for r in range(1, 4):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(cols))
    ws.append(cols)
    rows = [s for s in specs() if s.key not in NO_STATUS_LEFT_OUT]
    n = 0
    for field in ("Hộ tịch", "Chứng thực", "Đất đai"):
        ws.append([f"Lĩnh vực: {field}"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(cols) - 1)
        for key, (_code, name, f, _) in PROC.items():
            if f != field:
                continue
            mine = [s for s in rows if s.proc == key]
            ws.append([name] + [None] * (len(cols) - 2) + [len(mine)])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(cols) - 1)
            for s in mine:
                n += 1
                ws.append(
                    [
                        n,
                        _dossier_id(s),
                        "Lê Văn C",
                        "0123",
                        "Tây Ninh",
                        "0909",
                        "",
                        "Cán bộ một cửa",
                        name,
                        _xlsx_date(s.received, n),
                        _xlsx_date(s.due, n, s.due_date_only),
                        _xlsx_date(s.completed, n + 1),
                        _xlsx_date(s.completed, n),
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        CHANNEL_WORDS[s.channel],
                        "0",
                        1,
                    ]
                )
    ws.append(
        [
            "Tổng cộng",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            len(rows),
        ]
    )
    for r in SIGNATURE:
        ws.append(r)
    wb.save(path)
    return path


BY_PROCEDURE_SKIPPED = 3 + 3 + 1 + len(SIGNATURE)  # field rows, procedure rows, total, signature rows


def tracking_book(path: Path) -> Path:
    """Layout 3, CSV (UTF-8 with BOM, `;`): the tracking book (Mẫu 06); the unit in the title block, the
    procedure by name; no status, no channel; dates as text (two-digit years, SA/CH)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["SỔ THEO DÕI HỒ SƠ", "", "", "", "", "", "", "", "", ""])
    w.writerow(["Đơn vị: Xã Bình Minh", "", "", "", "", "", "", "", "", ""])
    w.writerow(["Ngày xuất: 01/10/2026 17:00", "", "", "", "", "", "", "", "", ""])
    w.writerow(
        [
            "STT",
            "Mã hồ sơ",
            "Tên TTHC",
            "Trích yếu",
            "Chủ hồ sơ",
            "Ngày, giờ nhận",
            "Ngày, giờ hẹn trả",
            "Ngày có kết quả",
            "Ngày, giờ trả kết quả",
            "Cán bộ tiếp nhận",
        ]
    )
    w.writerow([f"({i})" for i in range(1, 11)])
    for i, s in enumerate(s for s in specs() if s.key not in NO_STATUS_LEFT_OUT):
        w.writerow(
            [
                i + 1,
                _dossier_id(s),
                PROC[s.proc][1],
                "Hồ sơ của công dân",
                "Lê Văn C",
                _text_date(s.received, i),
                _text_date(s.due, i, s.due_date_only),
                _text_date(s.completed, i + 1),
                _text_date(s.completed, i),
                "Cán bộ một cửa",
            ]
        )
    w.writerow(["Cộng", "", "", "", "", "", "", "", "", ""])
    for r in SIGNATURE:
        w.writerow(r + [""] * 6)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


TRACKING_SKIPPED = 1 + 1 + len(SIGNATURE)  # the column-number row, the total, the signature rows


SYSTEM_NAMES = [
    "MaHoSo",
    "MaDonVi",
    "MaTTHC",
    "MaLinhVuc",
    "KenhThucHien",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "TrangThaiHoSoId",
]


def _system_row(s: Spec) -> list:
    code, _, _, field_code = PROC[s.proc]
    iso = lambda d: d.isoformat(timespec="seconds") if d else ""  # noqa: E731
    due = s.due.strftime("%Y-%m-%d") if s.due_date_only else iso(s.due)
    return [
        _dossier_id(s),
        s.unit,
        code,
        field_code,
        "" if s.channel is None else str(s.channel),
        iso(s.received),
        due,
        iso(s.completed),
        str(s.status),
    ]


def system_pascal(path: Path) -> Path:
    """Layout 4, CSV: the system's own field names, status codes 1-10, channel codes 1-3, ISO dates."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(SYSTEM_NAMES)
    for s in specs():
        w.writerow(_system_row(s))
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def system_camel(path: Path) -> Path:
    """Layout 4, XLSX with camelCase names (maHoSo, ngayTiepNhan…)."""
    wb = Workbook()
    ws = wb.active
    ws.append([n[0].lower() + n[1:] for n in SYSTEM_NAMES])
    for s in specs():
        ws.append(_system_row(s))
    wb.save(path)
    return path


SYSTEM_SKIPPED = 2  # N1 (code 1), N3 (code 3): never received


def two_row_header(path: Path) -> Path:
    """Layout 5, XLSX: national motto and title, a two-row header ("Thời gian" merged over three date columns,
    the other columns merged vertically), unit names, channel and status words, a total row and signatures."""
    wb = Workbook()
    ws = wb.active
    ws.append(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append(["Độc lập - Tự do - Hạnh phúc"])
    ws.append(["DANH SÁCH HỒ SƠ TIẾP NHẬN"])
    top = [
        "STT",
        "Mã hồ sơ",
        "Tên đơn vị",
        "Mã TTHC",
        "Lĩnh vực",
        "Hình thức tiếp nhận",
        "Thời gian",
        None,
        None,
        "Trạng thái",
        "Tình trạng",
    ]
    sub = [None] * 6 + ["Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", None, None]
    ws.append(top)
    ws.append(sub)
    h = ws.max_row - 1
    ws.merge_cells(start_row=h, start_column=7, end_row=h, end_column=9)
    for c in (1, 2, 3, 4, 5, 6, 10, 11):
        ws.merge_cells(start_row=h, start_column=c, end_row=h + 1, end_column=c)
    for i, s in enumerate(specs()):
        code, _, field, _ = PROC[s.proc]
        if s.completed:
            tl = (
                "Quá hạn"
                if s.completed > s.due.replace(hour=23, minute=59)
                else ("Trước hạn" if s.completed.date() < s.due.date() else "Đúng hạn")
            )
        else:
            tl = "Trong hạn" if s.due >= D(2026, 9, 30) or s.status == 5 else "Quá hạn"
        ws.append(
            [
                i + 1,
                _dossier_id(s),
                UNIT_SPELLINGS[s.unit][i % len(UNIT_SPELLINGS[s.unit])],
                code,
                field,
                CHANNEL_WORDS[s.channel],
                _xlsx_date(s.received, i),
                _xlsx_date(s.due, i + 1, s.due_date_only),
                _xlsx_date(s.completed, i),
                STATUS_WORDS[s.status],
                tl if s.status not in (1, 3, 7) else "",
            ]
        )
    ws.append(["Tổng cộng", None, None, None, None, None, None, None, None, None, None])
    ws.append([])
    for r in SIGNATURE:
        ws.append(r)
    wb.save(path)
    return path


TWO_ROW_SKIPPED = 2 + 1 + 1 + len(SIGNATURE)  # N1, N3, total, blank, signatures


def reference_files(tmp: Path) -> list[Path]:
    (tmp / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp / "procedures.csv").write_text(PROCEDURES, encoding="utf-8")
    return [tmp / "units.csv", tmp / "procedures.csv"]
