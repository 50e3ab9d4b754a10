"""The `cchc` command (also `python -m dashboard`): shared/data-contract.md §3."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import sys
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any

from . import config


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="đường dẫn cơ sở dữ liệu (mặc định data/cchc.duckdb, hoặc biến CCHC_DB)")


def _add_period(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--period", help="kỳ: 2024-W15, 2024-04, 2024-Q1, 2024-H1, 2024")
    p.add_argument("--from", dest="date_from", help="từ ngày (yyyy-mm-dd), kèm --to")
    p.add_argument("--to", dest="date_to", help="đến ngày (yyyy-mm-dd), bao gồm")


def _list_remove(actions, list_help: str, remove_help: str, key: str) -> None:
    """The `list [--format table|json]` and `remove KEY` actions of a command that keeps a list (users,
    subscriptions)."""
    q = actions.add_parser("list", help=list_help)
    q.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(q)
    q = actions.add_parser("remove", help=remove_help)
    q.add_argument(key)
    _add_db(q)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="cchc", description="Bảng điều hành cải cách hành chính (CCHC)")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "demo", help="dựng thành phố mẫu (đơn vị, chỉ tiêu, ~3 năm hồ sơ, đánh giá, PAR INDEX, kế hoạch)"
    )
    _add_db(p)
    p.add_argument("--dossiers", type=int, help="tổng số hồ sơ (mặc định ≈ 7.000/quý)")
    p.add_argument(
        "--as-of", help="ngày dữ liệu mẫu kết thúc (yyyy-mm-dd, mặc định hôm qua: một ngày làm việc trọn vẹn)"
    )
    p.add_argument("--seed", type=int, default=20240101)
    p.add_argument(
        "--city",
        default="Huế",
        help="tỉnh, thành phố trực thuộc trung ương theo danh mục 2025 (mặc định Huế; vd. \"Đà Nẵng\"); "
        "legacy: thị xã 16 đơn vị trước 2025 (TP Tây Ninh) của các bài kiểm thử cũ",
    )
    p.add_argument("--if-missing", action="store_true", help="chỉ dựng khi chưa có cơ sở dữ liệu")

    p = sub.add_parser("ingest", help="kiểm tra và nạp tệp trích xuất (loại tệp và mẫu xuất nhận ra từ dòng tiêu đề)")
    p.add_argument("files", nargs="+")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="chỉ xem trước: loại tệp, mẫu, cột → cột chuẩn, số dòng nhận/loại/bỏ qua và lý do; không công bố",
    )
    p.add_argument(
        "--accept-partial",
        action="store_true",
        # "%%": argparse reads a help text as a format; a lone % took the argument's dict
        help=f"công bố cả khi một tệp theo mẫu xuất thực tế bị loại quá {config.PARTIAL_REJECT_SHARE:.0%}% "
        "số dòng dữ liệu (mẫu hợp đồng dữ liệu: luôn công bố, dòng lỗi vào danh sách loại — data-contract §3)",
    )
    _add_db(p)

    p = sub.add_parser("profiles", help="các mẫu xuất (hồ sơ nạp) đã biết: tệp TOML, cột nhận ra")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _add_db(p)

    p = sub.add_parser("conflicts", help="các dòng không áp dụng vì sẽ đưa hồ sơ đã có kết quả về chưa giải quyết")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    _add_db(p)

    p = sub.add_parser("report", help="báo cáo")
    rs = p.add_subparsers(dest="report", required=True)
    q = rs.add_parser("quarterly", help="biểu kết quả giải quyết TTHC")
    _add_period(q)
    q.add_argument("--unit")
    q.add_argument("--by", choices=["unit", "level", "field"], default="unit")
    q.add_argument(
        "--units",
        choices=["as-of", "current"],
        default="as-of",
        help="as-of: các đơn vị như trong kỳ (số liệu chính thức, mặc định); current: cộng dồn vào đơn vị hiện nay "
        "(đơn vị đã sáp nhập, đổi tên tính vào đơn vị kế thừa)",
    )
    q.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
    q.add_argument("--out", help="tệp kết quả (bắt buộc với xlsx nếu đầu ra là terminal)")
    _add_db(q)

    p = sub.add_parser(
        "close", help="chốt số liệu một kỳ: giữ nguyên biểu đã công bố (ai, khi nào, phiên bản dữ liệu, số liệu)"
    )
    p.add_argument("--period", help="kỳ đã kết thúc: 2026-Q1, 2026-03, 2026-H1, 2026")
    p.add_argument(
        "--as", dest="as_user", metavar="USER", help="chốt với tư cách người dùng này (cần quyền nạp dữ liệu)"
    )
    p.add_argument("--list", action="store_true", help="liệt kê các lần chốt, kể cả đã mở lại")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(p)

    p = sub.add_parser("reopen", help="mở lại một kỳ đã chốt (bắt buộc nêu lý do; ghi nhật ký)")
    p.add_argument("--period", required=True)
    p.add_argument("--reason", required=True, help="lý do mở lại")
    p.add_argument("--as", dest="as_user", metavar="USER", help="với tư cách người dùng này (cần quyền nạp dữ liệu)")
    _add_db(p)

    p = sub.add_parser("kpi", help="các chỉ số so với chỉ tiêu")
    _add_period(p)
    p.add_argument("--by", choices=["unit"])
    p.add_argument("--unit")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument(
        "--projection",
        action="store_true",
        help="dự báo cuối quý: số hồ sơ còn được phép trễ và tỷ lệ đúng hạn dự kiến (quý chứa ngày dữ liệu)",
    )
    _add_db(p)

    p = sub.add_parser("index", help="điểm Bộ chỉ số phục vụ (QĐ 766) theo đơn vị, từng thành phần")
    _add_period(p)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    _add_db(p)

    p = sub.add_parser("index766", help="Bộ chỉ số 766 như Cổng DVC quốc gia tính: từng chỉ số thành phần")
    _add_period(p)
    p.add_argument("--by", choices=["unit"])
    p.add_argument("--unit")
    p.add_argument("--compare", action="store_true", help="kèm kết quả Cổng đã công bố (đã nhập) và chênh lệch")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    _add_db(p)

    p = sub.add_parser("lateness", help="trễ hạn theo đồng hồ gốc (thời hạn luật định) và theo hạn đã điều chỉnh")
    _add_period(p)
    p.add_argument("--unit")
    p.add_argument("--dossiers", action="store_true", help="từng hồ sơ (đối chiếu đến hồ sơ)")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    _add_db(p)

    p = sub.add_parser("rejects", help="các dòng bị loại khi nạp (tệp, dòng, cột, lý do)")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("--all", action="store_true", help="kể cả các dòng đã được nạp lại sau khi sửa")
    _add_db(p)

    p = sub.add_parser("at-risk", help="hồ sơ đang xử lý sắp đến hạn")
    p.add_argument("--as-of", help="thời điểm (yyyy-mm-dd hoặc yyyy-mm-ddTHH:MM), mặc định bây giờ")
    p.add_argument("--days", type=int, default=2, help="số ngày làm việc (mặc định 2)")
    p.add_argument("--unit")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    _add_db(p)

    p = sub.add_parser("export", help="xuất PDF: trang tổng quan (pdf) hoặc bộ trình chiếu (deck)")
    p.add_argument("what", choices=["pdf", "deck"])
    _add_period(p)
    p.add_argument("--unit")
    p.add_argument("--out", required=True)
    p.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="xuất đúng như người dùng này thấy (phạm vi đơn vị, che dữ liệu cá nhân), vd. cho một phường",
    )
    _add_db(p)

    p = sub.add_parser("settings", help="xem/đặt thiết lập lưu cùng dữ liệu (vd. city_peer_code)")
    p.add_argument("assignments", nargs="*", metavar="KEY=VALUE")
    _add_db(p)

    p = sub.add_parser(
        "upgrade", help="công bố lại cơ sở dữ liệu theo cấu trúc bảng của phiên bản này (dữ liệu giữ nguyên)"
    )
    _add_db(p)

    p = sub.add_parser("serve", help="chạy bảng điều hành")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    p.add_argument(
        "--no-auth", action="store_true", help="không đăng nhập, toàn quyền: chỉ cho máy cục bộ (--host 127.0.0.1)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="số tiến trình gunicorn (vd. 2); 0 = máy chủ phát triển của Flask (mặc định)",
    )
    p.add_argument("--threads", type=int, default=4, help="số luồng mỗi tiến trình gunicorn (mặc định 4)")
    _add_db(p)

    p = sub.add_parser("users", help="người dùng: add / list / remove (tệp users.json cạnh cơ sở dữ liệu)")
    us = p.add_subparsers(dest="action", required=True)
    q = us.add_parser("add", help="thêm người dùng (mật khẩu hỏi ở terminal, hoặc đọc từ stdin với --password-stdin)")
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=["lanh_dao", "noi_vu", "don_vi"])
    q.add_argument("--units", default="", help="mã đơn vị, cách nhau dấu phẩy (bắt buộc với don_vi)")
    q.add_argument("--name", default="", help="tên hiển thị")
    q.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    q.add_argument("--replace", action="store_true", help="đặt lại người dùng đã có (đăng xuất các phiên cũ)")
    _add_db(q)
    _list_remove(us, "liệt kê người dùng", "xoá người dùng (các phiên đang mở hết hiệu lực ngay)", "username")

    p = sub.add_parser("units", help="đơn vị: danh mục chính thức (catalogue), đơn vị và hiệu lực (list)")
    us = p.add_subparsers(dest="action", required=True)
    q = us.add_parser(
        "catalogue", help="in units.csv của một tỉnh, thành phố từ danh mục đơn vị hành chính (mã chính thức, 2025)"
    )
    q.add_argument("--province", required=True, help='tên tỉnh, thành phố (vd. "Thành phố Đà Nẵng", "da nang") hoặc mã')
    q.add_argument("--format", choices=["csv", "json"], default="csv")
    q = us.add_parser(
        "changes", help="unit_changes.csv của một tỉnh, thành phố: phường, xã cũ → phường, xã mới từ 01/07/2025"
    )
    q.add_argument("--prefill", action="store_true", required=True, help="điền sẵn từ dữ liệu vietnamadminunits")
    q.add_argument("--province", required=True, help='tên tỉnh, thành phố (vd. "Thành phố Huế", "hue") hoặc mã')
    q.add_argument("--old-prefix", default="C", help='tiền tố mã đơn vị cũ (mặc định "C": C19777; "" giữ mã GSO)')
    q.add_argument("--out", help="ghi vào tệp này (mặc định: in ra màn hình)")
    q = us.add_parser("list", help="các đơn vị đã nạp: hiệu lực (valid_from, valid_to) và đơn vị kế thừa")
    q.add_argument("--format", choices=["table", "json", "csv"], default="table")
    _add_db(q)

    p = sub.add_parser(
        "digest", help="gửi bản tin qua thư: chỉ tiêu, đơn vị chậm nhất, hồ sơ quá hạn, PDF tổng quan đính kèm"
    )
    p.add_argument("--period", help="kỳ (2026-Q3, 2026-W47…) hoặc week|month|quarter|year: kỳ chứa ngày dữ liệu")
    p.add_argument("--unit", help="một đơn vị (mặc định: toàn bộ phạm vi của người nhận)")
    p.add_argument("--to", nargs="+", default=[], metavar="ADDR", help="địa chỉ nhận")
    p.add_argument("--as", dest="as_user", metavar="USER", help="đọc số liệu và in PDF như người dùng này thấy")
    p.add_argument("--smtp", metavar="HOST:PORT", help="máy chủ thư (mặc định: thiết lập smtp_host, smtp_port)")
    p.add_argument("--starttls", action="store_true", help="dùng STARTTLS (mặc định: thiết lập smtp_starttls)")
    p.add_argument("--dry-run", action="store_true", help="chỉ in thư (tiêu đề, nội dung, tệp đính kèm); không gửi")
    p.add_argument("--due", action="store_true", help="gửi mọi đăng ký nhận bản tin đã đến giờ (cho systemd/cron)")
    p.add_argument("--now", help=argparse.SUPPRESS)  # --due as of this local time (yyyy-mm-ddTHH:MM): tests, catch-up
    _add_db(p)

    p = sub.add_parser("subscriptions", help="đăng ký nhận bản tin: add / list / remove (gửi bằng cchc digest --due)")
    ss = p.add_subparsers(dest="action", required=True)
    q = ss.add_parser("add", help="thêm một đăng ký: ai nhận, phạm vi, lịch gửi, kỳ")
    q.add_argument("--to", nargs="+", required=True, metavar="ADDR")
    q.add_argument("--schedule", required=True, help='lịch gửi, vd. "Mon 07:00", "T2,T5 07:00", "daily 06:30"')
    q.add_argument(
        "--period", default="quarter", help="week|month|quarter|half|year (kỳ chứa ngày dữ liệu) hoặc kỳ cố định"
    )
    q.add_argument("--unit", help="một đơn vị (mặc định: toàn bộ phạm vi)")
    q.add_argument("--as", dest="as_user", metavar="USER", help="phạm vi của tài khoản này (vd. chủ tịch một phường)")
    q.add_argument("--name", default="", help="tên gợi nhớ")
    _add_db(q)
    _list_remove(ss, "các đăng ký, lần gửi gần nhất, lần gửi tới", "xoá một đăng ký", "id")

    p = sub.add_parser("alerts", help="cảnh báo theo ngưỡng (quy tắc trong alerts.toml): list / check")
    ss = p.add_subparsers(dest="action", required=True)
    q = ss.add_parser("list", help="các quy tắc và trạng thái hiện tại (đang vượt ngưỡng hay không)")
    q.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(q)
    q = ss.add_parser(
        "check", help="đánh giá các quy tắc và gửi thư cho mỗi lần mới vượt ngưỡng (tự chạy sau mỗi lần nạp)"
    )
    q.add_argument("--smtp", metavar="HOST:PORT", help="máy chủ thư (mặc định: thiết lập smtp_host, smtp_port)")
    q.add_argument("--now", help=argparse.SUPPRESS)
    _add_db(q)

    p = sub.add_parser("audit", help="nhật ký: đăng nhập, nạp dữ liệu, xuất dữ liệu, từ chối truy cập")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(p)
    return ap


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The one parser of a process (building it costs ~12 ms; in-process callers such as the tests call main often)."""
    return build_parser()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the databases it opened are closed when it returns (so a caller in the same process,
    like the tests' in-process runner, starts each call afresh)."""
    args = _parser().parse_args(argv)
    with contextlib.ExitStack() as args.opened:
        try:
            return COMMANDS[args.command](args)
        except CliError as exc:
            print(f"cchc: {exc}", file=sys.stderr)
            return 2


class CliError(Exception):
    pass


# ----------------------------------------------------------------------------- helpers
def _reader(args):
    """The operator's reader (full scope) of the current data version: the same path as the pages."""
    from .db import Database, NoDatabase
    from .reader import Reader

    try:
        snapshot = Database(config.db_path(args.db)).snapshot()
    except NoDatabase as exc:
        raise CliError(str(exc)) from exc
    opened = getattr(args, "opened", None)
    if opened is not None:
        opened.callback(snapshot.close)
    return Reader(snapshot)


def _period(args, reader=None):
    """The period asked for; with a reader, a period still running is cut at the data's as-of date, as the pages
    and the exports cut it (data-contract §2)."""
    from .metrics.period import PeriodError, from_cli

    try:
        p = from_cli(args.period, args.date_from, args.date_to)
    except (PeriodError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    return p.clipped(reader.as_of.date()) if reader is not None else p


def _json(obj: Any) -> None:
    """JSON out; NaN (pandas' missing value) becomes null, never the invalid token NaN."""
    text = json.dumps(_nan_to_none(obj), ensure_ascii=False, indent=2, default=_default, allow_nan=False)
    sys.stdout.write(text + "\n")


def _nan_to_none(o: Any) -> Any:
    if isinstance(o, float) and o != o:
        return None
    if isinstance(o, dict):
        return {k: _nan_to_none(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_nan_to_none(v) for v in o]
    return o


def _default(o: Any) -> Any:
    if isinstance(o, (dt.datetime, dt.date)):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(type(o).__name__)


def _rows_out(rows: list[dict], fmt: str) -> None:
    """Records as JSON (`--format json`) or CSV (`--format csv`)."""
    if fmt == "json":
        _json(rows)
    else:
        _csv(rows)


def _listing(rows: list[dict], fmt: str, empty: str, line: Callable[[dict], str]) -> None:
    """Records as JSON, CSV, or text for people: one `line` each, `empty` when there are none."""
    if fmt in ("json", "csv"):
        _rows_out(rows, fmt)
        return
    if not rows:
        print(empty)
    for r in rows:
        print(line(r))


def _csv(rows: list[dict], columns: list[str] | None = None) -> None:
    """CSV out through the exports' one sanitiser and writer (no formula can reach a spreadsheet)."""
    from .exports import csv_text

    columns = columns or (list(rows[0].keys()) if rows else [])
    sys.stdout.write(
        csv_text(
            columns,
            (
                [_default(v) if isinstance(v, (dt.date, dt.datetime)) else v for v in (r.get(c) for c in columns)]
                for r in rows
            ),
        )
    )


# ----------------------------------------------------------------------------- commands
def cmd_demo(args) -> int:
    from .demo.build import build_demo

    path = config.db_path(args.db)
    if args.if_missing and path.exists():
        print(f"Đã có cơ sở dữ liệu: {path}")
        done = _upgrade(path)
        if done:
            print(done)
        _demo_users(path, args)
        return 0
    from .catalogue import UnknownProvince

    if args.dossiers is not None and args.dossiers < 0:
        raise CliError(f"--dossiers {args.dossiers}: số hồ sơ phải từ 0 trở lên")
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    try:
        summary = build_demo(path, n_dossiers=args.dossiers, as_of=as_of, seed=args.seed, city=args.city)
    except UnknownProvince as e:
        raise CliError(str(e)) from None
    print(f"Đã dựng thành phố mẫu tại {path}: " + ", ".join(f"{k} {v:,}".replace(",", ".") for k, v in summary.items()))
    _demo_users(path, args)
    return 0


def _demo_users(path: Path, args) -> None:
    """A newcomer can sign in to the demo at once: three demo accounts when there are no users yet."""
    from .auth import UserStore, ensure_demo_users, users_path

    from .metrics import late_set
    from .metrics.period import Period
    from .metrics.units import units

    reader = _reader(argparse.Namespace(db=str(path), opened=args.opened))
    u = units(reader)
    names = dict(u[u.level == "ward"][["unit_code", "unit_name"]].itertuples(index=False, name=None))
    # the demo ward account shows the ward with the most late dossiers this year: something to drill into
    bd = late_set.breakdown(reader, Period.containing("year", reader.as_of.date()), late_set.LateFilter(view="all"))
    ranked = [k for k in bd[bd.dimension == "unit"].sort_values("n", ascending=False).key if k in names]
    ward = (ranked or sorted(names) or [None])[0]
    added = ensure_demo_users(UserStore(users_path(path)), ward, names.get(ward, ""))
    for u in added:
        units = " " + ",".join(u["units"]) if u["units"] else ""
        print(f"Tài khoản mẫu: {u['username']} / {u['password']} ({u['role']}{units})")


def cmd_ingest(args) -> int:
    from .ingest.load import PartialRefused, UnreadableFile, ingest
    from .ingest.profiles import ProfileError

    try:
        results = ingest(
            args.files, config.db_path(args.db), dry_run=args.dry_run, accept_partial=args.accept_partial
        )  # audited by ingest itself
    except PartialRefused as exc:
        raise CliError(f"không công bố: {exc} (cơ sở dữ liệu không thay đổi)") from exc
    except (UnreadableFile, ProfileError) as exc:
        raise CliError(f"không nạp được: {exc} (cơ sở dữ liệu không thay đổi)") from exc
    for r in results:
        for w in r.warnings:
            print(f"  cảnh báo: {w}", file=sys.stderr)
        print(r.line())
        for d in r.details():
            print(f"  {d}")
    if args.dry_run:
        print("Xem trước (--dry-run): chưa công bố gì.")
        return 0
    total_rej = sum(r.rejected for r in results)
    if total_rej:
        print(f"{total_rej} dòng bị loại: xem `cchc rejects`")
    return 0


def cmd_profiles(args) -> int:
    from .ingest.profiles import ProfileError, load_profiles, profile_dirs

    try:
        profiles = load_profiles(config.db_path(args.db))
    except ProfileError as exc:
        raise CliError(str(exc)) from exc
    rows = [
        {
            "name": p.name,
            "label": p.label,
            "kind": p.kind.name,
            "priority": p.priority,
            "detect": list(p.detect),
            "source": p.source,
        }
        for p in profiles
    ]
    if args.format == "json":
        _json(rows)
        return 0
    for r in rows:
        print(f"{r['name']:<22} {r['kind']:<11} {r['label']}")
        print(f"{'':<22} nhận ra khi có: {', '.join(r['detect'])}  ({r['source']})")
    print(
        "Thêm mẫu mới: chép một tệp .toml vào "
        + " hoặc ".join(str(d) for d in profile_dirs(config.db_path(args.db))[1:])
        + " (xem README, «Nạp dữ liệu thật»)"
    )
    return 0


def cmd_conflicts(args) -> int:
    rows = _reader(args).q("conflicts_list").to_dict("records")
    _listing(
        rows,
        args.format,
        "Không có xung đột phiên bản.",
        lambda r: f"{r['file_name']}:{r['line']} [{r['dossier_id']}] «{r['incoming_status']}» không áp dụng, giữ "
        f"«{r['kept_status']}» ({r['kept_file']}): {r['reason']}",
    )
    return 0


def cmd_report(args) -> int:
    from .metrics.closing import official_form

    reader = _reader(args)
    form = official_form(reader, _period(args, reader), unit=args.unit, by=args.by, units_mode=args.units)
    if args.format == "json":
        _json(form)
    elif args.format == "csv":
        from .exports import form_csv

        sys.stdout.write(form_csv(form))
    else:
        from .exports import form_xlsx

        data = form_xlsx(form, city=reader.settings.get("city_name", ""), settings=reader.settings)
        if args.out:
            Path(args.out).write_bytes(data)
            print(f"Đã ghi {args.out}")
        elif not sys.stdout.isatty():
            sys.stdout.buffer.write(data)
        else:
            raise CliError("--format xlsx cần --out TỆP (hoặc chuyển hướng đầu ra vào tệp)")
    return 0


def _actor(args):
    """Who closes or reopens: a named user (their role checked), else the operator running the command."""
    from . import audit

    if not args.as_user:
        return audit.os_user(), None
    from .auth import UserStore, users_path

    principal = UserStore(users_path(config.db_path(args.db))).get(args.as_user)
    if principal is None:
        raise CliError(f"không có người dùng {args.as_user!r} (cchc users list)")
    return principal.username, principal


def _closing_args(args):
    """(period, who, their principal or None, database path) of `cchc close` / `cchc reopen`."""
    period = _named_period(args)
    by, principal = _actor(args)
    path = config.db_path(args.db)
    if not path.exists():
        raise CliError(f"chưa có cơ sở dữ liệu {path}")
    return period, by, principal, path


def _named_period(args):
    from .metrics.period import PeriodError, from_cli

    if not args.period:
        raise CliError("cần --period (vd. 2026-Q1)")
    try:
        return from_cli(args.period, None, None)
    except (PeriodError, ValueError) as exc:
        raise CliError(str(exc)) from exc


def cmd_close(args) -> int:
    from .closing import ClosingError, close_period

    if args.list:
        from .metrics.closing import closures

        rows = closures(_reader(args))
        if args.format == "json":
            _json(rows)
        for r in rows if args.format == "table" else ():
            state = (
                f"mở lại {r['reopened_at']:%d/%m/%Y %H:%M} bởi {r['reopened_by']}: {r['reopen_reason']}"
                if r["reopened_at"]
                else "đang chốt"
            )
            print(
                f"{r['period']:<8} chốt {r['closed_at']:%d/%m/%Y %H:%M} bởi {r['closed_by']} "
                f"(dữ liệu {r['data_version']}) — {state}"
            )
        if not rows and args.format == "table":
            print("Chưa chốt kỳ nào.")
        return 0
    period, by, principal, path = _closing_args(args)
    try:
        rec = close_period(path, period, by, principal)
    except ClosingError as exc:
        raise CliError(f"không chốt: {exc.for_cli()}") from exc
    print(
        f"Đã chốt {period.label} lúc {rec['closed_at']:%d/%m/%Y %H:%M} bởi {by}: "
        f"số liệu của {rec['units']} đơn vị có hồ sơ, "
        f"dữ liệu phiên bản {rec['data_version']}"
    )
    return 0


def cmd_reopen(args) -> int:
    from .closing import ClosingError, reopen_period

    period, by, principal, path = _closing_args(args)
    try:
        found = reopen_period(path, period, by, args.reason, principal)
    except ClosingError as exc:
        raise CliError(f"không mở lại: {exc.for_cli()}") from exc
    print(
        f"Đã mở lại {period.label} (chốt ngày {found['closed_at']:%d/%m/%Y} bởi {found['closed_by']}), "
        f"lý do đã ghi nhật ký"
    )
    return 0


def cmd_kpi(args) -> int:
    if args.projection:
        from .metrics.insight import projections, projections_json

        rows = projections_json(projections(_reader(args)))
        if args.unit:
            rows = [r for r in rows if r["unit_code"] == args.unit]
        _rows_out(rows, args.format)
        return 0
    from .metrics.kpis import kpi_rows

    reader = _reader(args)
    rows = [
        dict(r)
        for r in kpi_rows(reader, _period(args, reader), by_unit=args.by == "unit" or bool(args.unit), unit=args.unit)
    ]
    if args.unit:
        rows = [r for r in rows if r["unit_code"] == args.unit]
    _rows_out(rows, args.format)
    return 0


def cmd_index(args) -> int:
    from .metrics.insight import index_scores, index_totals

    reader = _reader(args)
    period = _period(args, reader)
    scores = index_scores(reader, period)
    totals = index_totals(scores)
    if args.format == "csv":
        _csv(scores.to_dict("records"))
        return 0
    _json(
        {
            "period": period.key,
            "units": [
                {**t, "components": [c for c in scores.to_dict("records") if c["unit_code"] == t["unit_code"]]}
                for t in totals.to_dict("records")
            ],
        }
    )
    return 0


def cmd_index766(args) -> int:
    from .metrics.index766 import index766

    reader = _reader(args)
    period = _period(args, reader)
    if args.unit and reader.q("unit_exists", unit=args.unit).empty:
        raise CliError(f"không có đơn vị {args.unit!r}")
    rows = index766(reader, period, by_unit=args.by == "unit", unit=args.unit)
    if args.compare:
        from .metrics.index766 import compare

        rows = compare(reader, period, rows)
    if args.format == "csv":
        _csv(rows, list(dict.fromkeys(k for r in rows for k in r)))
    else:
        _json({"period": period.key, "period_label": period.label, "rows": rows})
    return 0


def cmd_lateness(args) -> int:
    from .metrics.insight import lateness, lateness_dossiers

    reader = _reader(args)
    period = _period(args, reader)
    if args.dossiers:
        rows = lateness_dossiers(reader, period, args.unit).to_dict("records")
        _rows_out(rows, args.format)
        return 0
    out = lateness(reader, period, args.unit)
    _json(out) if args.format == "json" else _csv(out["rows"])
    return 0


def cmd_rejects(args) -> int:
    df = _reader(args).q("rejects_list", all=bool(args.all))
    rows = df.to_dict("records")
    if args.format == "json":
        for r in rows:
            r["raw"] = json.loads(r["raw"]) if r.get("raw") else None

    def line(r: dict) -> str:
        key = f" [{r['record_key']}]" if r.get("record_key") else ""
        col = f" cột «{r['header']}»" if r.get("header") else ""
        return f"{r['file_name']}:{r['line']}{key}{col}: {r['reason']}"

    _listing(rows, args.format, "Không có dòng nào bị loại.", line)
    return 0


def cmd_at_risk(args) -> int:
    from .metrics.late_set import at_risk

    reader = _reader(args)
    as_of = dt.datetime.fromisoformat(args.as_of) if args.as_of else dt.datetime.now().replace(microsecond=0)
    rows = at_risk(reader, as_of, days=args.days, unit=args.unit).to_dict("records")
    _rows_out(rows, args.format)
    return 0


def cmd_export(args) -> int:
    from .export_pdf import ExportError, export_pdf

    path = config.db_path(args.db)
    reader = _reader(args)
    period = _period(args)
    if args.unit and reader.q("unit_exists", unit=args.unit).empty:
        raise CliError(f"không có đơn vị {args.unit!r}")
    principal = None
    if args.as_user:
        from .auth import UserStore, users_path
        from .reader import Reader

        principal = UserStore(users_path(path)).get(args.as_user)
        if principal is None:
            raise CliError(f"không có người dùng {args.as_user!r} (cchc users list)")
        seen = set(Reader(reader.snapshot, principal.scope).q("units").unit_code)
        if args.unit and args.unit not in seen:
            raise CliError(f"đơn vị {args.unit} nằm ngoài phạm vi của {args.as_user}")
    try:
        pages = export_pdf(path, args.what, period, args.unit, Path(args.out), principal=principal)
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    from . import audit

    audit.record(
        "export",
        audit.os_user(),
        audit.path_for(path),
        what=f"{args.what}_pdf",
        file=Path(args.out).name,
        period=period.key,
        unit=args.unit,
        pages=pages,
        as_user=args.as_user,
    )
    print(f"Đã ghi {args.out} ({pages} trang)")
    return 0


def cmd_settings(args) -> int:
    from .demo.build import publish_settings

    path = config.db_path(args.db)
    if args.assignments:
        pairs = {}
        for a in args.assignments:
            if "=" not in a:
                raise CliError(f"cần KEY=VALUE: {a!r}")
            k, v = a.split("=", 1)
            pairs[k.strip()] = v.strip()
        from .ingest.load import SettingError, check_setting

        try:
            for k, v in pairs.items():
                check_setting(k, v)
        except SettingError as exc:
            raise CliError(f"không lưu thiết lập: {exc}") from exc
        publish_settings(path, pairs)
    for k, v in sorted(_reader(args).settings.items()):
        print(f"{k}={v}")
    return 0


def _demo_only(path: Path) -> tuple[dt.date, int, dict[str, str], str] | None:
    """(as-of date, dossiers, settings, city) when the database holds nothing but the demo city (every import a
    demo frame or a settings change), else None. The city: the province code of its people's committee, or
    `legacy` for the pre-2025 town (code UBND)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM imports").fetchall()}
        if not kinds or not kinds <= {"demo"}:
            return None
        (last, n) = con.execute("SELECT max(received_at), count(*) FROM dossiers").fetchone()
        settings = dict(con.execute("SELECT key, value FROM settings").fetchall())
        root = con.execute(
            "SELECT min(unit_code) FROM units WHERE level = 'city' AND unit_kind = 'ubnd'"
        ).fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()
    city = "legacy" if root in (None, "UBND") else root
    return (last.date(), int(n), settings, city) if last is not None else None


def _upgrade(path: Path) -> str | None:
    """Bring a database built by an older release up to this release's tables; None when it was not needed.

    Imported data is republished unchanged (the same atomic publication as an import, aggregates rebuilt). A
    database holding only the demo city is built again by this release's generator at the same as-of date and
    size, its settings kept: an older generator's rows are not carried over (one stamped rows as exported up to
    6 h after the extract's moment, 18:00 of the as-of day, so the data's as-of moment read 22:38)."""
    from .db import schema_outdated
    from .demo.build import build_demo, publish_settings

    if not schema_outdated(path):
        return None
    demo = _demo_only(path)
    if demo is None:
        publish_settings(path, {})
        return "Đã công bố lại theo cấu trúc bảng của phiên bản này (dữ liệu giữ nguyên)."
    as_of, n, settings, city = demo
    build_demo(path, n_dossiers=n, as_of=as_of, city=city)
    publish_settings(path, {k: v for k, v in settings.items() if k in config.DEFAULT_SETTINGS})
    count = f"{n:,}".replace(",", ".")  # 10.000.000: the Vietnamese thousands separator, the sentence's commas kept
    return (
        f"Cơ sở dữ liệu chỉ có thành phố mẫu: đã dựng lại bằng bộ sinh dữ liệu của phiên bản này "
        f"(ngày số liệu {as_of:%d/%m/%Y}, {count} hồ sơ, giữ thiết lập)."
    )


def cmd_upgrade(args) -> int:
    path = config.db_path(args.db)
    if not path.exists():
        raise CliError(f"chưa có cơ sở dữ liệu {path}")
    done = _upgrade(path)
    if done:
        print(f"{path}: {done}")
    else:
        print(f"{path} đã theo cấu trúc bảng của phiên bản này.")
    return 0


def cmd_serve(args) -> int:
    from .app import serve

    path = config.db_path(args.db)
    if not path.exists():
        raise CliError(f"chưa có cơ sở dữ liệu {path}: chạy `cchc demo` hoặc `cchc ingest`")
    from .db import schema_outdated

    if schema_outdated(path):  # the server never writes: the operator upgrades once (make run does it)
        raise CliError(f"{path} được dựng bởi phiên bản cũ: chạy `cchc upgrade --db {path}` một lần rồi chạy lại")
    if not 0 <= args.workers <= 64 or not 1 <= args.threads <= 64:
        raise CliError("--workers cần 0–64, --threads cần 1–64")
    serve(path, host=args.host, port=args.port, no_auth=args.no_auth, workers=args.workers, threads=args.threads)
    return 0


def cmd_users(args) -> int:
    import getpass

    from . import audit
    from .auth import ROLES, UserError, UserStore, users_path

    db = config.db_path(args.db)
    store = UserStore(users_path(db))
    operator = audit.os_user()
    log = audit.path_for(db)
    try:
        if args.action == "add":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            elif not sys.stdin.isatty():
                raise CliError(
                    "không có terminal để hỏi mật khẩu: dùng --password-stdin (mật khẩu ở dòng đầu của stdin)"
                )
            else:
                try:
                    password = getpass.getpass("Mật khẩu: ")
                    if getpass.getpass("Nhập lại: ") != password:
                        raise CliError("hai lần nhập mật khẩu khác nhau")
                except (EOFError, KeyboardInterrupt):
                    raise CliError("đã huỷ: không nhận được mật khẩu") from None
            units = [u for u in args.units.split(",") if u.strip()]
            p = store.add(args.username, args.role, password, units=units, display_name=args.name, replace=args.replace)
            audit.record("user_added", operator, log, username=p.username, role=p.role, units=list(p.units))
            units = ": " + ", ".join(p.units) if p.units else ""
            print(f"Đã thêm {p.username} ({ROLES[p.role].label}{units}) vào {store.path}")
        elif args.action == "remove":
            store.remove(args.username)
            audit.record("user_removed", operator, log, username=args.username)
            print(f"Đã xoá {args.username}")
        else:
            rows = store.users()
            if args.format == "json":
                _json(rows)
            else:
                for u in rows:
                    print(
                        f"{u['username']:<16} {u['role']:<9} {','.join(u.get('units') or []) or '(mọi đơn vị)':<24} "
                        f"{u.get('display_name') or ''}{'  [mẫu]' if u.get('demo') else ''}"
                    )
                if not rows:
                    print(f"Chưa có người dùng ({store.path})")
    except UserError as exc:
        raise CliError(str(exc)) from exc
    return 0


def _prefill_changes(args) -> int:
    """`cchc units changes --prefill --province NAME`: the 1 July 2025 mergers of a province as a unit_changes CSV."""
    from .catalogue import UnknownProvince
    from .demo.legacy_wards import prefill_changes

    if not (len(args.old_prefix) <= 8 and all(c.isascii() and (c.isalnum() or c in "-_") for c in args.old_prefix)):
        raise CliError("--old-prefix: tối đa 8 chữ, số, '-' hoặc '_'")
    try:
        rows = prefill_changes(args.province, args.old_prefix)
    except UnknownProvince as exc:
        raise CliError(str(exc)) from exc
    if not rows:
        raise CliError(f"không tìm thấy phường, xã cũ nào của {args.province!r} trong dữ liệu chuyển đổi")
    if args.out:
        from .exports import csv_text

        columns = list(rows[0])
        Path(args.out).write_text(csv_text(columns, ([r[c] for c in columns] for r in rows)), encoding="utf-8")
        print(f"Đã ghi {args.out}: {len(rows)} phường, xã cũ → {len({r['new_code'] for r in rows})} phường, xã mới")
    else:
        _csv(rows)
    return 0


def cmd_units(args) -> int:
    if args.action == "catalogue":
        from .catalogue import COLUMNS, UnknownProvince, find_province, units_of

        try:
            rows = [u.row() for u in units_of(find_province(args.province))]
        except UnknownProvince as exc:
            raise CliError(str(exc)) from exc
        if args.format == "json":
            _json(rows)
        else:
            _csv(rows, list(COLUMNS))
        return 0
    if args.action == "changes":
        return _prefill_changes(args)
    from .metrics.units import units_validity

    rows = units_validity(_reader(args))
    if args.format == "json":
        _json(rows)
    elif args.format == "csv":
        _csv(rows)
    else:
        for r in rows:
            until = f"đến {r['valid_to']:%d/%m/%Y}" if r["valid_to"] else "đang hoạt động"
            since = f"từ {r['valid_from']:%d/%m/%Y} " if r["valid_from"] else ""
            after = f" → {r['successor']}" if r["successor"] else ""
            print(f"{r['unit_code']:<10} {r['unit_name']:<40} {r['level']:<5} {since}{until}{after}")
    return 0


def cmd_audit(args) -> int:
    from . import audit

    rows = audit.read(args.limit, audit.path_for(config.db_path(args.db)))
    if args.format == "json":
        _json(rows)
        return 0
    for r in rows:
        extra = {k: v for k, v in r.items() if k not in ("at", "event", "user")}
        print(
            f"{r.get('at', '')}  {audit.EVENTS.get(r.get('event'), r.get('event')):<22} {r.get('user', ''):<14} "
            + " ".join(f"{k}={v}" for k, v in extra.items())
        )
    return 0


def cmd_digest(args) -> int:
    from .digest import DigestError, DigestFailed, send_digest

    if args.due:
        from .subscriptions import SubscriptionError, send_due

        try:
            sent, failed = send_due(config.db_path(args.db), now=_local_time(args.now), smtp=args.smtp,
                                    starttls=args.starttls, dry_run=args.dry_run, log=print)
        except SubscriptionError as exc:
            raise CliError(exc.for_cli()) from exc
        print(f"Bản tin đến hạn: đã gửi {sent}, lỗi {failed}.")
        return 1 if failed else 0
    if not args.to:
        raise CliError("cần --to ĐỊA_CHỈ (hoặc --due để gửi các đăng ký đến hạn)")
    try:
        send_digest(config.db_path(args.db), args.period, args.unit, args.to, as_user=args.as_user, smtp=args.smtp,
                    starttls=args.starttls, dry_run=args.dry_run, log=print)
    except DigestError as exc:
        raise CliError(exc.for_cli()) from exc
    except DigestFailed as exc:
        print(f"cchc: {exc.for_cli()}", file=sys.stderr)
        return 1
    return 0


def cmd_subscriptions(args) -> int:
    from . import audit
    from .subscriptions import SubscriptionError, SubscriptionStore, add_checked, path_for, remove_checked, rows

    db = config.db_path(args.db)
    store = SubscriptionStore(path_for(db))
    try:
        if args.action == "add":
            sub = add_checked(db, args.to, args.schedule, args.period, args.unit, args.as_user, args.name,
                              by=audit.os_user(), reader=_reader(args) if args.unit else None)
            print(f"Đã thêm đăng ký {sub.id}: {', '.join(sub.to)}, {sub.schedule}, kỳ {sub.period}")
        elif args.action == "remove":
            remove_checked(db, args.id, by=audit.os_user())
            print(f"Đã xoá đăng ký {args.id}")
        else:
            listed = rows(store.load(), dt.datetime.now())
            if args.format == "json":
                _json(listed)
            for r in listed if args.format == "table" else []:
                print(f"{r['id']}  {r['schedule_label']:<22} kỳ {r['period']:<8} {r['unit'] or '':<8} "
                      f"{r['as_user'] or '(toàn quyền)':<12} {', '.join(r['to'])}  gửi gần nhất: "
                      f"{r['last_sent'] or 'chưa'}{'  LỖI: ' + _with_hint(r) if r['last_error'] else ''}")
            if not listed and args.format == "table":
                print(f"Chưa có đăng ký nào ({store.path})")
    except SubscriptionError as exc:
        raise CliError(exc.for_cli()) from exc
    return 0


def _with_hint(r: dict) -> str:
    """A subscription's recorded error as the command line prints it: the message, then its hint."""
    return r["last_error"] + (f" ({r['last_error_hint']})" if r.get("last_error_hint") else "")


def cmd_alerts(args) -> int:
    from .alerts import AlertError, AlertState, check, load_rules, rules_path, state_path

    db = config.db_path(args.db)
    try:
        if args.action == "check":
            if not db.exists():
                raise CliError(f"chưa có cơ sở dữ liệu {db}")
            t = check(db, now=_local_time(args.now), smtp=args.smtp, say=print)
            print(f"Cảnh báo: {t['crossed']} đang vượt ngưỡng, đã gửi {t['sent']}, lỗi {t['failed']}, "
                  f"trở lại bình thường {t['recovered']}.")
            return 1 if t["failed"] else 0
        rules = load_rules(db)
        state = AlertState(state_path(db)).load()
        listed = [{"id": r.id, "kind": r.kind, "label": r.label, "to": list(r.to), "as_user": r.as_user,
                   "crossings": {k.split(":", 1)[1]: v for k, v in state.items() if k.startswith(r.id + ":")}}
                  for r in rules]
        if args.format == "json":
            _json(listed)
            return 0
        if not listed:
            print(f"Chưa có quy tắc cảnh báo ({rules_path(db)})")
        for r in listed:
            crossed = [k for k, v in r["crossings"].items() if v.get("state") != "ok"]
            print(f"{r['id']:<24} {r['label']}  → {', '.join(r['to'])}"
                  + (f"  ĐANG VƯỢT: {', '.join(crossed)}" if crossed else ""))
    except AlertError as exc:
        raise CliError(exc.for_cli()) from exc
    return 0


def _local_time(text: str | None) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text) if text else dt.datetime.now().replace(second=0, microsecond=0)
    except ValueError as exc:
        raise CliError(f"--now: {exc}") from exc


COMMANDS = {
    "digest": cmd_digest,
    "subscriptions": cmd_subscriptions,
    "alerts": cmd_alerts,
    "demo": cmd_demo,
    "ingest": cmd_ingest,
    "report": cmd_report,
    "kpi": cmd_kpi,
    "close": cmd_close,
    "reopen": cmd_reopen,
    "index": cmd_index,
    "index766": cmd_index766,
    "lateness": cmd_lateness,
    "rejects": cmd_rejects,
    "profiles": cmd_profiles,
    "conflicts": cmd_conflicts,
    "at-risk": cmd_at_risk,
    "export": cmd_export,
    "settings": cmd_settings,
    "serve": cmd_serve,
    "upgrade": cmd_upgrade,
    "users": cmd_users,
    "units": cmd_units,
    "audit": cmd_audit,
}

if __name__ == "__main__":
    sys.exit(main())
