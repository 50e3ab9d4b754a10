"""Threshold alerts: rules as data, evaluated after every import (and by `cchc alerts check`, e.g. from a 07:00 timer).

Rules are a TOML file next to the database (`alerts.toml`, or $CCHC_ALERTS), one `[[rule]]` table each:

    [[rule]]
    id = "dung-han-thanh-pho"        # names the rule in mails, the audit log and the page
    kind = "kpi_below"               # a KPI of the catalogue below its target (band = "target", the default:
    kpi = "on_time_rate"             #   at risk or missed) or below its at-risk band (band = "at_risk": missed)
    to = ["chutich@tayninh.gov.vn"]

    [[rule]]
    kind = "overdue_above"           # open dossiers past due in a unit exceed `max`; without `unit`, every unit
    unit = "W08"                     #   of `level` ("ward" or "city") is its own crossing
    max = 5
    to = ["ct.binhminh@tayninh.gov.vn"]
    as = "p8"                        # optional: the account whose scope the figures and the list are read in

    [[rule]]
    kind = "early_warning"           # the handler's dossiers about to be late, not empty at `at` (07:00 default);
    handler = "Trần Mỹ Lan"          #   without `handler`, every handler is its own crossing
    at = "07:00"
    to = ["ct.binhminh@tayninh.gov.vn"]

Each crossing mails its recipients once, with the list attached as Excel (`exports.table_xlsx`, every cell through
`exports.safe_cell`), and not again until it recovers and crosses anew. The state is `alerts-state.json` next to the
database (outside the published file, which every import replaces). A mail that cannot be delivered (after the
retries of `mail.deliver`) is audited and leaves the crossing unsent, so the next evaluation sends it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .config import KPI_BY_NAME, STATUS_LABELS_KPI
from .errors import HintedError
from .statefile import StateFile

KINDS = ("kpi_below", "overdue_above", "early_warning")
BANDS = {"target": ("at_risk", "missed", "unreachable"), "at_risk": ("missed", "unreachable")}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
log = logging.getLogger("cchc")


class AlertError(HintedError, ValueError):
    """A rule refused: the message for the page, the rules file as the command line's hint (errors.HintedError)."""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    to: tuple[str, ...]
    kpi: str | None = None
    band: str = "target"
    unit: str | None = None
    level: str | None = None
    max: int = 0
    handler: str | None = None
    at: dt.time = dt.time(7, 0)
    as_user: str | None = None
    period: str = "quarter"

    @property
    def label(self) -> str:
        if self.kind == "kpi_below":
            k = KPI_BY_NAME[self.kpi]
            return f"{k.label} {'dưới chỉ tiêu' if self.band == 'target' else 'dưới ngưỡng có nguy cơ'}"
        if self.kind == "overdue_above":
            return f"Hồ sơ quá hạn vượt {self.max}"
        return f"Hồ sơ sắp đến hạn của cán bộ xử lý (kiểm tra lúc {self.at:%H:%M})"


@dataclass
class Crossing:
    key: str  # rule id + what it is about (a unit, a handler)
    rule: Rule
    subject: str  # the unit or handler, as a reader names it
    crossed: bool
    value: str  # the figure, formatted
    unit: str | None = None
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)


def rules_path(db_path) -> Path:
    return Path(os.environ.get("CCHC_ALERTS") or Path(db_path).parent / "alerts.toml")


def state_path(db_path) -> Path:
    return rules_path(db_path).with_name("alerts-state.json")


def load_rules(db_path) -> list[Rule]:
    """The rules file, checked whole: a bad rule is refused with the file, its number and the reason."""
    path = rules_path(db_path)
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AlertError(f"không đọc được tệp quy tắc cảnh báo ({exc})", cli_hint=str(path)) from exc
    rules, seen = [], set()
    for i, r in enumerate(data.get("rule") or [], 1):
        try:
            rule = _rule(r, i)
        except (AlertError, TypeError, ValueError) as exc:
            raise AlertError(f"quy tắc thứ {i}: {exc}", cli_hint=str(path)) from exc
        if rule.id in seen:
            raise AlertError(f"quy tắc thứ {i}: trùng id {rule.id!r}", cli_hint=str(path))
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _rule(r: dict, i: int) -> Rule:
    from .digest import _address

    known = {"id", "kind", "to", "kpi", "band", "unit", "level", "max", "handler", "at", "as", "period"}
    if unknown := set(r) - known:
        raise AlertError(f"khoá không biết: {', '.join(sorted(unknown))}")
    kind = r.get("kind")
    if kind not in KINDS:
        raise AlertError(f"kind phải là {', '.join(KINDS)}")
    to = r.get("to")
    if isinstance(to, str):
        to = [to]
    if not to or not all(isinstance(a, str) and _address(a) for a in to):
        raise AlertError(f"to: địa chỉ thư không hợp lệ: {to!r}")
    kw: dict = {"id": str(r.get("id") or f"{kind}-{i}"), "kind": kind, "to": tuple(to), "as_user": r.get("as")}
    for key in ("unit", "level", "handler"):
        if r.get(key) is not None:
            kw[key] = str(r[key])
    if kw.get("level") not in (None, "ward", "city"):
        raise AlertError("level phải là ward hoặc city")
    if r.get("period") is not None:
        kw["period"] = str(r["period"])
    return Rule(**kw, **_kind_fields(kind, r))


def _kind_fields(kind: str, r: dict) -> dict:
    kw: dict = {}
    if kind == "kpi_below":
        if r.get("kpi") not in KPI_BY_NAME:
            raise AlertError(f"kpi phải là một trong {', '.join(KPI_BY_NAME)}")
        kw["kpi"] = r["kpi"]
        kw["band"] = r.get("band", "target")
        if kw["band"] not in BANDS:
            raise AlertError("band phải là target hoặc at_risk")
    if kind == "overdue_above":
        if not isinstance(r.get("max"), int) or isinstance(r.get("max"), bool) or r["max"] < 0:
            raise AlertError("max phải là số nguyên ≥ 0")
        kw["max"] = r["max"]
    if kind == "early_warning" and r.get("at") is not None:
        m = _TIME.fullmatch(str(r["at"]))
        if not m:
            raise AlertError(f"at: giờ không hợp lệ {r['at']!r} (HH:MM)")
        kw["at"] = dt.time(int(m.group(1)), int(m.group(2)))
    return kw


# ----------------------------------------------------------------------------- evaluating
def evaluate(rule: Rule, reader) -> list[Crossing]:
    """Every crossing a rule watches, crossed or not, from `reader` (already in the rule's scope)."""
    from .digest import resolve

    period = resolve(reader, rule.period)
    if rule.kind == "kpi_below":
        return [_kpi_crossing(rule, reader, period)]
    if rule.kind == "overdue_above":
        return _overdue_crossings(rule, reader, period)
    return _early_warning_crossings(rule, reader)


def _kpi_crossing(rule: Rule, reader, period) -> Crossing:
    from .metrics.kpis import kpi_rows
    from .metrics.units import unit_name
    from .ui import format as fmt

    k = KPI_BY_NAME[rule.kpi]
    code = rule.unit or "ALL"
    rows = [r for r in kpi_rows(reader, period, by_unit=True) if r["kpi"] == rule.kpi]
    row = next((r for r in rows if r["unit_code"] == code), None)
    status = row["status"] if row else "no_data"
    value = f"{fmt.kpi_value(row['actual'] if row else None, k.format)} ({STATUS_LABELS_KPI.get(status, status)}, " \
            f"{period.label})"
    names = dict(reader.q("units")[["unit_code", "unit_name"]].itertuples(index=False, name=None))
    table = [[r["unit_code"], names.get(r["unit_code"], reader.city if r["unit_code"] == "ALL" else ""),
              fmt.kpi_value(r["actual"], k.format), fmt.target_text(r["comparator"], r["target"], k.format)
              if r["target"] is not None else "", STATUS_LABELS_KPI.get(r["status"], r["status"])]
             for r in sorted(rows, key=lambda r: (r["unit_code"] != "ALL", r["actual"] is None, r["actual"] or 0))]
    return Crossing(f"{rule.id}:{code}", rule, unit_name(reader, rule.unit) or reader.city,
                    status in BANDS[rule.band], value, rule.unit,
                    ["Mã đơn vị", "Đơn vị", k.label, "Chỉ tiêu", "Trạng thái"], table)


LIST_HEADERS = ["Mã hồ sơ", "Mã đơn vị", "Đơn vị", "Thủ tục", "Lĩnh vực", "Ngày tiếp nhận", "Hạn trả",
                "Cán bộ xử lý", "Còn / quá (ngày làm việc)"]


def _list_rows(df) -> list[list]:
    from .ui import format as fmt

    left = "working_days_left" if "working_days_left" in df else None
    return [[r["dossier_id"], r["unit_code"], r["unit_name"], r["procedure_name"], r["field"],
             fmt.datetime(r["received_at"]), fmt.datetime(r["due_at"]), r["handler"],
             fmt.as_int(r[left]) if left else None] for r in df.to_dict("records")]


def _overdue_crossings(rule: Rule, reader, period) -> list[Crossing]:
    from .metrics import late_set
    from .metrics.form import counts
    from .metrics.units import units

    if rule.unit:
        codes = [rule.unit]
    else:
        u = units(reader)
        codes = sorted(u[u.level == (rule.level or "ward")].unit_code)
    names = dict(units(reader)[["unit_code", "unit_name"]].itertuples(index=False, name=None))
    f = counts(reader, period, None)
    overdue = f.groupby("unit_code")["pending_overdue"].sum().to_dict() if not f.empty else {}
    out = []
    for code in codes:
        n = int(overdue.get(code, 0))
        c = Crossing(f"{rule.id}:{code}", rule, names.get(code, code), n > rule.max, f"{n} hồ sơ quá hạn", code,
                     LIST_HEADERS)
        if c.crossed:
            c.rows = _list_rows(late_set.export(reader, period, late_set.LateFilter(view="overdue", unit=code)))
        out.append(c)
    return out


def _early_warning_crossings(rule: Rule, reader) -> list[Crossing]:
    from .metrics import late_set

    df = late_set.at_risk(reader, unit=rule.unit)
    handlers = [rule.handler] if rule.handler else sorted(set(df.handler.dropna()))
    out = []
    for h in handlers:
        mine = df[df.handler == h]
        out.append(Crossing(f"{rule.id}:{h}", rule, h, not mine.empty, f"{len(mine)} hồ sơ sắp đến hạn", rule.unit,
                            LIST_HEADERS, _list_rows(mine)))
    return out


# ----------------------------------------------------------------------------- state and sending
class AlertState(StateFile):
    def load(self) -> dict:
        try:
            return self.read({})
        except ValueError:
            log.warning("alerts: %s unreadable, starting afresh", self.path)
            return {}

    def save(self, state: dict) -> None:
        self.write(state)


def check(db_path, now: dt.datetime | None = None, smtp: str | None = None, say=None) -> dict:
    """Evaluate every rule; mail each new crossing. Returns {"sent": n, "failed": n, "crossed": n, "recovered": n}."""
    from . import audit
    from .auth import UserStore, users_path
    from .db import Database
    from .digest import scoped_reader
    from .exports import table_xlsx
    from .mail import MailError, attach, deliver, new_message, sender_from, server_from
    from .reader import Reader
    from .ui import format as fmt

    say = say or (lambda s: None)
    now = now or dt.datetime.now()
    rules = load_rules(db_path)
    totals = {"sent": 0, "failed": 0, "crossed": 0, "recovered": 0}
    if not rules:
        return totals
    base = Reader(Database(db_path).snapshot())
    settings = base.settings
    store = AlertState(state_path(db_path))
    log_path = audit.path_for(db_path)
    users = UserStore(users_path(db_path))
    with store.locked():
        state = store.load()
        for rule in rules:
            if rule.kind == "early_warning" and now.time() < rule.at:
                continue  # not yet its hour today: the state stays as it was
            principal = users.get(rule.as_user) if rule.as_user else None
            if rule.as_user and principal is None:
                say(f"Cảnh báo {rule.id}: không có người dùng {rule.as_user!r}: bỏ qua")
                continue
            reader = scoped_reader(base, principal)
            watched = {c.key: c for c in evaluate(rule, reader)}
            for key in [k for k in state if k.startswith(rule.id + ":") and k not in watched]:
                watched[key] = None  # a handler whose list emptied out of the data: recovered
            for key, c in watched.items():
                was = state.get(key, {}).get("state")
                if c is None or not c.crossed:
                    if was == "crossed":
                        totals["recovered"] += 1
                        say(f"Cảnh báo {rule.id}: {key} đã trở lại bình thường")
                    state[key] = {"state": "ok", "since": now.isoformat(timespec="minutes"),
                                  "value": c.value if c else ""}
                    continue
                totals["crossed"] += 1
                if was == "crossed":
                    continue  # already told: no repeat until it recovers
                subject = f"[CCHC] Cảnh báo: {rule.label} — {c.subject}: {c.value}"
                text = (f"{rule.label}\n{c.subject}: {c.value}\nDữ liệu đến {fmt.datetime(base.as_of)}.\n"
                        f"Danh sách kèm theo: {len(c.rows)} dòng (Excel).\n"
                        f"Bảng điều hành: {(settings.get('base_url') or '').rstrip('/')}/\n"
                        "Thư này chỉ gửi một lần cho mỗi lần vượt ngưỡng; sẽ gửi lại khi chỉ số trở lại bình thường "
                        "rồi vượt ngưỡng lần nữa.\n")
                msg = new_message(subject, sender_from(settings), list(rule.to), text)
                title = f"{rule.label} — {c.subject} — dữ liệu đến {fmt.datetime(base.as_of)}"
                name = re.sub(r"[^A-Za-z0-9_-]+", "-", f"canh-bao-{key}")[:80] + ".xlsx"
                attach(msg, table_xlsx(c.headers, c.rows, sheet="Canh bao", title=title), name, "application",
                       "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                fields = dict(rule=rule.id, key=key, unit=c.unit, value=c.value, rows=len(c.rows),
                              recipients=len(rule.to))
                try:
                    server = server_from(settings, smtp)
                    attempts = deliver(msg, server)
                except MailError as exc:
                    totals["failed"] += 1
                    audit.record("alert_failed", audit.os_user(), log_path, reason=str(exc), **fields)
                    say(f"Cảnh báo {rule.id}: {key}: lỗi: {exc.for_cli()}")
                    state[key] = {"state": "unsent", "since": now.isoformat(timespec="minutes"), "value": c.value,
                                  "error": str(exc)}
                    continue
                totals["sent"] += 1
                audit.record("alert_sent", audit.os_user(), log_path, server=server.label, attempts=attempts, **fields)
                say(f"Cảnh báo {rule.id}: {key}: đã gửi ({c.value})")
                state[key] = {"state": "crossed", "since": now.isoformat(timespec="minutes"), "value": c.value}
        store.save(state)
    return totals


def after_import(db_path) -> None:
    """Called by the importer once a new file is published: evaluate the rules; never fails the import."""
    try:
        if rules_path(db_path).exists():
            check(Path(db_path))
    except Exception:  # the import is published; an alert problem is logged, and `cchc alerts check` says more
        log.exception("alerts: evaluation after import failed")
