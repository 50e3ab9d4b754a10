"""Configuration as data: input schemas, the KPI catalogue, status margins, paths.

Nothing here computes anything. The input column names are the data contract's
(`shared/data-contract.md`); Vietnamese labels and aliases are what operators'
exports actually carry. The KPI catalogue drives the CLI, the cards, the matrix and
the targets page alike, so a KPI is added in one place.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = Path(os.environ.get("CCHC_QUERIES", PROJECT_ROOT / "queries"))
DEFAULT_DB = PROJECT_ROOT / "data" / "cchc.duckdb"


def db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """`--db` wins, then `CCHC_DB`, then `data/cchc.duckdb`."""
    if cli_value:
        return Path(cli_value)
    if os.environ.get("CCHC_DB"):
        return Path(os.environ["CCHC_DB"])
    return DEFAULT_DB


# ----------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str  # text | datetime | date | bool | int | number | enum
    required: bool = False
    aliases: tuple[str, ...] = ()
    aux: bool = False  # read from real exports to resolve or cross-check, not a stored contract column


@dataclass(frozen=True)
class InputKind:
    name: str
    label: str
    columns: tuple[Column, ...]
    # headers that, all present, identify the kind (checked most specific first)
    signature: tuple[str, ...]
    key: tuple[str, ...]
    extra: dict = field(default_factory=dict)
    # the columns a reference table is stored sorted by (the later import wins for a key: queries/merge_reference.sql);
    # empty for the dossiers, which have their own merge (queries/merge_staged.sql)
    order: tuple[str, ...] = ()


INPUT_TYPES = ("text", "datetime", "date", "bool", "int", "number", "enum")
INPUT_KINDS_FILE = Path(__file__).with_name("input_kinds.csv")
INPUT_COLUMNS_FILE = Path(__file__).with_name("input_columns.csv")


class ConfigFileError(ValueError):
    """A configuration file (`input_kinds.csv`, `input_columns.csv`, `kpis.csv`) is not valid: file, line, column."""


def _csv_rows(path: Path, header: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of one of the input schema files with their line numbers; the header must be exactly `header`."""
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        got = tuple(next(reader, ()))
        if got != header:
            raise ConfigFileError(f"{path.name}, dòng 1: tiêu đề phải là {','.join(header)} (có {','.join(got)})")
        rows = []
        for row in reader:
            if len(row) != len(header):
                raise ConfigFileError(f"{path.name}, dòng {reader.line_num}: {len(row)} cột, cần {len(header)}")
            rows.append((reader.line_num, dict(zip(header, (v.strip() for v in row)))))
        return rows


def _flag(path: Path, line: int, name: str, value: str) -> bool:
    if value not in ("", "x"):
        raise ConfigFileError(f"{path.name}, dòng {line}, cột {name}: 'x' hoặc trống, không phải {value!r}")
    return value == "x"


def _columns_by_kind(path: Path) -> dict[str, list[Column]]:
    header = ("kind", "column", "label", "type", "required", "aliases", "aux", "note")
    by_kind: dict[str, list[Column]] = {}
    for line, r in _csv_rows(path, header):
        if r["type"] not in INPUT_TYPES:
            raise ConfigFileError(f"{path.name}, dòng {line}, cột type: {r['type']!r} không thuộc "
                                   f"{', '.join(INPUT_TYPES)}")
        if not (r["kind"] and r["column"] and r["label"]):
            raise ConfigFileError(f"{path.name}, dòng {line}: kind, column và label không được trống")
        cols = by_kind.setdefault(r["kind"], [])
        if any(c.name == r["column"] for c in cols):
            raise ConfigFileError(f"{path.name}, dòng {line}, cột column: {r['column']!r} trùng trong {r['kind']}")
        aliases = tuple(a.strip() for a in r["aliases"].split(";") if a.strip())
        cols.append(Column(r["column"], r["label"], r["type"], _flag(path, line, "required", r["required"]), aliases,
                           _flag(path, line, "aux", r["aux"])))
    return by_kind


def load_input_kinds(kinds_path: Path = INPUT_KINDS_FILE,
                     columns_path: Path = INPUT_COLUMNS_FILE) -> tuple[InputKind, ...]:
    """The input kinds as data: one row a kind (`input_kinds.csv`: label, the headers that identify it, its key,
    the order it is stored in), one row a column (`input_columns.csv`: label, type, required, aliases separated
    by `;`, auxiliary). Checked here, at import: a kind without columns, a key or signature naming a column the
    kind does not have, an unknown type, fail at start-up with the file and line."""
    columns = _columns_by_kind(columns_path)
    kinds: list[InputKind] = []
    for line, r in _csv_rows(kinds_path, ("kind", "label", "signature", "key", "order", "note")):
        name = r["kind"]
        if name not in columns:
            raise ConfigFileError(f"{kinds_path.name}, dòng {line}: {name!r} không có cột nào trong "
                                   f"{columns_path.name}")
        if any(k.name == name for k in kinds):
            raise ConfigFileError(f"{kinds_path.name}, dòng {line}, cột kind: {name!r} trùng")
        names = {c.name for c in columns[name]}
        lists = {part: tuple(r[part].split()) for part in ("signature", "key", "order")}
        for part, listed in lists.items():
            unknown = [c for c in listed if c not in names]
            if unknown or (part != "order" and not listed):
                raise ConfigFileError(f"{kinds_path.name}, dòng {line}, cột {part}: "
                                       + (f"{name} không có cột {', '.join(unknown)}" if unknown else "trống"))
        kinds.append(InputKind(name, r["label"], tuple(columns.pop(name)), lists["signature"], lists["key"],
                               order=lists["order"]))
    if columns:
        raise ConfigFileError(f"{columns_path.name}: loại không có trong {kinds_path.name}: {', '.join(columns)}")
    return tuple(kinds)


# Order matters twice: detection tries the most specific signature first, and a batch loads reference data
# (units, holidays…) before the dossiers that need it: the order of input_kinds.csv.
INPUT_KINDS: tuple[InputKind, ...] = load_input_kinds()
KIND_BY_NAME = {k.name: k for k in INPUT_KINDS}

# Required dossier columns that an import profile may resolve when the file lacks them (dashboard/ingest/resolve.py):
# the unit from its name (a column or the title block), the procedure from its name through the procedures
# catalogue, the field from the procedure or a group row, the channel from the profile's default.
RESOLVABLE = {
    "unit_code": ("unit_name", "title:unit"),
    "procedure_code": ("procedure_name", "group:procedure"),
    "field": ("procedure_name", "procedure_code", "field_code", "group:field"),
    "channel": ("default:channel",),
}
# An import whose files reject more than this share of their rows is not published without --accept-partial
# (a layout that half-matches must never load partly and silently).
PARTIAL_REJECT_SHARE = 0.05

# Enum values: canonical value -> accepted spellings (compared after folding accents,
# case, spaces and punctuation to `_`).
ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "channel": {
        "truc_tuyen": ("truc_tuyen", "online", "dvc_truc_tuyen", "qua_mang"),
        "truc_tiep": ("truc_tiep", "tai_quay", "tai_bo_phan_mot_cua", "offline"),
        "buu_chinh": ("buu_chinh", "buu_chinh_cong_ich", "bcci", "dich_vu_buu_chinh_cong_ich", "qua_buu_chinh"),
    },
    "status": {
        "dang_xu_ly": ("dang_xu_ly", "dang_giai_quyet", "dang_thu_ly", "cho_xu_ly"),
        "da_giai_quyet": ("da_giai_quyet", "da_xu_ly", "hoan_thanh", "da_tra_ket_qua", "da_co_ket_qua"),
        "tam_dung": ("tam_dung", "cho_bo_sung", "tam_dung_cho_bo_sung", "yeu_cau_bo_sung"),
        "tra_lai": ("tra_lai", "tu_choi", "tra_lai_ho_so"),
        "rut": ("rut", "rut_ho_so", "da_rut", "cong_dan_rut"),
    },
    "service_level": {
        "toan_trinh": ("toan_trinh", "truc_tuyen_toan_trinh", "muc_4", "muc_do_4"),
        "mot_phan": ("mot_phan", "truc_tuyen_mot_phan", "muc_3", "muc_do_3"),
        "thong_tin": ("thong_tin", "cung_cap_thong_tin", "muc_2", "muc_do_2", "muc_1"),
    },
    "level": {
        "city": ("city", "thanh_pho", "cap_thanh_pho", "cap_huyen", "huyen", "quan", "thi_xa", "tinh", "cap_tinh"),
        "ward": ("ward", "phuong", "xa", "cap_xa", "phuong_xa", "thi_tran", "commune"),
    },
    "unit_kind": {
        "phong_ban": ("phong_ban", "phong", "co_quan_chuyen_mon", "ban"),
        "phuong": ("phuong",),
        "xa": ("xa", "thi_tran"),
        "dac_khu": ("dac_khu",),  # the special zones of the 2025 map (Phú Quốc, Côn Đảo…)
        "ubnd": ("ubnd", "uy_ban_nhan_dan"),
    },
    # unit_changes.kind: merge (sáp nhập), split (chia tách), rename (đổi tên), transfer (điều chỉnh địa giới)
    "change_kind": {
        "merge": ("merge", "sap_nhap", "hop_nhat", "nhap"),
        "split": ("split", "chia_tach", "tach", "chia"),
        "rename": ("rename", "doi_ten"),
        "transfer": ("transfer", "dieu_chinh", "dieu_chuyen", "dieu_chinh_dia_gioi"),
    },
    # events.kind: what happened on the timeline
    "event_kind": {
        "reorganisation": ("reorganisation", "sap_xep", "sap_nhap", "sap_xep_don_vi", "to_chuc_lai", "merger"),
        "outage": ("outage", "su_co", "su_co_phan_mem", "mat_ket_noi", "gian_doan", "ngung_he_thong"),
        "campaign": ("campaign", "chien_dich", "cao_diem", "dot_cao_diem"),
        "holiday": ("holiday", "nghi_le", "ky_nghi", "tet"),
        "other": ("other", "khac"),
    },
    "comparator": {">=": (">=", "≥", "gte"), ">": (">", "gt"), "<=": ("<=", "≤", "lte"), "<": ("<", "lt"),
                   "top": ("top", "top_n")},
    "rating": {
        "rat_hai_long": ("rat_hai_long", "5", "very_satisfied"),
        "hai_long": ("hai_long", "4", "satisfied"),
        "binh_thuong": ("binh_thuong", "3", "neutral", "chap_nhan_duoc"),
        "khong_hai_long": ("khong_hai_long", "2", "1", "dissatisfied"),
    },
}
EVENT_KIND_LABELS = {"reorganisation": "Sắp xếp tổ chức", "outage": "Sự cố phần mềm", "campaign": "Chiến dịch",
                     "holiday": "Nghỉ lễ", "other": "Sự kiện"}
CHANNEL_LABELS = {"truc_tuyen": "Trực tuyến", "truc_tiep": "Trực tiếp", "buu_chinh": "Bưu chính công ích"}
# why a dossier of the drill-down is counted where it is (late_set.sql's count_reason; data-contract §2)
COUNT_REASONS = {
    "completed_after_due": "Có kết quả sau ngày hẹn trả: trễ hạn",
    "open_past_due": "Chưa có kết quả, đã qua ngày hẹn trả: quá hạn",
    "open_past_due_supplement_later": "Chờ bổ sung nhưng chỉ sau cuối kỳ: quá hạn tại cuối kỳ",
    "awaiting_supplement": "Chờ công dân bổ sung tại cuối kỳ: tính trong hạn (dừng tính thời gian)",
    "returned_after_due": "Trả lại hồ sơ sau ngày hẹn: biểu mẫu tính đúng hạn (báo cáo riêng cột trả lại)",
    "open_due_soon": "Chưa có kết quả, sắp đến hạn",
}
STATUS_LABELS = {"dang_xu_ly": "Đang xử lý", "da_giai_quyet": "Đã giải quyết", "tam_dung": "Tạm dừng (chờ bổ sung)",
                 "tra_lai": "Trả lại", "rut": "Rút hồ sơ"}
LEVEL_LABELS = {"city": "Cấp thành phố", "ward": "Cấp phường, xã"}

# Plan areas of the reform programme (contract 1.6)
PLAN_AREAS = {
    1: "Chỉ đạo, điều hành và tuyên truyền",
    2: "Cải cách thể chế",
    3: "Cải cách TTHC, một cửa",
    4: "Cải cách tổ chức bộ máy",
    5: "Cải cách chế độ công vụ",
    6: "Cải cách tài chính công",
    7: "Chính quyền điện tử, chính quyền số",
}


# ----------------------------------------------------------------------------- KPIs
@dataclass(frozen=True)
class Kpi:
    """One KPI of the catalogue. `query` is the named query holding its numerator and denominator columns
    (summed over the rows of the units in scope; `params` says how the query is asked: "period" = the period's
    bounds, "par" = the year and the city's peer code); `weekly` names the query of its weekly series (same
    columns) or None. Checked at start-up against the queries' output columns (metrics.kpis.validate)."""
    name: str
    label: str
    short: str
    format: str  # rate | rank
    direction: str  # higher | lower: which way is better
    margin: float  # distance short of the target still called "at risk"
    by_unit: bool  # meaningful per unit?
    query: str
    numerator: str
    denominator: str
    definition: str
    params: str = "period"
    weekly: str | None = None
    has_target: bool = True
    card: bool = True  # a card of its own on the overview and the deck's first slide

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    @property
    def unit(self) -> str:  # the cards' word for the format
        return self.format

    @property
    def at_risk_margin(self) -> float:
        return self.margin


KPI_FORMATS = ("rate", "rank")
KPI_DIRECTIONS = ("higher", "lower")
KPI_PARAMS = ("period", "par", "index766")

KPIS_FILE = Path(__file__).with_name("kpis.csv")


def load_kpis(path: Path = KPIS_FILE) -> tuple[Kpi, ...]:
    """The KPI catalogue as data (`kpis.csv`: one row a KPI, the fields of `Kpi`; flags `x` or blank; no weekly
    query: blank). Its values are checked at start-up against the named queries (metrics.kpis.validate); here, that
    the file reads: the header, the margin a number, the flags."""
    names = tuple(f.name for f in fields(Kpi))
    kpis = []
    for line, r in _csv_rows(path, (*names, "note")):
        try:
            margin = float(r["margin"]) if "." in r["margin"] else int(r["margin"])
        except ValueError:
            raise ConfigFileError(f"{path.name}, dòng {line}, cột margin: {r['margin']!r} không phải là số") from None
        flags = {n: _flag(path, line, n, r[n]) for n in ("by_unit", "has_target", "card")}
        kpis.append(Kpi(**{**{n: r[n] for n in names}, **flags, "margin": margin, "weekly": r["weekly"] or None}))
    return tuple(kpis)


KPIS: tuple[Kpi, ...] = load_kpis()
KPI_BY_NAME = {k.name: k for k in KPIS}

# Statuses, worst last; "unreachable": a projection that cannot reach the target whatever happens next.
STATUS_LABELS_KPI = {"met": "Đạt", "at_risk": "Có nguy cơ", "missed": "Không đạt", "unreachable": "Không thể đạt",
                     "no_target": "Chưa có chỉ tiêu", "no_data": "Chưa có dữ liệu",
                     "invalid_target": "Chỉ tiêu không hợp lệ"}

# ----------------------------------------------------------------------------- constants of the rules
AT_RISK_DAYS = 2  # the early warning's horizon: open dossiers due within this many working days
FALLBACK_ON_TIME_TARGET = 0.99  # the projection's target when no target row is in force
WORST_UNITS = 5  # how many units the overview ranks (the deck shows one row fewer)
WORST_MIN_RESOLVED = 20  # a unit is ranked only with at least this many resolved dossiers in the period
PROJECTION_RECENT_WEEKS = 8  # the late rate p of the projection is taken over this many weeks
SPARK_WEEKS = 12  # a KPI card's sparkline: this many calendar weeks (Monday to Sunday), the last holding the end
DECK_TREND_WEEKS = 26  # the deck's KPI slides: the same, over half a year
NAV_KEEP = ("period", "unit")  # filters that follow you from page to page

# The national service index (Bộ chỉ số phục vụ người dân, doanh nghiệp, Decision 766/QĐ-TTg), computed per
# unit from the dossiers where the data allows. Points and bands are configuration: they change.
@dataclass(frozen=True)
class IndexComponent:
    name: str
    label: str
    points: float
    kpi: str | None  # the KPI it is scored from; None = not measurable from the one-stop data
    full_at: float = 1.0  # proportional scoring: full points at this value
    bands: tuple[tuple[float, float], ...] = ()  # or steps: (value at least, share of the points)
    step: float = 0.05  # "one step more" for the what-if


INDEX_COMPONENTS: tuple[IndexComponent, ...] = (
    IndexComponent("publicity", "Công khai, minh bạch", 18, None),
    IndexComponent("progress", "Tiến độ giải quyết", 20, "on_time_rate", full_at=1.0, step=0.01),
    IndexComponent("online_service", "Dịch vụ công trực tuyến", 12, "online_rate", full_at=0.5),
    IndexComponent("online_payment", "Thanh toán trực tuyến", 10, "online_payment_rate",
                   bands=((0.2, 0.25), (0.35, 0.5), (0.5, 0.75), (0.65, 1.0))),
    IndexComponent("satisfaction", "Mức độ hài lòng", 18, "satisfaction_rate", full_at=0.9),
    IndexComponent("digitization", "Số hóa hồ sơ", 22, "digitization_rate",
                   bands=((0.3, 0.25), (0.5, 0.5), (0.7, 0.75), (0.9, 1.0))),
)


# The national service index as the portal computes it (Decision 766/QĐ-TTg; shared/index-766.md): every
# sub-indicator with its group, maximum points and threshold (points = max × rate / threshold, capped; no
# threshold: max × rate). source: the named counts of queries/index766_counts.sql ("dossiers"), or "import"
# (needs data the one-stop extract does not hold: shown as not computed, never rescaled away).
@dataclass(frozen=True)
class Index766Indicator:
    code: str
    group: int
    label: str
    max_points: float
    threshold: float | None
    source: str  # dossiers | surveys | import
    numerator: str | None = None
    denominator: str | None = None
    known: str | None = None  # a count that must be > 0 for the indicator to be computable (optional columns)
    note: str = ""


INDEX766_GROUPS = {1: ("Công khai, minh bạch", 18), 2: ("Tiến độ, kết quả giải quyết", 20),
                   3: ("Dịch vụ trực tuyến", 12), 4: ("Thanh toán trực tuyến", 10), 5: ("Mức độ hài lòng", 18),
                   6: ("Số hóa hồ sơ", 22)}
_I = Index766Indicator
INDEX766: tuple[Index766Indicator, ...] = (
    _I("1.1", 1, "TTHC công bố, công khai đúng hạn", 6, None, "import"),
    _I("1.2", 1, "TTHC cập nhật, công khai đúng hạn", 4, None, "import"),
    _I("1.3", 1, "TTHC công khai đầy đủ thành phần", 2, None, "import"),
    _I("1.4", 1, "Hồ sơ đồng bộ lên Cổng DVC quốc gia", 6, None, "dossiers", "p14_num", "received_new", "p14_known",
       "mẫu số: hồ sơ tiếp nhận theo dữ liệu một cửa (không có số của hệ thống báo cáo quốc gia)"),
    _I("2.1", 2, "Hồ sơ giải quyết trước hạn, đúng hạn hoặc còn trong hạn", 20, None, "dossiers", "p21_num", "p21_den"),
    # group 3's 12 points: the split between 3.1, 3.2 and 3.3 is not stated — configuration, change it here
    _I("3.1", 3, "TTHC cung cấp trực tuyến", 4, 0.8, "import", note="chia 12 điểm nhóm 3 không được công bố"),
    _I("3.2", 3, "DVC trực tuyến có phát sinh hồ sơ", 4, None, "import", note="chia 12 điểm nhóm 3 không được công bố"),
    _I("3.3", 3, "Hồ sơ nộp trực tuyến", 4, 0.5, "dossiers", "p33_num", "received_new",
       note="chia 12 điểm nhóm 3 không được công bố"),
    # group 4's 10 points: split not stated either
    _I("3.5", 4, "TTHC có phí tích hợp thanh toán trực tuyến", 5, 0.8, "import",
       note="chia 10 điểm nhóm 4 không được công bố"),
    _I("3.6", 4, "Hồ sơ thanh toán trực tuyến", 5, None, "dossiers", "p36_num", "p36_den",
       note="chia 10 điểm nhóm 4 không được công bố"),
    _I("5.2", 5, "PAKN xử lý đúng hạn", 6, None, "petitions", "p52_num", "petitions",
       note="trong 15 ngày làm việc (từ chối: 2 ngày); không có PAKN trong kỳ: đủ điểm"),
    _I("5.3", 5, "Hài lòng về xử lý PAKN", 6, None, "petitions", "p53_num", "petitions",
       note="PAKN − (không hài lòng hoặc xử lý trễ); không có PAKN trong kỳ: đủ điểm"),
    _I("5.4", 5, "Hài lòng trong tiếp nhận, giải quyết hồ sơ", 6, 0.9, "surveys",
       note="100% − (tỷ lệ giải quyết trễ hạn + tỷ lệ phiếu không hài lòng)"),
    _I("4.1", 6, "Hồ sơ có kết quả điện tử", 6, None, "dossiers", "p41_num", "p41_den"),
    _I("4.2", 6, "Hồ sơ được số hóa", 4, 0.8, "dossiers", "p42_num", "received_new"),
    _I("4.3", 6, "Tái sử dụng dữ liệu số hóa", 2, 0.8, "dossiers", "p43_num", "received_new", "p43_known"),
    _I("4.4", 6, "Hồ sơ số hóa liên kết kho dữ liệu công dân", 2, None, "import"),
    _I("4.5", 6, "Khai thác dữ liệu dân cư", 4, None, "import"),
    _I("4.6", 6, "Chỉ tiêu số hóa 4.6", 2, None, "import"),
    _I("4.7", 6, "Chỉ tiêu số hóa 4.7", 2, None, "import"),
)
# a dossier whose extract does not say whether its procedure issues a paper result counts as issuing one
# (most procedures do): the 766 rules for 3.3, 4.1 and 4.2 then require an electronic result
INDEX766_ASSUME_PAPER_RESULT = True
# petitions (5.2): handled within this many working days of receipt, refused within that many
PETITION_HANDLE_DAYS = 15
PETITION_REFUSE_DAYS = 2

# Settings stored in the database's `settings` table, with these defaults.
DEFAULT_SETTINGS = {
    "city_name": "Thành phố",
    "city_peer_code": "",
    # the printable form (Biểu số II.06a/VPCP/KSTT): reporting and receiving unit, signatories, place
    "report_unit_name": "",
    "report_receiving_unit": "Văn phòng Ủy ban nhân dân tỉnh",
    "report_preparer": "",
    "report_head_title": "THỦ TRƯỞNG ĐƠN VỊ",
    "report_head": "",
    "report_place": "",
    # e-mail (digests, alerts): the city's mail server, the sender, and the dashboard's address for the links;
    # the SMTP account's user and password come from the environment only (CCHC_SMTP_USER, CCHC_SMTP_PASSWORD)
    "smtp_host": "",
    "smtp_port": "25",
    "smtp_starttls": "0",  # "1": every send (digest, alerts, the page's test send) upgrades with STARTTLS
    "mail_from": "",
    "base_url": "http://127.0.0.1:8050",
}
