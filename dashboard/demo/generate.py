"""A deterministic, realistic demo city (modelled on TP Tây Ninh): units, holidays, targets,
three years of dossiers, surveys, PAR INDEX and the reform plan.

Same arguments ⇒ the same rows. Dossiers are generated in chunks (each with its own seed
derived from the base seed), vectorised with numpy, so 1 M and 10 M rows build in minutes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pandas as pd

# ----------------------------------------------------------------------------- units
# code, name, kind, level, weight of ward-level work, on-time quality (share late per 1,000), online affinity
UNITS = [
    ("UBND", "UBND Thành phố Tây Ninh", "ubnd", "city"),
    ("PTP", "Phòng Tư pháp", "phong_ban", "city"),
    ("PTNMT", "Phòng Tài nguyên và Môi trường", "phong_ban", "city"),
    ("PQLDT", "Phòng Quản lý đô thị", "phong_ban", "city"),
    ("PTCKH", "Phòng Tài chính - Kế hoạch", "phong_ban", "city"),
    ("PLDTBXH", "Phòng Lao động - Thương binh và Xã hội", "phong_ban", "city"),
    ("W01", "Phường 1", "phuong", "ward"),
    ("W02", "Phường 2", "phuong", "ward"),
    ("W03", "Phường 3", "phuong", "ward"),
    ("W04", "Phường IV", "phuong", "ward"),
    ("W05", "Phường Hiệp Ninh", "phuong", "ward"),
    ("W06", "Phường Ninh Sơn", "phuong", "ward"),
    ("W07", "Phường Ninh Thạnh", "phuong", "ward"),
    ("W08", "Xã Bình Minh", "xa", "ward"),
    ("W09", "Xã Tân Bình", "xa", "ward"),
    ("W10", "Xã Thạnh Tân", "xa", "ward"),
]
WARDS = [u[0] for u in UNITS if u[3] == "ward"]
WARD_WEIGHTS = np.array([1.3, 1.1, 1.2, 1.0, 1.4, 1.2, 1.1, 0.8, 0.7, 0.6])
# late dossiers per 1,000 resolved (before the yearly improvement); three units clearly worse
LATE_PER_1000 = {"UBND": 4, "PTP": 5, "PTNMT": 30, "PQLDT": 14, "PTCKH": 6, "PLDTBXH": 5,
                 "W01": 4, "W02": 5, "W03": 38, "W04": 6, "W05": 5, "W06": 7, "W07": 5, "W08": 45, "W09": 8, "W10": 30}
WEAK = {"W03", "W08", "W10", "PTNMT"}


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    days: int  # statutory working days
    level: str  # service level
    handler: str  # a city office code, or "ward"
    share: float  # share of all dossiers


PROCEDURES = [
    Procedure("2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", 0, "mot_phan", "ward", 0.20),
    Procedure("2.000815", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", 1, "mot_phan", "ward", 0.08),
    Procedure("1.001193", "Đăng ký khai sinh", "Hộ tịch", 1, "toan_trinh", "ward", 0.12),
    Procedure("1.004837", "Đăng ký kết hôn", "Hộ tịch", 3, "mot_phan", "ward", 0.04),
    Procedure("1.001022", "Đăng ký khai tử", "Hộ tịch", 1, "toan_trinh", "ward", 0.03),
    Procedure("1.004873", "Cấp giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3, "toan_trinh", "ward", 0.06),
    Procedure("1.001766", "Đăng ký thường trú", "Hộ tịch", 7, "toan_trinh", "ward", 0.03),
    Procedure("1.005462", "Giải quyết trợ cấp xã hội hằng tháng", "Lao động - Thương binh và Xã hội", 15, "mot_phan", "ward", 0.03),
    Procedure("1.001612", "Đăng ký hộ kinh doanh", "Đăng ký kinh doanh", 3, "toan_trinh", "PTCKH", 0.06),
    Procedure("2.000575", "Thay đổi nội dung đăng ký hộ kinh doanh", "Đăng ký kinh doanh", 3, "toan_trinh", "PTCKH", 0.03),
    Procedure("1.003003", "Đăng ký biến động quyền sử dụng đất", "Đất đai", 10, "mot_phan", "PTNMT", 0.06),
    Procedure("1.004227", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", 30, "mot_phan", "PTNMT", 0.03),
    Procedure("1.000798", "Chuyển mục đích sử dụng đất", "Đất đai", 15, "mot_phan", "PTNMT", 0.02),
    Procedure("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", 15, "toan_trinh", "PQLDT", 0.04),
    Procedure("1.009995", "Cấp giấy phép sửa chữa, cải tạo công trình", "Xây dựng", 15, "mot_phan", "PQLDT", 0.01),
    Procedure("2.000635", "Cấp bản sao trích lục hộ tịch", "Tư pháp", 1, "toan_trinh", "PTP", 0.04),
    Procedure("1.001699", "Chứng thực hợp đồng, giao dịch liên quan đến bất động sản", "Tư pháp", 2, "mot_phan", "PTP", 0.02),
    Procedure("1.001758", "Xác nhận đối tượng người có công", "Lao động - Thương binh và Xã hội", 12, "mot_phan", "PLDTBXH", 0.02),
    Procedure("1.010801", "Cấp phép tổ chức lễ hội, sự kiện", "Văn hóa - Thông tin", 7, "mot_phan", "UBND", 0.01),
    Procedure("1.001639", "Giải quyết khiếu nại lần đầu", "Tiếp công dân, khiếu nại", 30, "thong_tin", "UBND", 0.01),
]
LATE_REASONS = np.array(["Chờ bổ sung hồ sơ của công dân", "Lỗi phần mềm một cửa", "Phải xác minh thực địa",
                         "Chờ ý kiến cơ quan phối hợp", "Cán bộ xử lý nghỉ phép", "Hồ sơ phức tạp, cần thẩm định thêm"])
LATE_REASON_P = np.array([0.32, 0.16, 0.18, 0.18, 0.06, 0.10])
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Dương"]
MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Thu", "Hoàng", "Kim"]
GIVEN = ["Lan", "Hùng", "Dũng", "Hương", "Tuấn", "Mai", "Phúc", "Thảo", "Sơn", "Vy", "Khoa", "Nhung", "Bình", "Trang",
         "Long", "Hạnh", "Tâm", "Hòa", "Nam", "Yến"]

# Tết Nguyên đán days off (official schedules), Giỗ Tổ Hùng Vương, and the fixed holidays
TET = {2023: ("2023-01-20", "2023-01-26"), 2024: ("2024-02-08", "2024-02-14"), 2025: ("2025-01-25", "2025-02-02"),
       2026: ("2026-02-14", "2026-02-22"), 2027: ("2027-02-05", "2027-02-10"), 2028: ("2028-01-25", "2028-01-30")}
HUNG_KINGS = {2023: "2023-04-29", 2024: "2024-04-18", 2025: "2025-04-07", 2026: "2026-04-26", 2027: "2027-04-16",
              2028: "2028-04-04"}
PEERS = [("TPTN", "Thành phố Tây Ninh"), ("TXHT", "Thị xã Hòa Thành"), ("TXTB", "Thị xã Trảng Bàng"),
         ("HTB", "Huyện Tân Biên"), ("HTC", "Huyện Tân Châu"), ("HDMC", "Huyện Dương Minh Châu"),
         ("HCT", "Huyện Châu Thành"), ("HBC", "Huyện Bến Cầu"), ("HGD", "Huyện Gò Dầu")]
CITY_PAR_RANKS = [4, 3, 2, 2, 3]  # oldest → newest published year
PLAN_AREA_TASKS = {1: 6, 2: 5, 3: 9, 4: 5, 5: 6, 6: 4, 7: 9}  # 44 tasks
PLAN_TITLES = {
    1: ["Ban hành kế hoạch CCHC năm", "Tuyên truyền CCHC trên cổng thông tin", "Kiểm tra công tác CCHC tại đơn vị",
        "Báo cáo kết quả CCHC định kỳ", "Tổ chức hội nghị sơ kết CCHC", "Khảo sát mức độ hài lòng"],
    2: ["Rà soát văn bản quy phạm pháp luật", "Kiểm tra văn bản sau ban hành", "Theo dõi thi hành pháp luật",
        "Hệ thống hóa văn bản", "Lấy ý kiến dự thảo văn bản"],
    3: ["Rà soát, đơn giản hóa TTHC", "Công khai TTHC tại bộ phận một cửa", "Số hóa hồ sơ, kết quả giải quyết TTHC",
        "Cung cấp dịch vụ công trực tuyến toàn trình", "Thanh toán trực tuyến phí, lệ phí",
        "Xin lỗi người dân khi trễ hạn", "Đánh giá chất lượng giải quyết TTHC", "Tiếp nhận hồ sơ qua bưu chính công ích",
        "Kiểm soát TTHC tại cấp xã"],
    4: ["Rà soát chức năng nhiệm vụ phòng ban", "Sắp xếp đơn vị sự nghiệp", "Tinh giản biên chế theo lộ trình",
        "Sắp xếp khu phố, ấp", "Kiện toàn bộ phận một cửa"],
    5: ["Xây dựng vị trí việc làm", "Đánh giá, xếp loại công chức", "Bồi dưỡng kỹ năng cho công chức một cửa",
        "Kiểm tra kỷ luật, kỷ cương hành chính", "Tuyển dụng công chức cấp xã", "Thực hiện văn hóa công sở"],
    6: ["Giao quyền tự chủ tài chính", "Công khai ngân sách", "Thực hành tiết kiệm, chống lãng phí",
        "Quản lý tài sản công"],
    7: ["Vận hành hệ thống quản lý văn bản điện tử", "Sử dụng chữ ký số", "Kết nối phần mềm một cửa với cổng quốc gia",
        "Tổ công nghệ số cộng đồng", "Bảo đảm an toàn thông tin", "Họp trực tuyến", "Cập nhật cơ sở dữ liệu dân cư",
        "Triển khai ứng dụng VNeID", "Nâng cấp trang thông tin điện tử"],
}
TARGETS = [("par_index_rank", "top", 3.0), ("satisfaction_rate", ">", 0.95), ("on_time_rate", ">=", 0.99),
           ("online_rate", ">", 0.80), ("online_payment_rate", ">", 0.80), ("e_result_rate", ">", 0.80),
           ("digitization_rate", ">", 0.90), ("plan_completion_rate", ">=", 1.0)]
DOSSIERS_PER_QUARTER = 7000


# ----------------------------------------------------------------------------- small tables
def units() -> pd.DataFrame:
    return pd.DataFrame([(c, n, k, "" if c == "UBND" else "UBND", lv) for c, n, k, lv in UNITS],
                        columns=["unit_code", "unit_name", "unit_kind", "parent_code", "level"])


def holidays(first_year: int, last_year: int) -> pd.DataFrame:
    rows = []
    for y in range(first_year, last_year + 1):
        rows.append((dt.date(y, 1, 1), "Tết Dương lịch"))
        if y in TET:
            a, b = (dt.date.fromisoformat(x) for x in TET[y])
            rows += [(a + dt.timedelta(days=i), "Tết Nguyên đán") for i in range((b - a).days + 1)]
        if y in HUNG_KINGS:
            rows.append((dt.date.fromisoformat(HUNG_KINGS[y]), "Giỗ Tổ Hùng Vương"))
        rows += [(dt.date(y, 4, 30), "Ngày Giải phóng miền Nam"), (dt.date(y, 5, 1), "Ngày Quốc tế Lao động"),
                 (dt.date(y, 9, 2), "Quốc khánh"), (dt.date(y, 9, 1) if y % 2 else dt.date(y, 9, 3), "Quốc khánh (nghỉ liền kề)")]
    df = pd.DataFrame(rows, columns=["date", "name"]).drop_duplicates("date").sort_values("date")
    return df.reset_index(drop=True)


def targets(first_year: int, last_year: int) -> pd.DataFrame:
    rows = [(y, k, c, v, "all", f"KH CCHC {y} (TP Tây Ninh)") for y in range(first_year, last_year + 1) for k, c, v in TARGETS]
    return pd.DataFrame(rows, columns=["year", "kpi", "comparator", "value", "scope", "source"])


def par_index(last_year: int, rng: np.random.Generator) -> pd.DataFrame:
    years = list(range(last_year - len(CITY_PAR_RANKS) + 1, last_year + 1))
    rows = []
    for y, city_rank in zip(years, CITY_PAR_RANKS):
        scores = np.sort(rng.uniform(76, 91, len(PEERS)))[::-1] + (y - years[0]) * 0.6
        others = [p for p in PEERS if p[0] != "TPTN"]
        order = rng.permutation(len(others))
        ranked = [others[i] for i in order]
        ranked.insert(city_rank - 1, PEERS[0])
        rows += [(y, code, name, round(float(s), 2), r + 1) for r, ((code, name), s) in enumerate(zip(ranked, scores))]
    return pd.DataFrame(rows, columns=["year", "peer_code", "peer_name", "score", "rank"])


def plan_tasks(first_year: int, as_of: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    owners = [u[0] for u in UNITS if u[3] == "city"] + ["W01", "W05"]
    rows = []
    for y in range(first_year, as_of.year + 1):
        n = 0
        for area, count in PLAN_AREA_TASKS.items():
            for i in range(count):
                n += 1
                due = dt.date(y, 3 * (i % 4) + 3, 28 if (i % 4) == 0 else 30) if i % 3 else dt.date(y, 12, 15)
                r = rng.random()
                if r < 0.88:
                    done = due - dt.timedelta(days=int(rng.integers(0, 25)))
                elif r < 0.95:
                    done = due + dt.timedelta(days=int(rng.integers(3, 40)))
                else:
                    done = None
                if done is not None and done > as_of:
                    done = None
                rows.append((y, area, f"{y}-{area}.{i + 1:02d}", f"{PLAN_TITLES[area][i % len(PLAN_TITLES[area])]} {y}",
                             owners[(n * 7) % len(owners)], due, done))
    return pd.DataFrame(rows, columns=["year", "area", "task_id", "title", "owner_unit", "due_date", "done_date"])


# ----------------------------------------------------------------------------- dossiers
def _span(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(as_of.year - 2, 1, 1), as_of


def default_count(as_of: dt.date) -> int:
    start, end = _span(as_of)
    return int(round(((end - start).days + 1) / 91.3 * DOSSIERS_PER_QUARTER))


def _day_weights(days: np.ndarray, hol: np.ndarray, first: dt.date) -> np.ndarray:
    d = pd.DatetimeIndex(days)
    w = np.where(d.day_of_week < 5, 1.0, 0.0)
    w *= np.select([d.day_of_week == 0, d.day_of_week == 4], [1.2, 0.9], 1.0)
    w[np.isin(days, hol)] = 0.0
    w *= np.where(d.quarter == 3, 1.1, 1.0)
    w *= 1 + 0.06 * (d.year - first.year)  # slow growth
    for y, (a, _) in TET.items():  # the rush before Tết
        t = np.datetime64(a)
        w *= np.where((days >= t - np.timedelta64(21, "D")) & (days < t), 1.35, 1.0)
    return w / w.sum()


def _busday(dates: np.ndarray, offsets: np.ndarray, hol: np.ndarray) -> np.ndarray:
    return np.busday_offset(dates.astype("datetime64[D]"), offsets, roll="forward", holidays=hol)


def iter_chunks(n_dossiers: int | None, as_of: dt.date, seed: int,
                chunk_size: int = 1_000_000) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """(dossiers, surveys) chunk by chunk, in received order."""
    start, end = _span(as_of)
    n = n_dossiers or default_count(as_of)
    hol = holidays(start.year - 1, end.year + 2)["date"].to_numpy().astype("datetime64[D]")
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    # how many dossiers each day receives (deterministic from the base seed)
    root = np.random.default_rng(seed)
    per_day = root.multinomial(n, _day_weights(days, hol, start))
    day_of_row = np.repeat(days, per_day)
    for ci, lo in enumerate(range(0, n, chunk_size)):
        rng = np.random.default_rng([seed, ci])
        yield _chunk(day_of_row[lo:lo + chunk_size], lo, rng, hol, start, end, as_of)


def _chunk(day: np.ndarray, first_index: int, rng: np.random.Generator, hol: np.ndarray, start: dt.date,
           end: dt.date, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    m = len(day)
    span = max(1, (end - start).days)
    t = (day - np.datetime64(start)).astype(int) / span  # 0 → 1 over the three years
    shares = np.array([p.share for p in PROCEDURES])
    proc = rng.choice(len(PROCEDURES), size=m, p=shares / shares.sum())
    proc_days = np.array([p.days for p in PROCEDURES])[proc]
    handler_unit = np.array([p.handler for p in PROCEDURES], dtype=object)[proc]
    ward = np.array(WARDS, dtype=object)[rng.choice(len(WARDS), size=m, p=WARD_WEIGHTS / WARD_WEIGHTS.sum())]
    unit = np.where(handler_unit == "ward", ward, handler_unit)
    weak = np.isin(unit, list(WEAK))
    # received during office hours
    minutes = rng.integers(7 * 60 + 30, 16 * 60 + 30, size=m)
    received = day.astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    # the due date in force: statutory working days (plus a lawful pause for some)
    pause = np.where(rng.random(m) < 0.03, rng.integers(3, 11, size=m), 0)
    # same-day procedures received after 15:00 are due the next working day
    proc_days = np.where((proc_days == 0) & (minutes > 15 * 60), 1, proc_days)
    due_day = _busday(day, proc_days + pause, hol)
    due = due_day.astype("datetime64[m]") + np.timedelta64(16 * 60 + 30, "m")
    # outcome: late with a unit-specific probability that improves over the years
    base = np.array([LATE_PER_1000[u] for u in unit]) / 1000.0
    p_late = base * (1.25 - 0.5 * t)
    late = rng.random(m) < p_late
    early = ~late & (rng.random(m) < np.where(proc_days > 1, 0.6, 0.35))
    early_days = np.floor(rng.random(m) * np.maximum(proc_days + pause, 1)).astype(int)
    done_day = np.where(early & (proc_days + pause > 0), _busday(day, early_days, hol), due_day)
    done_day = np.where(done_day < day, day, done_day)
    late_days = np.minimum(rng.geometric(0.35, size=m), 20)
    done_day = np.where(late, _busday(due_day, late_days, hol), done_day)
    done_min = np.where(late, rng.integers(8 * 60, 17 * 60, size=m), rng.integers(7 * 60 + 45, 16 * 60 + 25, size=m))
    completed = done_day.astype("datetime64[m]") + done_min.astype("timedelta64[m]")
    completed = np.where(~late & (completed > due), due - np.timedelta64(5, "m"), completed)
    completed = np.maximum(completed, received + np.timedelta64(20, "m"))
    # a dossier completed after the as-of moment is still open
    as_of_end = np.datetime64(as_of) + np.timedelta64(17 * 60, "m")
    # and a few recent ones are stuck past their due date (what the chairman asks about)
    stuck = (due < as_of_end) & (day >= np.datetime64(as_of) - np.timedelta64(40, "D")) & \
        (rng.random(m) < np.where(weak, 0.02, 0.004))
    open_ = (completed > as_of_end) | stuck
    late = late | stuck
    withdrawn = rng.random(m) < 0.005
    returned = ~open_ & ~withdrawn & (rng.random(m) < 0.01)
    status = np.where(withdrawn, "rut", np.where(open_, np.where(rng.random(m) < 0.06, "tam_dung", "dang_xu_ly"),
                                                   np.where(returned, "tra_lai", "da_giai_quyet")))
    completed_out = np.where(open_ | withdrawn, np.datetime64("NaT"), completed)
    returned_at = np.where(np.isnat(completed_out), np.datetime64("NaT"),
                           completed_out + rng.integers(0, 3 * 24 * 60, size=m).astype("timedelta64[m]"))
    returned_at = np.where(returned_at > as_of_end, np.datetime64("NaT"), returned_at)
    # channels and digital service, improving over time; weak units lag behind
    p_online = np.clip(0.38 + 0.50 * t - 0.10 * weak, 0.05, 0.97)
    r = rng.random(m)
    channel = np.where(r < p_online, "truc_tuyen", np.where(r < p_online + 0.04, "buu_chinh", "truc_tiep"))
    has_fee = rng.random(m) < 0.45
    paid_online = has_fee & (rng.random(m) < np.clip(0.45 + 0.42 * t + 0.1 * (channel == "truc_tuyen") - 0.08 * weak, 0, 0.98))
    e_result = rng.random(m) < np.clip(0.68 + 0.28 * t - 0.06 * weak, 0, 0.99)
    digitized = rng.random(m) < np.clip(0.58 + 0.37 * t - 0.07 * weak, 0, 0.99)
    postal_return = rng.random(m) < 0.08
    # handlers: a small stable staff per unit; in weak units the late dossiers pile up with one of them
    staff = rng.integers(0, 6, size=m)
    staff = np.where(late & weak & (rng.random(m) < 0.55), 0, staff)
    handler = np.array([_staff_name(u, s) for u, s in zip(unit, staff)], dtype=object)
    is_late_now = late | (np.isnat(completed_out) & (due < as_of_end) & ~withdrawn)
    reason = np.where(is_late_now, LATE_REASONS[rng.choice(len(LATE_REASONS), size=m, p=LATE_REASON_P)], "")
    idx = np.arange(first_index, first_index + m)
    yymmdd = pd.DatetimeIndex(day).strftime("%y%m%d").to_numpy()
    dossier_id = [f"H57.{u}-{d}-{i:07d}" for u, d, i in zip(unit, yymmdd, idx)]
    names = [_masked_name(i) for i in idx]
    updated = np.where(np.isnat(completed_out), received + np.timedelta64(90, "m"), completed_out + np.timedelta64(30, "m"))
    updated = np.minimum(updated, as_of_end)
    dossiers = pd.DataFrame({
        "dossier_id": dossier_id, "unit_code": unit.astype(str),
        "procedure_code": np.array([p.code for p in PROCEDURES])[proc],
        "procedure_name": np.array([p.name for p in PROCEDURES])[proc],
        "field": np.array([p.field for p in PROCEDURES])[proc],
        "service_level": np.array([p.level for p in PROCEDURES])[proc],
        "channel": channel, "received_at": received.astype("datetime64[us]"), "due_at": due.astype("datetime64[us]"),
        "completed_at": completed_out.astype("datetime64[us]"), "returned_at": returned_at.astype("datetime64[us]"),
        "status": status, "has_fee": has_fee, "paid_online": paid_online, "e_result": e_result & ~np.isnat(completed_out),
        "digitized": digitized, "postal_return": postal_return, "handler": handler.astype(str),
        "late_reason": reason, "applicant_name": names, "updated_at": updated.astype("datetime64[us]"),
    })
    # about 15% of resolved dossiers get a satisfaction rating
    rated = ~np.isnat(completed_out) & (rng.random(m) < 0.15)
    k = int(rated.sum())
    p_sat = np.where(weak[rated], 0.91, 0.965)
    u = rng.random(k)
    very = rng.random(k) < 0.55
    rating = np.where(u < p_sat, np.where(very, "rat_hai_long", "hai_long"),
                      np.where(u < p_sat + (1 - p_sat) * 0.6, "binh_thuong", "khong_hai_long"))
    answered = completed_out[rated] + rng.integers(10, 2 * 24 * 60, size=k).astype("timedelta64[m]")
    surveys = pd.DataFrame({
        "response_id": [f"DG-{i:08d}" for i in idx[rated]], "unit_code": unit[rated].astype(str),
        "answered_at": np.minimum(answered, as_of_end).astype("datetime64[us]"),
        "dossier_id": np.array(dossier_id, dtype=object)[rated], "rating": rating,
    })
    return dossiers, surveys


def _staff_name(unit: str, s: int) -> str:
    h = sum(ord(c) for c in unit) * 7 + s * 13
    return f"{SURNAMES[h % len(SURNAMES)]} {MIDDLE[(h // 3) % len(MIDDLE)]} {GIVEN[(h // 5 + s) % len(GIVEN)]}"


def _masked_name(i: int) -> str:
    if i % 9 == 0:
        return "Công ty TNHH ***"
    return f"{SURNAMES[i % len(SURNAMES)]} {MIDDLE[(i // 7) % len(MIDDLE)][0]}*** {GIVEN[(i // 11) % len(GIVEN)][0]}**"


def reference_tables(as_of: dt.date, seed: int) -> dict[str, pd.DataFrame]:
    """Everything but dossiers and surveys."""
    rng = np.random.default_rng([seed, 999_999])
    start, _ = _span(as_of)
    return {
        "units": units(),
        "holidays": holidays(start.year - 1, as_of.year + 2),
        "targets": targets(start.year - 1, as_of.year),
        "par_index": par_index(as_of.year - 1, rng),
        "plan_tasks": plan_tasks(start.year, as_of, rng),
    }


def generate(n_dossiers: int | None = None, as_of: dt.date | None = None, seed: int = 20240101) -> dict[str, pd.DataFrame]:
    """All tables in memory (for tests and small sizes; use iter_chunks for millions)."""
    as_of = as_of or dt.date.today()
    out = reference_tables(as_of, seed)
    parts = list(iter_chunks(n_dossiers, as_of, seed))
    out["dossiers"] = pd.concat([d for d, _ in parts], ignore_index=True)
    out["surveys"] = pd.concat([s for _, s in parts], ignore_index=True)
    return out
