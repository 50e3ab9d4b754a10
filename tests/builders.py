"""Fixtures built from known counts (the seeds' published figures), written as the messy
files operators really send: Vietnamese headers in any case, cp1258, BOM, XLSX, re-exports."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

D = dt.datetime
UNITS_CSV = (
    "unit_code,unit_name,unit_kind,parent_code,level\n"
    "UBND,UBND huyện Châu Thành,ubnd,,city\n"
    "PTP,Phòng Tư pháp,phong_ban,UBND,city\n"
    "X01,Xã Tân Lý Tây,xa,UBND,ward\n"
    "X02,Xã Bình Đức,xa,UBND,ward\n"
)
HEADERS_VI = ["Mã hồ sơ", "Mã đơn vị", "Mã TTHC", "Tên TTHC", "Lĩnh vực", "Hình thức tiếp nhận", "Ngày tiếp nhận",
              "Ngày hẹn trả", "Ngày có kết quả", "Trạng thái", "Cán bộ xử lý", "Lý do trễ hạn", "Ngày cập nhật"]
KEYS = ["dossier_id", "unit_code", "procedure_code", "procedure_name", "field", "channel", "received_at", "due_at",
        "completed_at", "status", "handler", "late_reason", "updated_at"]


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    return str(v)


def seed003_dossiers() -> list[dict]:
    """Huyện Châu Thành, Q3/2021 (report 479/BC-UBND): 95 carried over + 4,952 new (2,608 online,
    2,344 in person) = 5,047; resolved 5,028 = 2,631 early + 2,162 on time + 235 late; 19 pending,
    all overdue. Spread over four units."""
    units = ["UBND", "PTP", "X01", "X02"]
    rows: list[dict] = []

    def add(i: int, received: D, due: D, completed: D | None, channel: str, reason: str = "") -> None:
        rows.append(dict(
            dossier_id=f"000.00.15.H57-{received:%y%m%d}-{i:05d}", unit_code=units[i % 4],
            procedure_code=["1.001612", "2.000908", "1.003003"][i % 3],
            procedure_name=["Đăng ký khai sinh", "Chứng thực bản sao", "Cấp giấy chứng nhận QSDĐ"][i % 3],
            field=["Hộ tịch", "Chứng thực", "Đất đai"][i % 3], channel=channel,
            received_at=received, due_at=due, completed_at=completed,
            status="da_giai_quyet" if completed else "dang_xu_ly",
            handler=f"Cán bộ {i % 7}", late_reason=reason,
            updated_at=(completed or received) + dt.timedelta(hours=2)))

    i = 0
    # outcomes for the 5,028 resolved: early, on time, late
    outcomes = ["early"] * 2631 + ["on_time"] * 2162 + ["late"] * 235
    # 95 carried over (received in June, all resolved in the quarter)
    for k in range(95):
        received = D(2021, 6, 20, 8, 0) + dt.timedelta(hours=k)
        due = D(2021, 7, 5, 16, 30)
        add(i, received, due, _complete(due, outcomes[i]), "truc_tiep", "Chờ bổ sung" if outcomes[i] == "late" else "")
        i += 1
    # 4,952 new: the first 2,608 online, the rest in person; the last 19 stay pending (overdue)
    for k in range(4952):
        received = D(2021, 7, 1, 8, 0) + dt.timedelta(minutes=20 * k)  # spreads over Jul–Aug
        due = (received + dt.timedelta(days=5)).replace(hour=16, minute=30)
        channel = "truc_tuyen" if k < 2608 else "truc_tiep"
        if k >= 4952 - 19:
            add(i, received, due, None, channel)
        else:
            add(i, received, due, _complete(due, outcomes[i]), channel,
                "Lỗi phần mềm" if outcomes[i] == "late" else "")
        i += 1
    assert i == 5047
    return rows


def _complete(due: D, outcome: str) -> D:
    if outcome == "early":
        return due - dt.timedelta(days=1)
    if outcome == "on_time":
        return due.replace(hour=9, minute=0)
    return due + dt.timedelta(days=2)


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters (â, ê, ô, ơ, ư, ă, đ) precomposed, tone marks
    as combining characters after them (the form cp1258 files really contain)."""
    import unicodedata

    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        tones = "".join(c for c in parts if c in _TONES)
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def write_csv(path: Path, rows: list[dict], headers: list[str] = HEADERS_VI, encoding: str = "utf-8",
              bom: bool = False, title_rows: int = 0, delimiter: str = ",") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for t in range(title_rows):
        w.writerow(["BÁO CÁO TRÍCH XUẤT HỒ SƠ MỘT CỬA" if t == 0 else ""])
    w.writerow(headers)
    for r in rows:
        w.writerow([_fmt(r.get(k)) for k in KEYS])
    data = to_cp1258(buf.getvalue()) if encoding == "cp1258" else buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, rows: list[dict], headers: list[str] = HEADERS_VI, title_rows: int = 2,
               real_dates: bool = True) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ho so"
    for t in range(title_rows):
        ws.append(["Trích xuất từ phần mềm một cửa"] if t == 0 else [])
    ws.append(headers)
    for r in rows:
        ws.append([(r.get(k) if real_dates and isinstance(r.get(k), dt.datetime) else _fmt(r.get(k)))
                   for k in KEYS])
    wb.save(path)
    return path


def seed003_files(tmp: Path) -> list[Path]:
    """The 5,047 dossiers split over three files in different encodings and layouts, with
    overlaps: an older re-export of 500 dossiers (pending then) must not undo their result."""
    rows = seed003_dossiers()
    units = tmp / "don_vi.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    a = write_csv(tmp / "hoso_thang7_cp1258.csv", rows[:2000],
                  headers=[h.upper() for h in HEADERS_VI], encoding="cp1258", title_rows=1)
    b = write_xlsx(tmp / "hoso_thang8.xlsx", rows[2000:])
    # an older export of 500 dossiers, when they were still being handled
    old = [dict(r, completed_at=None, status="dang_xu_ly", updated_at=r["received_at"]) for r in rows[1500:2000]]
    c = write_csv(tmp / "hoso_cu.csv", old, headers=["ma ho so", "ma don vi", "ma tthc", "ten tthc", "linh vuc",
                                                       "hinh thuc tiep nhan", "ngay tiep nhan", "ngay hen tra",
                                                       "ngay co ket qua", "trang thai", "can bo xu ly",
                                                       "ly do tre han", "ngay cap nhat"], bom=True, delimiter=";")
    return [units, a, b, c]


SEED003_TOTAL = {
    "received_total": 5047, "carried_over": 95, "received_new": 4952, "received_online": 2608,
    "received_in_person": 2344, "received_postal": 0, "resolved_total": 5028, "resolved_early": 2631,
    "resolved_on_time": 2162, "resolved_late": 235, "pending_total": 19, "pending_in_time": 0, "pending_overdue": 19,
}


def seed000_files(tmp: Path) -> list[Path]:
    """TP Tây Ninh Q1/2024: city one-stop 1,245 resolved (1,242 on time or early, 3 late);
    wards 5,032 resolved (5,023 on time or early, 9 late)."""
    units = tmp / "units.csv"
    units.write_text(
        "Mã đơn vị,Tên đơn vị,Loại đơn vị,Đơn vị cấp trên,Cấp\n"
        "TP,Bộ phận một cửa thành phố,ubnd,,city\n"
        "P1,Phường 1,phuong,TP,ward\nP2,Phường 2,phuong,TP,ward\nBM,Xã Bình Minh,xa,TP,ward\n", encoding="utf-8")
    rows = []

    def block(unit_codes: list[str], n: int, late: int, prefix: str) -> None:
        for k in range(n):
            received = D(2024, 1, 2, 8, 0) + dt.timedelta(minutes=25 * k)
            due = (received + dt.timedelta(days=3)).replace(hour=16, minute=30)
            completed = due + dt.timedelta(days=1) if k < late else due - dt.timedelta(hours=30)
            rows.append(dict(dossier_id=f"{prefix}-{k:05d}", unit_code=unit_codes[k % len(unit_codes)],
                             procedure_code="1.001612", procedure_name="Đăng ký khai sinh", field="Hộ tịch",
                             channel="truc_tuyen" if k % 3 else "truc_tiep", received_at=received, due_at=due,
                             completed_at=completed, status="da_giai_quyet", handler="A",
                             late_reason="Chờ xác minh" if k < late else "", updated_at=completed))

    block(["TP"], 1245, 3, "TP")
    block(["P1", "P2", "BM"], 5032, 9, "PX")
    return [units, write_csv(tmp / "q1.csv", rows)]
