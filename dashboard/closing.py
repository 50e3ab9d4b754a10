"""Closing and reopening a period (chốt số liệu / mở lại): `cchc close`, `cchc reopen`.

A closing is published like an import (ingest.load.Batch: a new file built and swapped in, under the import lock),
so the frozen counts are those of the published data the lock holds still; reads are in metrics/closing.py.
Only a role with the right to publish data (auth: `imports`, Home Affairs) may close or reopen; the CLI acts as
its operator, or as a named user (`--as`) whose role is checked. Both are audited, a reopening with its reason.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from . import audit
from .auth import Principal
from .errors import HintedError
from .metrics.closing import FROZEN_COLUMNS, active_closure
from .metrics.form import counts
from .metrics.period import Period

MAX_REASON = 500


class ClosingError(HintedError, ValueError):
    """A refusal, in words for every channel; `cli_hint` is what the command line adds (the command to run)."""


def check_actor(principal: Principal | None) -> None:
    if principal is not None and not principal.can("imports"):
        raise ClosingError(f"{principal.username} ({principal.info.label}) không có quyền chốt hoặc mở lại số liệu")


def check_reason(reason: str | None) -> str:
    text = unicodedata.normalize("NFC", (reason or "").strip())
    if not text:
        raise ClosingError("cần lý do mở lại", cli_hint='--reason "…"')
    if len(text) > MAX_REASON or any(unicodedata.category(c) == "Cc" for c in text):
        raise ClosingError(f"lý do cần ≤ {MAX_REASON} ký tự, không có ký tự điều khiển")
    return text


def _reader(db_path: Path):
    from .db import Database
    from .reader import Reader

    return Reader(Database(db_path).snapshot())


def close_period(
    db_path: str | os.PathLike,
    period: Period,
    by: str,
    principal: Principal | None = None,
    expect_version: str | None = None,
) -> dict:
    """Freeze the published form of `period`; returns the closure record. Refused for a period still running
    (after the data's as-of date), a custom range, or a period already closed. `expect_version`: the data
    version the person confirmed (the form page names it); refused if an import published another meanwhile."""
    from .ingest.load import Batch

    check_actor(principal)
    db_path = Path(db_path)
    with Batch(db_path, imported_by=f"close:{by}") as batch:
        reader = _reader(db_path)  # under the import lock: the published file cannot change meanwhile
        if period.kind == "range":
            raise ClosingError("chỉ chốt được một kỳ đặt tên (tuần, tháng, quý, 6 tháng, năm), không một khoảng ngày")
        as_of = reader.as_of.date()
        if period.end > as_of:
            raise ClosingError(f"{period.label} chưa kết thúc: dữ liệu đến {as_of:%d/%m/%Y}")
        if expect_version is not None and expect_version != reader.data_version:
            raise ClosingError(
                f"dữ liệu đã được cập nhật (phiên bản {reader.data_version}, không phải {expect_version} đã xác nhận): "
                "tải lại trang, xem lại biểu rồi chốt"
            )
        found = active_closure(reader, period)
        if found:
            raise ClosingError(
                f"{period.label} đã chốt ngày {found['closed_at']:%d/%m/%Y} bởi {found['closed_by']}: "
                "mở lại kỳ này (kèm lý do) trước khi chốt lại",
                cli_hint=f'`cchc reopen --period {period.key} --reason "…"`',
            )
        frozen = counts(reader, period, None)[list(FROZEN_COLUMNS)].reset_index(drop=True)
        record = {
            "seq": batch.next_closure_seq(),
            "period": period.key,
            "period_label": period.label,
            "date_from": period.start,
            "date_to": period.end,
            "closed_at": batch.now,
            "closed_by": by,
            "data_version": reader.data_version,
        }
        batch.add_closure(record, frozen)
    audit.record(
        "period_closed",
        by,
        audit.path_for(db_path),
        period=period.key,
        data_version=record["data_version"],
        units=int(frozen.unit_code.nunique()),
        received_total=int(frozen.received_total.sum()),
    )
    return record | {"units": int(frozen.unit_code.nunique())}


def reopen_period(
    db_path: str | os.PathLike, period: Period, by: str, reason: str | None, principal: Principal | None = None
) -> dict:
    """Reopen the closure in force of `period` with a reason (required, audited)."""
    from .ingest.load import Batch

    check_actor(principal)
    reason = check_reason(reason)
    db_path = Path(db_path)
    with Batch(db_path, imported_by=f"reopen:{by}") as batch:
        found = active_closure(_reader(db_path), period)
        if not found:
            raise ClosingError(f"{period.label} chưa được chốt: không có gì để mở lại")
        batch.reopen_closure(period.key, by, reason)
    audit.record(
        "period_reopened",
        by,
        audit.path_for(db_path),
        period=period.key,
        reason=reason,
        closed_at=found["closed_at"].isoformat(timespec="seconds"),
        closed_by=found["closed_by"],
    )
    return found


JOB_KIND = "closing"


def start_job(db_path: str | os.PathLike, action: str, period: Period, principal: Principal, *,
              reason: str | None = None, expect_version: str | None = None) -> str:
    """Close or reopen from the web as a background job (the new file takes 10–20 s to build on a large city: no
    server thread is held meanwhile). The job lives in the store every worker sees (jobs.JobStore), so the page
    polls it through whichever worker answers; the same rules and audit as `cchc close` / `cchc reopen`."""
    from .jobs import JobStore

    check_actor(principal)
    if action == "reopen":
        reason = check_reason(reason)  # refused at once, before any job
    jobs = JobStore(db_path)
    job_id = jobs.create(kind=JOB_KIND, action=action, period=period.key, user=principal.username,
                         message="Đang chờ lượt (một lần nạp hoặc chốt khác đang chạy)…")
    verb = "chốt" if action == "close" else "mở lại"
    jobs.start(job_id, run_job, jobs, job_id, Path(db_path), action, period, principal, reason, expect_version,
               known=(ClosingError,), prefix=f"Không {verb} được: ")
    return job_id


def run_job(jobs, job_id: str, db_path: Path, action: str, period: Period, principal: Principal,
            reason: str | None, expect_version: str | None) -> dict:
    verb = "chốt" if action == "close" else "mở lại"
    with jobs.import_lock():  # the web imports' queue, then Batch's own lock
        jobs.update(job_id, state="running", message=f"Đang {verb} {period.label}: dựng tệp dữ liệu mới…")
        if action == "close":
            close_period(db_path, period, principal.username, principal, expect_version=expect_version)
        else:
            reopen_period(db_path, period, principal.username, reason, principal)
    return {"message": f"Đã {verb} {period.label}."}
