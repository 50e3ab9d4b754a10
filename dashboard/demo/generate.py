"""A deterministic, realistic demo city: a ``CityModel`` (its units and how each behaves, who handles the
procedures, its PAR INDEX peers, the plan's owners, the reorganisation it lived through) simulated.
``city_model("legacy")`` is the pre-2025 district town modelled on TP Tây Ninh (16 units, the constants below);
any other name a province or centrally-run city of today (``cities.py``, default Huế).

Tables: units, targets, surveys, PAR INDEX, reform-plan tasks, holidays and about three years
of dossiers (1 January of ``as_of.year - 2`` up to and including ``as_of``), with the columns of
``shared/data-contract.md``; unit_changes for a reorganised city.

Determinism: every random draw comes from a ``numpy`` Generator seeded from ``seed`` and a
stream key. Dossiers are drawn day by day (each received day has its own generator), so a day's
rows are identical whatever chunk they fall in: ``iter_dossier_chunks`` concatenates to the same
frame for any ``chunk_size``. Nothing depends on the wall clock, dict ordering or thread count.

Speed: dossiers are generated vectorised (numpy + pyarrow), a few seconds per million rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_AS_OF = dt.date(2026, 11, 20)
DEFAULT_SEED = 20240101
DOSSIERS_PER_QUARTER = 7_000  # default volume: TP Tây Ninh received ≈ 6,300 in Q1/2024 (seed 000)


# ============================================================================ units
@dataclass(frozen=True)
class Unit:
    """A unit of the demo city and how it behaves."""

    code: str
    name: str
    kind: str  # phong_ban | phuong | xa | ubnd
    agency_code: str  # the one-stop software's agency code, the prefix of its dossier ids
    staff: int  # handlers at its one-stop desk (3–8)
    late_rate: float  # share of dossiers resolved late in the first year (it improves over time)
    satisfaction: float  # share of survey answers "very satisfied" or "satisfied"
    ward_volume: float = 0.0  # relative share of the ward-level procedures (wards only)
    valid_from: dt.date | None = None  # a unit formed by the 2025 reorganisation: from 1 July 2025
    valid_to: dt.date | None = None  # a pre-merger ward: until 30 June 2025

    @property
    def level(self) -> str:
        return "ward" if self.kind in ("phuong", "xa", "dac_khu") else "city"

    @property
    def lagging(self) -> bool:
        """Clearly worse on time, and behind on digital services and satisfaction."""
        return self.late_rate >= 0.02


UNITS: tuple[Unit, ...] = (
    Unit("UBND", "Ủy ban nhân dân thành phố Tây Ninh", "ubnd", "000.00.15.H57", 4, 0.0020, 0.965),
    Unit("PTP", "Phòng Tư pháp", "phong_ban", "000.01.15.H57", 3, 0.0015, 0.970),
    Unit("PTNMT", "Phòng Tài nguyên và Môi trường", "phong_ban", "000.02.15.H57", 8, 0.0300, 0.930),
    Unit("PQLDT", "Phòng Quản lý đô thị", "phong_ban", "000.03.15.H57", 5, 0.0040, 0.955),
    Unit("PTCKH", "Phòng Tài chính - Kế hoạch", "phong_ban", "000.04.15.H57", 4, 0.0015, 0.970),
    Unit("PLDTBXH", "Phòng Lao động - Thương binh và Xã hội", "phong_ban", "000.05.15.H57", 3, 0.0020, 0.965),
    Unit("W01", "Phường 1", "phuong", "000.21.15.H57", 6, 0.0012, 0.970, 1.3),
    Unit("W02", "Phường 2", "phuong", "000.22.15.H57", 5, 0.0020, 0.970, 1.1),
    Unit("W03", "Phường 3", "phuong", "000.23.15.H57", 6, 0.0320, 0.915, 1.2),
    Unit("W04", "Phường IV", "phuong", "000.24.15.H57", 5, 0.0025, 0.965, 1.0),
    Unit("W05", "Phường Hiệp Ninh", "phuong", "000.25.15.H57", 7, 0.0012, 0.975, 1.4),
    Unit("W06", "Phường Ninh Sơn", "phuong", "000.26.15.H57", 6, 0.0030, 0.965, 1.2),
    Unit("W07", "Phường Ninh Thạnh", "phuong", "000.27.15.H57", 5, 0.0020, 0.970, 1.1),
    Unit("W08", "Xã Bình Minh", "xa", "000.28.15.H57", 4, 0.0360, 0.905, 0.8),
    Unit("W09", "Xã Tân Bình", "xa", "000.29.15.H57", 3, 0.0040, 0.960, 0.7),
    Unit("W10", "Xã Thạnh Tân", "xa", "000.30.15.H57", 3, 0.0250, 0.925, 0.6),
)
CITY_CODE = "UBND"


# ============================================================================ procedures
WARD = "ward"  # Procedure.handled_by for procedures every ward (phường/xã) handles


@dataclass(frozen=True)
class Procedure:
    """An administrative procedure (TTHC) as the one-stop software records it."""

    code: str  # national procedure code
    name: str
    field: str  # lĩnh vực
    days: int  # statutory working days; 0 = within the day (next working day when received after 15:00)
    service_level: str  # toan_trinh | mot_phan | thong_tin
    handled_by: str  # WARD, or the unit_code of the city unit that handles it
    volume: float  # relative share of all dossiers
    fee: bool  # a fee or charge is collected
    org_share: float = 0.0  # share of applicants that are organisations


PROCEDURES: tuple[Procedure, ...] = (
    # wards: civil status, authentication, social protection, land mediation (≈ 80% of dossiers)
    Procedure(
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Chứng thực",
        0,
        "mot_phan",
        WARD,
        21.0,
        True,
        0.05,
    ),
    Procedure("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", 0, "mot_phan", WARD, 7.0, True),
    Procedure(
        "2.001035",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "Chứng thực",
        2,
        "mot_phan",
        WARD,
        3.0,
        True,
    ),
    Procedure("1.001193", "Đăng ký khai sinh", "Hộ tịch", 1, "toan_trinh", WARD, 12.0, False),
    Procedure("1.000894", "Đăng ký kết hôn", "Hộ tịch", 3, "mot_phan", WARD, 4.0, False),
    Procedure("1.000656", "Đăng ký khai tử", "Hộ tịch", 1, "toan_trinh", WARD, 3.0, False),
    Procedure("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3, "toan_trinh", WARD, 7.0, True),
    Procedure("2.000635", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", 1, "toan_trinh", WARD, 8.0, True),
    Procedure(
        "1.004859", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", "Hộ tịch", 3, "mot_phan", WARD, 2.5, True
    ),
    Procedure(
        "1.001776",
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
        "Lao động - Thương binh và Xã hội",
        15,
        "mot_phan",
        WARD,
        3.0,
        False,
    ),
    Procedure(
        "2.000337", "Cấp giấy xác nhận khuyết tật", "Lao động - Thương binh và Xã hội", 20, "mot_phan", WARD, 1.5, False
    ),
    Procedure("1.003554", "Hòa giải tranh chấp đất đai", "Đất đai", 30, "thong_tin", WARD, 0.8, False),
    Procedure(
        "1.008901",
        "Xét, duyệt chính sách hỗ trợ đối với trẻ em mẫu giáo",
        "Giáo dục và Đào tạo",
        10,
        "mot_phan",
        WARD,
        1.2,
        False,
    ),
    # Phòng Tư pháp
    Procedure(
        "2.000908",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan nước ngoài cấp",
        "Chứng thực",
        0,
        "mot_phan",
        "PTP",
        1.0,
        True,
    ),
    Procedure("1.001022", "Đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", 15, "mot_phan", "PTP", 0.3, True),
    Procedure(
        "2.000748",
        "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "Hộ tịch",
        3,
        "mot_phan",
        "PTP",
        0.6,
        True,
    ),
    Procedure(
        "2.002191",
        "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ",
        "Tư pháp",
        30,
        "thong_tin",
        "PTP",
        0.1,
        False,
    ),
    # Phòng Tài nguyên và Môi trường
    Procedure(
        "1.004227",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "Đất đai",
        10,
        "mot_phan",
        "PTNMT",
        4.0,
        True,
        0.06,
    ),
    Procedure(
        "1.003003",
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "Đất đai",
        20,
        "mot_phan",
        "PTNMT",
        1.5,
        True,
        0.03,
    ),
    Procedure(
        "1.004199",
        "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền",
        "Đất đai",
        15,
        "mot_phan",
        "PTNMT",
        1.2,
        True,
        0.05,
    ),
    Procedure("1.004203", "Tách thửa hoặc hợp thửa đất", "Đất đai", 15, "mot_phan", "PTNMT", 1.3, True),
    Procedure("1.010738", "Đăng ký môi trường", "Môi trường", 10, "toan_trinh", "PTNMT", 0.3, False, 0.9),
    # Phòng Quản lý đô thị
    Procedure(
        "1.009994",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Xây dựng",
        15,
        "toan_trinh",
        "PQLDT",
        2.0,
        True,
    ),
    Procedure(
        "1.009995",
        "Cấp giấy phép sửa chữa, cải tạo đối với nhà ở riêng lẻ",
        "Xây dựng",
        15,
        "mot_phan",
        "PQLDT",
        0.5,
        True,
    ),
    Procedure(
        "1.009996",
        "Điều chỉnh giấy phép xây dựng đối với nhà ở riêng lẻ",
        "Xây dựng",
        20,
        "mot_phan",
        "PQLDT",
        0.3,
        True,
        0.2,
    ),
    # Phòng Tài chính - Kế hoạch
    Procedure("2.000720", "Đăng ký thành lập hộ kinh doanh", "Đăng ký kinh doanh", 3, "toan_trinh", "PTCKH", 2.3, True),
    Procedure(
        "2.000575",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Đăng ký kinh doanh",
        3,
        "toan_trinh",
        "PTCKH",
        1.2,
        True,
    ),
    Procedure(
        "1.001612", "Tạm ngừng hoạt động hộ kinh doanh", "Đăng ký kinh doanh", 3, "toan_trinh", "PTCKH", 0.5, False
    ),
    Procedure("1.005280", "Đăng ký thành lập hợp tác xã", "Đăng ký kinh doanh", 5, "mot_phan", "PTCKH", 0.1, True, 1.0),
    # Phòng Lao động - Thương binh và Xã hội
    Procedure(
        "1.002519",
        "Giải quyết chế độ trợ cấp một lần đối với người có công với cách mạng",
        "Lao động - Thương binh và Xã hội",
        12,
        "mot_phan",
        "PLDTBXH",
        0.6,
        False,
    ),
    Procedure(
        "2.000286",
        "Tiếp nhận đối tượng bảo trợ xã hội có hoàn cảnh đặc biệt khó khăn vào cơ sở trợ giúp xã hội",
        "Lao động - Thương binh và Xã hội",
        15,
        "thong_tin",
        "PLDTBXH",
        0.2,
        False,
    ),
    Procedure(
        "1.001758",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "Lao động - Thương binh và Xã hội",
        5,
        "mot_phan",
        "PLDTBXH",
        0.5,
        False,
    ),
    # the city's one-stop desk for offices without their own (education, culture)
    Procedure(
        "1.004515",
        "Cho phép trường mầm non hoạt động giáo dục",
        "Giáo dục và Đào tạo",
        20,
        "mot_phan",
        CITY_CODE,
        0.05,
        False,
        1.0,
    ),
    Procedure(
        "3.000182",
        "Chuyển trường đối với học sinh trung học cơ sở",
        "Giáo dục và Đào tạo",
        3,
        "toan_trinh",
        CITY_CODE,
        0.5,
        False,
    ),
    Procedure(
        "1.001029",
        "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "Văn hóa",
        5,
        "toan_trinh",
        CITY_CODE,
        0.15,
        True,
        0.5,
    ),
    Procedure("1.003645", "Thông báo tổ chức lễ hội", "Văn hóa", 5, "mot_phan", CITY_CODE, 0.1, False, 0.6),
)


# ============================================================================ people, reasons
LATE_REASONS: tuple[tuple[str, float], ...] = (  # reason given when a dossier is late, and its share
    ("Chờ bổ sung hồ sơ của công dân", 0.28),
    ("Chờ ý kiến cơ quan phối hợp", 0.24),
    ("Phải xác minh thực địa", 0.20),
    ("Lỗi phần mềm một cửa", 0.12),
    ("Hồ sơ phức tạp, phải thẩm định lại", 0.09),
    ("Cán bộ xử lý nghỉ phép", 0.07),
)
SURNAMES: tuple[tuple[str, float], ...] = (  # family name and its frequency (percent, southern Vietnam)
    ("Nguyễn", 31.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 6.0),
    ("Huỳnh", 5.0),
    ("Võ", 4.5),
    ("Phan", 4.5),
    ("Hoàng", 2.5),
    ("Trương", 2.0),
    ("Bùi", 2.0),
    ("Đặng", 2.0),
    ("Đỗ", 1.5),
    ("Ngô", 1.3),
    ("Hồ", 1.2),
    ("Dương", 1.0),
    ("Đinh", 0.8),
    ("Lâm", 0.6),
    ("Mai", 0.5),
    ("Lý", 0.5),
    ("Châu", 0.4),
)
MIDDLE_NAMES = {
    "m": ("Văn", "Minh", "Hữu", "Quốc", "Thanh", "Hoàng", "Đức", "Công"),
    "f": ("Thị", "Ngọc", "Thu", "Kim", "Thanh", "Mỹ", "Bích"),
}
GIVEN_NAMES = {
    "m": (
        "Hùng",
        "Dũng",
        "Tuấn",
        "Phúc",
        "Sơn",
        "Khoa",
        "Bình",
        "Long",
        "Nam",
        "Tâm",
        "Hải",
        "Trung",
        "Thắng",
        "Quang",
        "Hiếu",
        "Phong",
        "Tài",
        "Lộc",
        "Khánh",
        "Nhân",
    ),
    "f": (
        "Lan",
        "Hương",
        "Mai",
        "Thảo",
        "Vy",
        "Nhung",
        "Trang",
        "Hạnh",
        "Yến",
        "Hoa",
        "Linh",
        "Ngân",
        "Thủy",
        "Loan",
        "Phương",
        "Tuyết",
        "Diễm",
        "Oanh",
        "Hằng",
        "Nga",
    ),
}
ORGANISATIONS: tuple[tuple[str, float], ...] = (  # masked organisation applicants
    ("Công ty TNHH ***", 0.55),
    ("Công ty cổ phần ***", 0.25),
    ("Doanh nghiệp tư nhân ***", 0.12),
    ("Hợp tác xã ***", 0.08),
)


# ============================================================================ holidays
def _data(name: str) -> list[dict[str, str]]:
    """The rows of a CSV table of demo data beside this module (holidays, plan tasks, PAR INDEX peers, targets)."""
    with open(Path(__file__).with_name(name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# Days off of civil servants (official schedules of the Government / Ministry of Home Affairs,
# including compensatory days and swapped days); 2027 and 2028 are estimates from the Labour Code.
HOLIDAY_RANGES: tuple[tuple[str, str, str], ...] = tuple(  # first day, last day, name
    (r["first"], r["last"], r["name"]) for r in _data("holidays.csv")
)
TET = "Tết Nguyên đán"


# ============================================================================ PAR INDEX, plan, targets
PAR_PEERS: tuple[tuple[str, str, float], ...] = tuple(  # the province's districts: code, name, strength
    (r["code"], r["name"], float(r["strength"])) for r in _data("par_peers.csv")
)
CITY_PEER = "TPTN"

# The plan's 44 tasks a year in the seven reform areas of the contract: (1) chỉ đạo điều hành và
# tuyên truyền; (2) cải cách thể chế; (3) cải cách TTHC, một cửa; (4) tổ chức bộ máy; (5) chế độ
# công vụ; (6) tài chính công; (7) chính quyền điện tử, chính quyền số. Each: title ({year} is
# filled in), owner unit, due month (December tasks are due on the 15th, for the year-end report).
PLAN_TASKS: dict[int, tuple[tuple[str, str, int], ...]] = {  # owner: a legacy unit code, UBND the city
    area: tuple((r["title"], r["owner"], int(r["month"])) for r in rows)
    for area, rows in itertools.groupby(_data("plan_tasks.csv"), key=lambda r: int(r["area"]))
}

# Targets of the plan (seed 004, KH CCHC 2023 of TP Tây Ninh), repeated for each year.
TARGETS: tuple[tuple[str, str, float], ...] = tuple(  # KPI, comparison, value
    (r["kpi"], r["comparison"], float(r["value"])) for r in _data("targets.csv")
)


# ============================================================================ behaviour
WEEKDAY_VOLUME = np.array([1.20, 1.05, 1.0, 1.0, 0.85, 0.0, 0.0])  # Monday … Sunday
Q3_PEAK, YEARLY_GROWTH = 1.12, 0.05
PRE_TET_DAYS, PRE_TET_RUSH = 21, 1.30  # the rush in the weeks before Tết
POST_TET_DAYS, POST_TET_DIP = 10, 0.60  # and the slow restart after
TREND_DAYS = 3 * 365.25  # online, digital and on-time shares move over the three years
MORNING, AFTERNOON = (7 * 3600, 11 * 3600 + 1800), (13 * 3600 + 1800, 16 * 3600 + 1800)  # hours receiving
MORNING_SHARE = 0.62
WORK_START, WORK_END = 7 * 3600 + 1800, 17 * 3600
SAME_DAY_CUTOFF = 15 * 3600  # in-day procedures received later are due the next working day
DUE_TIME_SAME_DAY, DUE_TIME = 16 * 3600 + 1800, 17 * 3600
EXPORT_TIME = 18 * 3600  # the extract is taken at the end of the as-of day
# lawful pauses (waiting for the citizen) push due_at later: 4% of the dossiers with a deadline of
# a day or more, ≈ 3% of all
PAUSE_SHARE, PAUSE_DAYS = 0.04, (2, 10)
RETURN_SAME_DAY_SHARE = 0.7  # results handed over the day they are ready, else within 1–2 working days
WITHDRAWN_SHARE, REFUSED_SHARE, PAUSED_OPEN_SHARE = 0.005, 0.01, 0.05
STUCK_WINDOW_DAYS = 60  # recent overdue dossiers may still be open at the as-of date
SURVEY_SHARE, SURVEY_UNLINKED_SHARE = 0.155, 0.2


def _online_share(t: np.ndarray) -> np.ndarray:
    return 0.40 + 0.48 * t


def _digitized_share(t: np.ndarray) -> np.ndarray:
    return 0.60 + 0.33 * t


def _paid_online_share(t: np.ndarray) -> np.ndarray:
    return 0.50 + 0.35 * t


def _e_result_share(t: np.ndarray) -> np.ndarray:
    return 0.70 + 0.25 * t


def _reuse_share(t: np.ndarray) -> np.ndarray:
    return 0.55 + 0.35 * t


def _late_factor(t: np.ndarray) -> np.ndarray:
    """Lateness improves over the three years."""
    return 1.25 - 0.55 * t


STATUSES = ("da_giai_quyet", "dang_xu_ly", "tam_dung", "tra_lai", "rut")
CHANNELS = ("truc_tuyen", "truc_tiep", "buu_chinh")
RATINGS = ("rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long")
DONE, OPEN, PAUSED, REFUSED, WITHDRAWN = range(5)
ONLINE, IN_PERSON, POSTAL = range(3)

# stream keys of the seeded generators
_DAYS_STREAM, _DOSSIER_STREAM, _SURVEY_STREAM, _PAR_STREAM, _PLAN_STREAM = range(5)


# ============================================================================ derived lookups
def _cumulative(weights: Sequence[float]) -> np.ndarray:
    c = np.cumsum(np.asarray(weights, dtype=float))
    return c / c[-1]


def _staff_rosters(units_: Sequence[Unit]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Handlers of every unit (a fixed roster), with each unit's offset and size in the list."""
    names: list[str] = []
    offsets, sizes = [], []
    surnames = [s for s, _ in SURNAMES[:12]]
    for unit in units_:
        offsets.append(len(names))
        sizes.append(unit.staff)
        for _ in range(unit.staff):
            g = len(names)
            sex = "f" if g % 5 in (0, 2, 3) else "m"  # one-stop desks are mostly staffed by women
            middle, given = MIDDLE_NAMES[sex], GIVEN_NAMES[sex]
            names.append(
                f"{surnames[(g * 7) % len(surnames)]} {middle[(g * 3) % len(middle)]} "
                f"{given[(g * 11 + g // len(given)) % len(given)]}"
            )
    return names, np.array(offsets), np.array(sizes)


def _applicants() -> tuple[list[str], np.ndarray, int]:
    """Masked applicant names: people (by surname frequency), then organisations; cumulative
    probabilities of the people; index of the first organisation."""
    people: dict[str, float] = {}
    for surname, freq in SURNAMES:
        for sex in ("m", "f"):
            combos = [(m, g) for m in MIDDLE_NAMES[sex] for g in GIVEN_NAMES[sex]]
            for middle, given in combos:
                mask = f"{surname} {middle[0]}*** {given[0]}**"
                people[mask] = people.get(mask, 0.0) + freq / 2 / len(combos)
    return list(people) + [o for o, _ in ORGANISATIONS], _cumulative(list(people.values())), len(people)


@dataclass(frozen=True)
class CityModel:
    """A demo city: its units (and how each behaves), who handles the procedures, its PAR INDEX peers, the
    plan's owners, its targets, and the reorganisation its wards lived through (if any)."""

    key: str
    name: str  # settings city_name
    peer_code: str  # settings city_peer_code: the city among the PAR INDEX peers
    city_code: str  # the People's Committee (kind ubnd)
    units: tuple[Unit, ...]
    handled_by: dict[str, str]  # Procedure.handled_by (the legacy city's codes) -> this city's unit
    plan_owner: dict[str, str]  # PLAN_TASKS owners (legacy codes) -> this city's unit
    targets: tuple[tuple[str, str, float], ...] = TARGETS
    target_source: str = "TP Tây Ninh"
    per_quarter: int = DOSSIERS_PER_QUARTER
    reorganised: dt.date | None = None  # wards before it: the old ones (valid_to), from it: today's
    changes: tuple[tuple[str, str, dt.date, str], ...] = ()  # unit_changes: old, new, effective, kind
    par_peers: object = None  # callable(years, seed) -> par_index frame; None: the legacy districts
    settings: tuple[tuple[str, str], ...] = ()


class _Lookups:
    """The model's vocabularies as arrays for the vectorised simulation."""

    def __init__(self, model: CityModel):
        us = model.units
        self.codes = [u.code for u in us]
        index = {u.code: i for i, u in enumerate(us)}
        wards = [i for i, u in enumerate(us) if u.level == "ward" and u.ward_volume > 0]
        if model.reorganised is None:
            self.wards_before = self.wards_after = np.array(wards)
        else:
            self.wards_before = np.array([i for i in wards if us[i].valid_to is not None])
            self.wards_after = np.array([i for i in wards if us[i].valid_to is None])
        self.cum_before = _cumulative([us[i].ward_volume for i in self.wards_before])
        self.cum_after = _cumulative([us[i].ward_volume for i in self.wards_after])
        self.late = np.array([u.late_rate for u in us])
        self.lagging = np.array([u.lagging for u in us])
        self.satisfaction = np.array([u.satisfaction for u in us])
        handler = model.handled_by
        self.proc_unit = np.array(
            [-1 if p.handled_by == WARD else index[handler.get(p.code, handler.get(p.handled_by, p.handled_by))]
             for p in PROCEDURES]
        )
        self.handlers, self.roster_offset, self.roster_size = _staff_rosters(us)
        self.agencies = pa.array([u.agency_code for u in us])
        self.reorganised = None if model.reorganised is None else np.datetime64(model.reorganised, "D")


_LOOKUPS: dict[str, _Lookups] = {}


def lookups(model: CityModel) -> _Lookups:
    if model.key not in _LOOKUPS:
        _LOOKUPS[model.key] = _Lookups(model)
    return _LOOKUPS[model.key]


LEGACY = CityModel(
    key="legacy",
    name="Thành phố Tây Ninh (dữ liệu mẫu)",
    peer_code=CITY_PEER,
    city_code=CITY_CODE,
    units=UNITS,
    handled_by={},
    plan_owner={},
    settings=(("city_name", "Thành phố Tây Ninh (dữ liệu mẫu)"), ("city_peer_code", CITY_PEER)),
)
DEFAULT_CITY = "Huế"


def city_model(city: str | CityModel | None = None) -> CityModel:
    """`legacy`: the pre-2025 district town of 16 units (TP Tây Ninh) the older tests pin; any other name: a
    province or centrally-run city of the 2025 catalogue (`dashboard/demo/cities.py`), default Huế."""
    if isinstance(city, CityModel):
        return city
    if (city or "").strip().lower() in ("legacy", "tay-ninh-2024"):
        return LEGACY
    from .cities import catalogue_city

    return catalogue_city(city or DEFAULT_CITY)


_PROC_CUM = _cumulative([p.volume for p in PROCEDURES])
_PROC_DAYS = np.array([p.days for p in PROCEDURES])
_PROC_FEE = np.array([p.fee for p in PROCEDURES])
_PROC_ORG = np.array([p.org_share for p in PROCEDURES])
_PROC_INFO_ONLY = np.array([p.service_level == "thong_tin" for p in PROCEDURES])
_APPLICANTS, _PEOPLE_CUM, _FIRST_ORG = _applicants()
_ORG_CUM = _cumulative([w for _, w in ORGANISATIONS])
_REASONS = ("",) + tuple(r for r, _ in LATE_REASONS)
_REASON_CUM = _cumulative([w for _, w in LATE_REASONS])


# ============================================================================ small tables
def units(model: CityModel = LEGACY) -> pd.DataFrame:
    """The city People's Committee, its offices and its wards/communes (with their validity where the city
    lived through a reorganisation)."""
    us, city = model.units, model.city_code
    frame = pd.DataFrame(
        {
            "unit_code": pd.array([u.code for u in us], dtype="str"),
            "unit_name": pd.array([u.name for u in us], dtype="str"),
            "unit_kind": pd.array([u.kind for u in us], dtype="str"),
            "parent_code": pd.array(["" if u.code == city else city for u in us], dtype="str"),
            "level": pd.array([u.level for u in us], dtype="str"),
        }
    )
    if any(u.valid_from or u.valid_to for u in us):
        frame["valid_from"] = pd.Series([u.valid_from for u in us], dtype=object)
        frame["valid_to"] = pd.Series([u.valid_to for u in us], dtype=object)
    return frame


def unit_changes(model: CityModel = LEGACY) -> pd.DataFrame:
    """The model's mergers (old ward -> ward of today, effective 1 July 2025)."""
    rows = list(model.changes)
    return pd.DataFrame(
        {
            "old_code": pd.array([r[0] for r in rows], dtype="str"),
            "new_code": pd.array([r[1] for r in rows], dtype="str"),
            "effective_date": pd.Series([r[2] for r in rows], dtype=object),
            "kind": pd.array([r[3] for r in rows], dtype="str"),
        }
    )


def holidays(first_year: int, last_year: int) -> pd.DataFrame:
    """Public holidays (every day off, weekends inside the ranges included) of the years given."""
    known = {int(first[:4]) for first, _, name in HOLIDAY_RANGES if name == TET}
    missing = sorted(set(range(first_year, last_year + 1)) - known)
    if missing:
        raise ValueError(f"no holiday schedule for {missing} (known: {min(known)}–{max(known)})")
    dates, names = [], []
    for first, last, name in HOLIDAY_RANGES:
        a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        if first_year <= a.year <= last_year:
            for i in range((b - a).days + 1):
                dates.append(a + dt.timedelta(days=i))
                names.append(name)
    return pd.DataFrame({"date": pd.Series(dates, dtype=object), "name": pd.array(names, dtype="str")})


def targets(years: Sequence[int], model: CityModel = LEGACY) -> pd.DataFrame:
    """The plan's targets for each year, city-wide."""
    rows = [
        (y, kpi, comparator, value, "all", f"KH CCHC {y} ({model.target_source})")
        for y in years
        for kpi, comparator, value in model.targets
    ]
    year, kpi, comparator, value, scope, source = zip(*rows)
    return pd.DataFrame(
        {
            "year": np.array(year, dtype=np.int64),
            "kpi": pd.array(kpi, dtype="str"),
            "comparator": pd.array(comparator, dtype="str"),
            "value": np.array(value, dtype=np.float64),
            "scope": pd.array(scope, dtype="str"),
            "source": pd.array(source, dtype="str"),
        }
    )


def par_index(years: Sequence[int], seed: int) -> pd.DataFrame:
    """The province's yearly PAR INDEX ranking of its nine districts; the city ranks 2nd–5th."""
    rng = np.random.default_rng([seed, _PAR_STREAM])
    strength = np.array([s for _, _, s in PAR_PEERS])
    others = [i for i, (code, _, _) in enumerate(PAR_PEERS) if code != CITY_PEER]
    city = next(i for i, (code, _, _) in enumerate(PAR_PEERS) if code == CITY_PEER)
    city_rank = int(rng.integers(4, 6))
    rows = []
    for k, year in enumerate(years):
        if k:
            city_rank = int(np.clip(city_rank + rng.choice([-1, -1, 0, 1]), 2, 5))
        noisy = strength[others] + rng.normal(0, 0.7, len(others))
        order = [others[i] for i in np.argsort(-noisy, kind="stable")]
        order.insert(city_rank - 1, city)
        top = min(92.0, 88.0 + 0.8 * k + rng.uniform(-1, 1))
        scores = np.round(top - np.r_[0, np.cumsum(rng.uniform(0.4, 1.6, len(PAR_PEERS) - 1))], 2)
        rows += [
            (year, PAR_PEERS[p][0], PAR_PEERS[p][1], float(s), r + 1) for r, (p, s) in enumerate(zip(order, scores))
        ]
    return par_frame(rows)


def par_frame(rows: list[tuple[int, str, str, float, int]]) -> pd.DataFrame:
    """par_index rows (year, peer_code, peer_name, score, rank) as the table's frame."""
    year, code, name, score, rank = zip(*rows)
    return pd.DataFrame(
        {
            "year": np.array(year, dtype=np.int64),
            "peer_code": pd.array(code, dtype="str"),
            "peer_name": pd.array(name, dtype="str"),
            "score": np.array(score, dtype=np.float64),
            "rank": np.array(rank, dtype=np.int64),
        }
    )


def plan_tasks(years: Sequence[int], as_of: dt.date, seed: int, model: CityModel = LEGACY) -> pd.DataFrame:
    """The reform plan's 44 tasks a year: mostly done on time, a few late or not done; nothing is
    done after ``as_of``."""
    rng = np.random.default_rng([seed, _PLAN_STREAM])
    rows = []
    for year in years:
        for area, tasks in PLAN_TASKS.items():
            for i, (title, owner, month) in enumerate(tasks, start=1):
                due = _month_end(year, month) if month < 12 else dt.date(year, 12, 15)
                r = rng.random()
                if r < 0.88:
                    done: dt.date | None = max(dt.date(year, 1, 5), due - dt.timedelta(days=int(rng.integers(0, 30))))
                elif r < 0.96:
                    done = due + dt.timedelta(days=int(rng.integers(3, 45)))
                else:
                    done = None
                if done is not None and done > as_of:
                    done = None
                owner, title = _plan_owner(model, owner, due, title)
                rows.append((year, area, f"{year}-{area}.{i:02d}", title.format(year=year), owner, due, done))
    year, area, task_id, title, owner, due, done = zip(*rows)
    return pd.DataFrame(
        {
            "year": np.array(year, dtype=np.int64),
            "area": np.array(area, dtype=np.int64),
            "task_id": pd.array(task_id, dtype="str"),
            "title": pd.array(title, dtype="str"),
            "owner_unit": pd.array(owner, dtype="str"),
            "due_date": pd.Series(due, dtype=object),
            "done_date": pd.Series(done, dtype=object),
        }
    )


def _plan_owner(model: CityModel, owner: str, due: dt.date, title: str) -> tuple[str, str]:
    """The task's owner in this city (a ward task due before the reorganisation goes to the old ward that merged
    into the ward named), and the title with the pilot ward's name."""
    if model is LEGACY:
        return owner, title
    code = model.plan_owner.get(owner, model.city_code if owner == CITY_CODE else owner)
    if model.reorganised and due < model.reorganised:
        code = next((old for old, new, _, _ in model.changes if new == code), code)
    name = next((u.name for u in model.units if u.code == code), "")
    title = title.replace("UBND Phường 1", f"UBND {name}").replace("khu phố, ấp", "tổ dân phố, thôn")
    return code, title.replace("các phòng chuyên môn", "các sở, ngành")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def data_years(as_of: dt.date) -> list[int]:
    """The years the dossiers cover: ``as_of.year - 2`` … ``as_of.year``."""
    return list(range(as_of.year - 2, as_of.year + 1))


def reference_tables(
    as_of: dt.date = DEFAULT_AS_OF, seed: int = DEFAULT_SEED, city: str | CityModel | None = "legacy"
) -> dict[str, pd.DataFrame]:
    """Every table but dossiers and surveys (all small); `unit_changes` where the city was reorganised."""
    model = city_model(city)
    years = data_years(as_of)
    published = range(years[0] - 2, as_of.year)  # PAR INDEX published up to last year
    tables = {
        "units": units(model),
        "targets": targets(years, model),
        "par_index": par_index(published, seed) if model.par_peers is None else model.par_peers(published, seed),
        "plan_tasks": plan_tasks(years, as_of, seed, model),
        "holidays": holidays(years[0], years[-1] + 1),
    }
    if model.changes:
        tables["unit_changes"] = unit_changes(model)
    return tables


# ============================================================================ dossiers
def default_dossier_count(as_of: dt.date, city: str | CityModel | None = "legacy") -> int:
    """≈ the city's dossiers a quarter (DOSSIERS_PER_QUARTER for the legacy town) from 1 January of
    ``as_of.year - 2`` up to ``as_of``."""
    days = (as_of - dt.date(as_of.year - 2, 1, 1)).days + 1
    return round(days / (365.25 / 4) * city_model(city).per_quarter)


@dataclass(frozen=True)
class _City:
    """What every chunk needs: the seed, the start of the data, the as-of date, the holidays, the city."""

    seed: int
    start: np.datetime64  # datetime64[D]
    as_of: np.datetime64  # datetime64[D]
    holidays: np.ndarray  # datetime64[D]
    model: CityModel = LEGACY

    @property
    def lk(self) -> _Lookups:
        return lookups(self.model)

    @property
    def export_at(self) -> np.datetime64:
        return self.as_of.astype("datetime64[s]") + np.timedelta64(EXPORT_TIME, "s")


@dataclass(frozen=True)
class _Chunk:
    """Whole received days: each day's number of dossiers, and the global row of the first one."""

    days: np.ndarray  # datetime64[D], ascending working days
    counts: np.ndarray
    first_row: int


class _DayStreams:
    """Uniform draws for the rows of whole days, each day from its own generator, so a day's rows
    do not depend on the other days in the chunk."""

    def __init__(self, seed: int, stream: int, days: np.ndarray, counts: np.ndarray):
        ordinals = days.astype("datetime64[D]").astype(np.int64)
        self._draws = [(np.random.default_rng([seed, stream, int(d)]), int(c)) for d, c in zip(ordinals, counts) if c]

    def uniform(self) -> np.ndarray:
        if not self._draws:
            return np.empty(0)
        return np.concatenate([g.random(c) for g, c in self._draws])

    def below(self, n: np.ndarray | int) -> np.ndarray:
        """Integers in [0, n) (n may vary by row)."""
        return np.minimum((self.uniform() * n).astype(np.int64), np.asarray(n) - 1)


def _plan(
    n_dossiers: int | None, as_of: dt.date, seed: int, chunk_size: int, city: str | CityModel | None = "legacy"
) -> tuple[_City, list[_Chunk]]:
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    model = city_model(city)
    n = default_dossier_count(as_of, model) if n_dossiers is None else n_dossiers
    if n < 0:
        raise ValueError("n_dossiers must not be negative")
    years = data_years(as_of)
    hol = holidays(years[0], years[-1] + 1)["date"].to_numpy().astype("datetime64[D]")
    city = _City(seed, np.datetime64(dt.date(years[0], 1, 1), "D"), np.datetime64(as_of, "D"), hol, model)
    days = np.arange(city.start, city.as_of + 1)
    weights = _day_weights(days, hol)
    keep = weights > 0
    days = days[keep]
    counts = np.random.default_rng([seed, _DAYS_STREAM]).multinomial(n, weights[keep] / weights.sum())
    # chunks of whole days, at most chunk_size rows unless one day alone holds more (no dossiers at
    # all: one empty chunk)
    ends = np.cumsum(counts)
    chunks, lo, first_row = [], 0, 0
    while lo < len(days):
        hi = max(lo + 1, int(np.searchsorted(ends, first_row + chunk_size, side="right")))
        chunks.append(_Chunk(days[lo:hi], counts[lo:hi], first_row))
        first_row, lo = int(ends[hi - 1]), hi
    return city, chunks


def _day_weights(days: np.ndarray, hol: np.ndarray) -> np.ndarray:
    """Relative volume of each day: the weekly cycle, Q3 peak, the Tết rush and dip, slow growth;
    zero on weekends and holidays."""
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    w = np.where(np.isin(days, hol), 0.0, WEEKDAY_VOLUME[weekday])
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    w *= np.where((month >= 7) & (month <= 9), Q3_PEAK, 1.0)
    w *= 1 + YEARLY_GROWTH * (days - days[0]).astype(np.int64) / 365.25
    for first, last, name in HOLIDAY_RANGES:
        if name == TET:
            a, b = np.datetime64(first), np.datetime64(last)
            w *= np.where((days >= a - PRE_TET_DAYS) & (days < a), PRE_TET_RUSH, 1.0)
            w *= np.where((days > b) & (days <= b + POST_TET_DAYS), POST_TET_DIP, 1.0)
    return w


@dataclass
class _Dossiers:
    """One chunk of dossiers as arrays (codes index the module's vocabularies)."""

    day: np.ndarray
    unit: np.ndarray
    proc: np.ndarray
    received: np.ndarray  # datetime64[s]
    due: np.ndarray
    completed: np.ndarray  # NaT while open, and for withdrawn dossiers
    returned: np.ndarray
    updated: np.ndarray
    status: np.ndarray
    channel: np.ndarray
    has_fee: np.ndarray
    paid_online: np.ndarray
    e_result: np.ndarray
    digitized: np.ndarray
    postal_return: np.ndarray
    handler: np.ndarray
    late_reason: np.ndarray
    applicant: np.ndarray
    dossier_id: pa.Array
    synced_national: np.ndarray | None = None  # the 766 facts the legacy town's extract lacks
    reused_data: np.ndarray | None = None


def _simulate(chunk: _Chunk, city: _City) -> _Dossiers:
    """Every dossier of the chunk's days, in received order."""
    s = _DayStreams(city.seed, _DOSSIER_STREAM, chunk.days, chunk.counts)
    day = np.repeat(chunk.days, chunk.counts)
    m = len(day)
    # what, where, when: procedure, unit, time received (office hours)
    lk = city.lk
    proc = np.searchsorted(_PROC_CUM, s.uniform(), side="right")
    u = s.uniform()  # one draw: the ward of the day (before the reorganisation an old one, from it one of today)
    ward = lk.wards_after[np.searchsorted(lk.cum_after, u, side="right")]
    if lk.reorganised is not None:
        ward = np.where(day < lk.reorganised, lk.wards_before[np.searchsorted(lk.cum_before, u, side="right")], ward)
    unit = np.where(lk.proc_unit[proc] >= 0, lk.proc_unit[proc], ward)
    tod = _office_seconds(s.uniform())
    order = np.lexsort((tod, day))
    proc, unit, tod = proc[order], unit[order], tod[order]
    day_s = day.astype("datetime64[s]")
    received = day_s + tod.astype("timedelta64[s]")
    t = (day - city.start).astype(np.int64) / TREND_DAYS
    lagging = lk.lagging[unit]

    # the deadline in force: statutory working days, plus a lawful pause for a few
    in_day = _PROC_DAYS[proc] == 0
    raw_days = np.where(in_day & (tod > SAME_DAY_CUTOFF), 1, _PROC_DAYS[proc])
    paused = (s.uniform() < PAUSE_SHARE) & (raw_days > 0)
    pause = np.where(paused, PAUSE_DAYS[0] + s.below(PAUSE_DAYS[1] - PAUSE_DAYS[0] + 1), 0)
    days_in_force = raw_days + pause
    due_day = _busday(day, days_in_force, city)
    due_tod = np.where(in_day, DUE_TIME_SAME_DAY, DUE_TIME)
    due = due_day.astype("datetime64[s]") + due_tod.astype("timedelta64[s]")

    # the outcome: working days taken (early, on the due date, or late by 1–20 working days)
    p_late = lk.late[unit] * _late_factor(t)
    late = s.uniform() < p_late
    early_skew = np.floor((days_in_force + 1) * s.uniform() ** 1.4).astype(np.int64)
    within_pause = raw_days + s.below(pause + 1)  # paused ones finish after the raw clock, within the pause
    days_late = np.minimum(np.where(s.uniform() < 0.9, 1 + s.below(5), 6 + s.below(15)), 20)
    taken = np.where(late, days_in_force + days_late, np.where(paused, within_pause, early_skew))
    done_day = _busday(day, taken, city)
    on_due_day = done_day == due_day
    lo = np.where(taken == 0, tod + 600, WORK_START)
    hi = np.where(on_due_day, due_tod, WORK_END)
    done_tod = lo + (s.uniform() * np.maximum(hi - lo, 1)).astype(np.int64)
    completed = done_day.astype("datetime64[s]") + done_tod.astype("timedelta64[s]")

    # the state at the as-of date: not yet done, a few recent ones stuck past their deadline, withdrawn
    export_at = city.export_at
    recent = day >= city.as_of - STUCK_WINDOW_DAYS
    stuck = recent & (due < export_at) & (s.uniform() < p_late)
    withdrawn = s.uniform() < WITHDRAWN_SHARE
    open_ = ((completed > export_at) | stuck) & ~withdrawn
    done = ~open_ & ~withdrawn
    late = (late | stuck) & ~withdrawn
    status = np.full(m, DONE)
    status[done & (s.uniform() < REFUSED_SHARE)] = REFUSED
    status[open_] = np.where(paused[open_] | (s.uniform()[open_] < PAUSED_OPEN_SHARE), PAUSED, OPEN)
    status[withdrawn] = WITHDRAWN
    nat = np.datetime64("NaT", "s")
    completed = np.where(done, completed, nat)
    return_after = np.where(s.uniform() < RETURN_SAME_DAY_SHARE, 0, 1 + s.below(2))
    return_tod = np.where(return_after == 0, done_tod, WORK_START)
    return_tod = return_tod + (s.uniform() * (WORK_END - return_tod)).astype(np.int64)
    returned = _busday(done_day, return_after, city).astype("datetime64[s]") + return_tod.astype("timedelta64[s]")
    returned = np.where(done & (returned <= export_at), returned, nat)
    last_event = np.where(np.isnat(returned), np.where(done, completed, received), returned)
    updated = np.minimum(last_event + (s.uniform() * 6 * 3600).astype("timedelta64[s]"), export_at)
    overdue_open = open_ & (due < export_at)
    reason = np.where(late & (done | overdue_open), 1 + np.searchsorted(_REASON_CUM, s.uniform(), side="right"), 0)

    # channel and digital service, improving over the years; lagging units behind
    p_online = np.where(_PROC_INFO_ONLY[proc], 0.0, np.clip(_online_share(t) - 0.06 * lagging, 0, 0.97))
    u = s.uniform()
    channel = np.where(u < p_online, ONLINE, np.where(u < p_online + 0.03, POSTAL, IN_PERSON))
    online = channel == ONLINE
    has_fee = _PROC_FEE[proc]
    p_pay = _paid_online_share(t) + np.where(online, 0.06, -0.15) - 0.05 * lagging
    paid_online = has_fee & (s.uniform() < p_pay)
    e_result = done & (s.uniform() < _e_result_share(t) - 0.05 * lagging)
    digitized = s.uniform() < _digitized_share(t) - 0.05 * lagging
    postal_return = s.uniform() < np.where(channel == POSTAL, 0.8, 0.04)

    # people: the unit's handlers (in lagging units one of them holds half the late files), applicants
    handler = lk.roster_offset[unit] + s.below(lk.roster_size[unit])
    handler = np.where(late & lagging & (s.uniform() < 0.5), lk.roster_offset[unit], handler)
    org = s.uniform() < _PROC_ORG[proc]
    u = s.uniform()
    applicant = np.where(
        org, _FIRST_ORG + np.searchsorted(_ORG_CUM, u, side="right"), np.searchsorted(_PEOPLE_CUM, u, side="right")
    )

    return _Dossiers(
        day=day,
        unit=unit,
        proc=proc,
        received=received,
        due=due,
        completed=completed,
        returned=returned,
        updated=updated,
        status=status,
        channel=channel,
        has_fee=has_fee,
        paid_online=paid_online,
        e_result=e_result,
        digitized=digitized,
        postal_return=postal_return,
        handler=handler,
        late_reason=reason,
        applicant=applicant,
        dossier_id=_dossier_ids(chunk, day, unit, lk),
        # a city of today's extract also says what the national index (766) needs: synchronised to the
        # national portal (lagging units miss more), reuse of already-digitised data (growing)
        synced_national=None if city.model is LEGACY else s.uniform() < 0.975 - 0.06 * lagging,
        reused_data=None if city.model is LEGACY else s.uniform() < _reuse_share(t) - 0.1 * lagging,
    )


def _office_seconds(u: np.ndarray) -> np.ndarray:
    """Seconds after midnight within the receiving hours, more in the morning."""
    morning = u < MORNING_SHARE
    frac = np.where(morning, u / MORNING_SHARE, (u - MORNING_SHARE) / (1 - MORNING_SHARE))
    lo = np.where(morning, MORNING[0], AFTERNOON[0])
    span = np.where(morning, MORNING[1] - MORNING[0], AFTERNOON[1] - AFTERNOON[0])
    return lo + (frac * span).astype(np.int64)


def _busday(days: np.ndarray, offsets: np.ndarray, city: _City) -> np.ndarray:
    return np.busday_offset(days, offsets, roll="forward", holidays=city.holidays)


def _dossier_ids(chunk: _Chunk, day: np.ndarray, unit: np.ndarray, lk: _Lookups) -> pa.Array:
    """``<agency code>-<yymmdd>-<sequence of the unit that day>``, e.g. 000.00.15.H57-240102-0001."""
    day_index = np.repeat(np.arange(len(chunk.days)), chunk.counts)
    key = day_index * len(lk.codes) + unit
    by_key = np.argsort(key, kind="stable")  # rows are in received order within each key
    sorted_key = key[by_key]
    group_start = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    sizes = np.diff(np.r_[group_start, len(key)])
    seq = np.empty(len(key), dtype=np.int64)
    seq[by_key] = np.arange(len(key)) - np.repeat(group_start, sizes) + 1
    yymmdd = pa.array(pd.DatetimeIndex(chunk.days).strftime("%y%m%d").tolist())
    return pc.binary_join_element_wise(
        lk.agencies.take(pa.array(unit)),
        yymmdd.take(pa.array(day_index)),
        pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 4, "0"),
        "-",
    )


def _text(vocabulary: Sequence[str], codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    return _str(pa.array(list(vocabulary)).take(pa.array(codes)))


def _str(values: pa.Array) -> pd.arrays.ArrowStringArray:
    return pd.array(values, dtype="str")


def _timestamps(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[us]")


def _dossier_frame(d: _Dossiers, lk: _Lookups) -> pd.DataFrame:
    proc = d.proc
    return pd.DataFrame(
        {
            "dossier_id": _str(d.dossier_id),
            "unit_code": _text(lk.codes, d.unit),
            "procedure_code": _text([p.code for p in PROCEDURES], proc),
            "procedure_name": _text([p.name for p in PROCEDURES], proc),
            "field": _text([p.field for p in PROCEDURES], proc),
            "service_level": _text([p.service_level for p in PROCEDURES], proc),
            "channel": _text(CHANNELS, d.channel),
            "received_at": _timestamps(d.received),
            "due_at": _timestamps(d.due),
            "completed_at": _timestamps(d.completed),
            "returned_at": _timestamps(d.returned),
            "status": _text(STATUSES, d.status),
            "has_fee": d.has_fee,
            "paid_online": d.paid_online,
            "e_result": d.e_result,
            "digitized": d.digitized,
            "postal_return": d.postal_return,
            "handler": _text(lk.handlers, d.handler),
            "late_reason": _text(_REASONS, d.late_reason),
            "applicant_name": _text(_APPLICANTS, d.applicant),
            "updated_at": _timestamps(d.updated),
            **({} if d.synced_national is None else {"synced_national": d.synced_national,
                                                      "reused_data": d.reused_data}),
        }
    )


def _survey_frame(d: _Dossiers, chunk: _Chunk, city: _City) -> pd.DataFrame:
    """Satisfaction answers for about 15% of the resolved dossiers (some not linked to one)."""
    s = _DayStreams(city.seed, _SURVEY_STREAM, chunk.days, chunk.counts)
    t = (d.day - city.start).astype(np.int64) / TREND_DAYS
    answered = d.completed + (600 + s.uniform() * 3 * 86400).astype("timedelta64[s]")
    rated = ~np.isnat(d.completed) & (s.uniform() < SURVEY_SHARE) & (answered <= city.export_at)
    p_satisfied = city.lk.satisfaction[d.unit] + 0.015 * t - np.where(d.status == REFUSED, 0.3, 0.0)
    satisfied = s.uniform() < p_satisfied
    split = s.uniform()
    rating = np.where(satisfied, np.where(split < 0.6, 0, 1), np.where(split < 0.7, 2, 3))
    unlinked = s.uniform() < SURVEY_UNLINKED_SHARE
    rows = np.flatnonzero(rated)
    response_no = pa.array(chunk.first_row + rows)
    dossier_id = pc.if_else(pa.array(unlinked[rows]), "", d.dossier_id.take(pa.array(rows)))
    return pd.DataFrame(
        {
            "response_id": _str(
                pc.binary_join_element_wise("DG", pc.utf8_lpad(pc.cast(response_no, pa.string()), 8, "0"), "-")
            ),
            "unit_code": _text(city.lk.codes, d.unit[rows]),
            "answered_at": _timestamps(answered[rows]),
            "dossier_id": _str(dossier_id),
            "rating": _text(RATINGS, rating[rows]),
        }
    )


def iter_chunks(
    n_dossiers: int | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
    seed: int = DEFAULT_SEED,
    chunk_size: int = 1_000_000,
    city: str | CityModel | None = "legacy",
    surveys: bool = True,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame | None]]:
    """(dossiers, surveys about them) chunk by chunk (surveys None with ``surveys=False``); see
    ``iter_dossier_chunks``."""
    c, chunks = _plan(n_dossiers, as_of, seed, chunk_size, city)
    for chunk in chunks:
        d = _simulate(chunk, c)
        yield _dossier_frame(d, c.lk), (_survey_frame(d, chunk, c) if surveys else None)


def iter_dossier_chunks(*args, **kwargs) -> Iterator[pd.DataFrame]:
    """The dossiers alone of ``iter_chunks`` (the same arguments): in received order, in chunks of whole days
    (at most ``chunk_size`` rows unless a single day holds more). ``n_dossiers=None`` means the default volume
    (``default_dossier_count``). The concatenated chunks are the same for any ``chunk_size``."""
    return (dossiers for dossiers, _ in iter_chunks(*args, surveys=False, **kwargs))


def generate(
    n_dossiers: int | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
    seed: int = DEFAULT_SEED,
    city: str | CityModel | None = "legacy",
) -> dict[str, pd.DataFrame]:
    """Every table of the demo city in memory: units, targets, surveys, par_index, plan_tasks,
    holidays, dossiers (and unit_changes for a reorganised city). Use ``iter_dossier_chunks`` (or
    ``iter_chunks``) for millions of dossiers."""
    tables = reference_tables(as_of, seed, city)
    dossiers, surveys = zip(*iter_chunks(n_dossiers, as_of, seed, city=city))
    return {
        **tables,
        "surveys": pd.concat(surveys, ignore_index=True),
        "dossiers": pd.concat(dossiers, ignore_index=True),
    }


# ============================================================================ self-check
def _resolved_on_time(dossiers: pd.DataFrame, by: pd.Series | str) -> pd.DataFrame:
    done = dossiers[dossiers["completed_at"].notna()]
    on_time = done["completed_at"] <= done["due_at"]
    keys = done[by] if isinstance(by, str) else by[done.index]
    return pd.DataFrame({"resolved": on_time.groupby(keys).size(), "on_time": on_time.groupby(keys).mean()})


def _self_check() -> None:
    t0 = time.perf_counter()
    tables = generate()
    print(f"default demo city (as of {DEFAULT_AS_OF}): {time.perf_counter() - t0:.2f} s")
    for name, frame in tables.items():
        print(f"  {name:<11} {len(frame):>9,} rows")
    d = tables["dossiers"]
    counted = d[d["status"] != "rut"]
    quarter = counted["received_at"].dt.to_period("Q").astype(str)
    per_quarter = counted.groupby(quarter).size().rename("received").to_frame()
    per_quarter["on_time"] = _resolved_on_time(d, d["completed_at"].dt.to_period("Q").astype(str))["on_time"]
    print(per_quarter.round(4).to_string())
    year = counted["received_at"].dt.year
    per_year = pd.DataFrame(
        {
            "online": (counted["channel"] == "truc_tuyen").groupby(year).mean(),
            "digitized": counted["digitized"].groupby(year).mean(),
            "paid_online": counted.loc[counted["has_fee"], "paid_online"].groupby(year).mean(),
            "on_time": _resolved_on_time(d, d["completed_at"].dt.year)["on_time"],
        }
    )
    done = d[d["completed_at"].notna()]
    per_year["e_result"] = done["e_result"].groupby(done["completed_at"].dt.year).mean()
    print(per_year.round(4).to_string())
    print(_resolved_on_time(d, "unit_code").round(4).to_string())
    open_ = d[d["status"].isin(["dang_xu_ly", "tam_dung"])]
    export_at = pd.Timestamp(DEFAULT_AS_OF) + pd.Timedelta(seconds=EXPORT_TIME)
    hol = tables["holidays"]["date"].to_numpy().astype("datetime64[D]")
    horizon = pd.Timestamp(np.busday_offset(np.datetime64(DEFAULT_AS_OF), 2, roll="forward", holidays=hol))
    soon = (open_["due_at"] >= export_at) & (open_["due_at"] < horizon + pd.Timedelta(days=1))
    print(
        f"open at the as-of date {len(open_)}: overdue {(open_['due_at'] < export_at).sum()}, "
        f"due within the next 2 working days {soon.sum()}"
    )
    s = tables["surveys"]
    print(f"satisfaction {s['rating'].isin(['rat_hai_long', 'hai_long']).mean():.4f}")

    t0 = time.perf_counter()
    n = sum(len(chunk) for chunk in iter_dossier_chunks(1_000_000))
    print(f"{n:,} dossiers: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    _self_check()
