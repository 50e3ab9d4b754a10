"""`cchc digest`: the weekly brief as one e-mail — the overview's sentence in the subject ("Quý 4/2026 …: 4/8 chỉ
tiêu đạt"), the KPIs with their status symbols, the worst units with links into the dashboard, overdue now and about
to be late, the late budget, and the one-page PDF attached; all read through the recipient's scope (a ward chairman
gets his ward), with the same metric functions as the overview page."""

from __future__ import annotations

import html as _html
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import AT_RISK_DAYS, STATUS_LABELS_KPI
from .errors import HintedError
from .metrics import insight, kpis, late_set
from .metrics.period import Period, PeriodError
from .metrics.status import scorecard
from .metrics.units import home_unit, unit_name
from .ui import format as fmt
from .ui import ids
from .ui.components import href
from .ui.theme import STATUS_ICONS

PERIOD_KINDS = {"week": "week", "month": "month", "quarter": "quarter", "half": "half", "year": "year",
                "tuan": "week", "thang": "month", "quy": "quarter", "nam": "year"}


class DigestError(HintedError, ValueError):
    """Nothing could be built: the message for a page, `cli_hint` for the command line (errors.HintedError)."""


@dataclass
class Digest:
    subject: str
    text: str
    html: str
    period: Period
    unit: str | None
    met: int
    judged: int
    pdf: bytes = b""
    pdf_pages: int = 0
    pdf_name: str = ""
    links: list[str] = field(default_factory=list)


def resolve(reader, text: str | None) -> Period:
    """A period key (2026-Q3, 2026-W47…) or a kind (week, month, quarter, year: the one containing the data's
    as-of date), cut at the as-of date as the pages cut it."""
    day = reader.as_of.date()
    try:
        p = Period.containing(PERIOD_KINDS[text], day) if text in PERIOD_KINDS else Period.parse(text or "quarter")
    except (PeriodError, ValueError, KeyError) as exc:
        raise DigestError(f"kỳ không hợp lệ: {text!r} ({exc})") from None
    return p.clipped(day)


def scoped_reader(reader, principal):
    from .reader import Reader

    return reader if principal is None else Reader(reader.snapshot, principal.scope)


def compose(reader, period: Period, unit: str | None, base_url: str) -> Digest:
    """The digest's subject and both bodies, from `reader` (already scoped to the recipient)."""
    unit = unit or home_unit(reader)
    if unit and unit not in set(reader.q("units").unit_code):
        raise DigestError(f"đơn vị {unit} không có hoặc nằm ngoài phạm vi người nhận")
    scope = unit_name(reader, unit) or reader.city
    cards = kpis.kpi_cards(reader, period, unit)
    met, judged = scorecard(c.status for c in cards)
    base = base_url.rstrip("/")
    q = {"period": period.key, "unit": unit}
    link = lambda path, **kw: base + href(path, **{**q, **kw})  # noqa: E731
    worst = None if unit else kpis.worst_units(reader, period)
    counts = late_set.counts(reader, period, unit)
    proj = _projection(reader, period, unit)

    subject = f"[CCHC] {scope} — {period.label}: {met}/{judged} chỉ tiêu đạt"
    kpi_lines = [
        (STATUS_ICONS.get(c.status, "–"), c.label, fmt.kpi_value(c.actual, c.unit),
         fmt.target_text(c.comparator, c.target, c.unit) if c.target is not None else "chưa có chỉ tiêu",
         STATUS_LABELS_KPI.get(c.status, c.status))
        for c in sorted(cards, key=lambda c: {"missed": 0, "unreachable": 0, "at_risk": 1}.get(c.status, 2))
    ]
    worst_rows = [] if worst is None else [
        (r.unit_name, fmt.pct(r.on_time_rate), fmt.num(r.resolved_late), fmt.num(r.pending_overdue),
         link(ids.UNITS_PATH, unit=r.unit_code, kpi="on_time_rate"))
        for r in worst.itertuples()
    ]
    late_lines = [  # (label, count, hint, link): the overview's three boxes
        ("Hồ sơ đang quá hạn", counts["overdue"], f"tính đến {fmt.date(period.end)}",
         link(ids.LATE_PATH, view="overdue")),
        ("Sắp đến hạn", counts["at_risk"], f"trong {AT_RISK_DAYS} ngày làm việc tới",
         link(ids.LATE_PATH, view="at_risk")),
        ("Đã giải quyết trễ hạn", counts["late"], "trong kỳ", link(ids.LATE_PATH, view="late")),
    ]
    overview = link(ids.OVERVIEW_PATH)

    text = [subject.removeprefix("[CCHC] "), "", f"Dữ liệu đến {fmt.datetime(reader.as_of)}. Xem trên bảng điều hành: "
            f"{overview}", "", "CHỈ TIÊU"]
    text += [f"  {icon} {label}: {value} ({target}) — {status}" for icon, label, value, target, status in kpi_lines]
    if worst_rows:
        text += ["", f"{len(worst_rows)} ĐƠN VỊ CÓ TỶ LỆ ĐÚNG HẠN THẤP NHẤT"]
        text += [f"  {i}. {n}: {r} đúng hạn, {late} trễ hạn, {od} đang quá hạn — {u}"
                 for i, (n, r, late, od, u) in enumerate(worst_rows, 1)]
    text += ["", "HỒ SƠ CẦN XỬ LÝ NGAY"]
    text += [f"  {label}: {fmt.num(n)} ({hint}) — {u}" for label, n, hint, u in late_lines]
    if proj:
        text += ["", "NGÂN SÁCH TRỄ HẠN", f"  {proj}"]
    text += ["", "Tệp đính kèm: trang tổng quan (PDF) trong phạm vi của người nhận.",
             "Thư tự động từ Bảng điều hành CCHC; trả lời thư này không có người đọc."]

    e = _html.escape
    h = [f"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{e(subject)}</title></head>"
         f"<body style=\"font-family:sans-serif\"><h1 style=\"font-size:20px\">{e(scope)} — {e(period.label)}</h1>",
         f"<p><strong>{met}/{judged} chỉ tiêu đạt</strong>. Dữ liệu đến {e(fmt.datetime(reader.as_of))}. "
         f"<a href=\"{e(overview)}\">Mở bảng điều hành</a></p>",
         "<h2 style=\"font-size:16px\">Chỉ tiêu</h2><table cellpadding=\"4\"><tr><th>Trạng thái</th><th>Chỉ số</th>"
         "<th>Thực tế</th><th>Chỉ tiêu</th></tr>"]
    h += [f"<tr><td>{e(icon)} {e(status)}</td><td>{e(label)}</td><td>{e(value)}</td><td>{e(target)}</td></tr>"
          for icon, label, value, target, status in kpi_lines]
    h.append("</table>")
    if worst_rows:
        h.append(f"<h2 style=\"font-size:16px\">{len(worst_rows)} đơn vị có tỷ lệ đúng hạn thấp nhất</h2>"
                 "<table cellpadding=\"4\"><tr><th>#</th><th>Đơn vị</th><th>Đúng hạn</th><th>Trễ hạn (đã GQ)</th>"
                 "<th>Đang quá hạn</th></tr>")
        h += [f"<tr><td>{i}</td><td><a href=\"{e(u)}\">{e(n)}</a></td><td>{e(r)}</td><td>{e(late)}</td>"
              f"<td>{e(od)}</td></tr>" for i, (n, r, late, od, u) in enumerate(worst_rows, 1)]
        h.append("</table>")
    h.append("<h2 style=\"font-size:16px\">Hồ sơ cần xử lý ngay</h2><ul>")
    h += [f"<li><a href=\"{e(u)}\">{e(label)}: <strong>{e(fmt.num(n))}</strong></a> ({e(hint)})</li>"
          for label, n, hint, u in late_lines]
    h.append("</ul>")
    if proj:
        h.append(f"<h2 style=\"font-size:16px\">Ngân sách trễ hạn</h2><p>{e(proj)}</p>")
    h.append("<p style=\"color:#555\">Tệp đính kèm: trang tổng quan (PDF) trong phạm vi của người nhận. "
             "Thư tự động từ Bảng điều hành CCHC.</p></body></html>")
    links = [overview] + [r[4] for r in worst_rows] + [x[3] for x in late_lines]
    return Digest(subject, "\n".join(text) + "\n", "".join(h), period, unit, met, judged, links=links)


def _projection(reader, period: Period, unit: str | None) -> str | None:
    """The overview's late budget sentence for the quarter still running (None for a past period)."""
    pr = insight.running_projection(reader, period, unit)
    if pr is None:
        return None
    q = Period.containing("quarter", reader.as_of.date())
    budget = (f"còn được phép trễ {fmt.num(pr.late_budget)} hồ sơ" if pr.reachable
              else "không còn đạt được chỉ tiêu kể cả khi không trễ thêm hồ sơ nào")
    return (f"Đến cuối {q.label.lower()}: {budget}; dự báo tỷ lệ đúng hạn {fmt.pct(pr.projected_rate)} "
            f"({fmt.pct(pr.projected_low)} – {fmt.pct(pr.projected_high)}).")


def with_pdf(d: Digest, db_path: Path, principal=None) -> Digest:
    """Attach the one-page overview PDF, printed through the recipient's scope (export_pdf, like `cchc export`)."""
    from .export_pdf import export_pdf

    with tempfile.TemporaryDirectory(prefix="cchc-digest-") as tmp:
        out = Path(tmp) / "tong-quan.pdf"
        d.pdf_pages = export_pdf(db_path, "pdf", d.period, d.unit, out, principal=principal)
        d.pdf = out.read_bytes()
    d.pdf_name = f"cchc-tong-quan-{d.period.key}{'-' + d.unit if d.unit else ''}.pdf"
    return d


def message(d: Digest, sender: str, to: list[str]):
    from .mail import attach, new_message

    msg = new_message(d.subject, sender, to, d.text, d.html)
    if d.pdf:
        attach(msg, d.pdf, d.pdf_name, "application", "pdf")
    return msg


class DigestFailed(HintedError, RuntimeError):
    """The digest was built but could not be delivered (after the retries); audited as digest_failed."""


def send_digest(db_path: Path, period_text: str | None, unit: str | None, to: list[str], *, as_user: str | None = None,
                smtp: str | None = None, starttls: bool = False, dry_run: bool = False, log=print,
                subscription: str | None = None, by: str | None = None, test: bool = False) -> Digest:
    """Build the recipient's digest (PDF included) and send it; audited either way. DigestError: nothing could be
    built (unknown user, unit, period, no mail server); DigestFailed: built, not delivered. `by`: who sends it for the
    audit log (default the operating-system user of the command line); `test`: a test send from the page."""
    from . import audit
    from .auth import UserStore, users_path
    from .db import Database, NoDatabase
    from .mail import MailError, deliver, sender_from, server_from
    from .reader import Reader

    db_path = Path(db_path)
    try:
        reader = Reader(Database(db_path).snapshot())
    except NoDatabase as exc:
        raise DigestError("chưa có cơ sở dữ liệu", cli_hint=str(exc)) from exc
    principal = None
    if as_user:
        principal = UserStore(users_path(db_path)).get(as_user)
        if principal is None:
            raise DigestError(f"không có người dùng {as_user!r}", cli_hint="xem `cchc users list`")
    bad = [a for a in to if not _address(a)]
    if bad or not to:
        raise DigestError(f"địa chỉ thư không hợp lệ: {', '.join(bad) or '(trống)'}")
    settings = reader.settings
    server = None
    if not dry_run:
        try:
            server = server_from(settings, smtp, starttls)
        except MailError as exc:
            raise DigestError(str(exc), exc.cli_hint) from exc
    d = compose(scoped_reader(reader, principal), resolve(reader, period_text), unit, settings.get("base_url") or "")
    with_pdf(d, db_path, principal)
    msg = message(d, sender_from(settings), list(to))
    fields = dict(period=d.period.key, unit=d.unit, as_user=as_user, recipients=len(to), subscription=subscription,
                  pages=d.pdf_pages, kpis_met=f"{d.met}/{d.judged}", test=test or None)
    by = by or audit.os_user()
    if dry_run:
        log(f"Tiêu đề: {d.subject}\nGửi đến: {', '.join(to)}\nĐính kèm: {d.pdf_name} ({d.pdf_pages} trang, "
            f"{fmt.num(len(d.pdf))} byte)\n\n{d.text}\n(--dry-run: chưa gửi)")
        return d
    log_path = audit.path_for(db_path)
    try:
        attempts = deliver(msg, server)
    except MailError as exc:
        audit.record("digest_failed", by, log_path, server=server.label, attempts=exc.attempts,
                     reason=str(exc), **fields)
        raise DigestFailed(str(exc), exc.cli_hint) from exc
    audit.record("digest_sent", by, log_path, server=server.label, attempts=attempts, **fields)
    log(f"Đã gửi «{d.subject}» đến {len(to)} địa chỉ qua {server.label} ({attempts} lần thử).")
    return d


def _address(a: str) -> bool:
    from email.utils import parseaddr

    name, addr = parseaddr(a)
    local, at, domain = addr.partition("@")
    return bool(at and local and domain and not any(c in a for c in "\r\n"))
