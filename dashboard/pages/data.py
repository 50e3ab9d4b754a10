"""Dữ liệu — last import and coverage, the import log, the rejects, and an upload box for the Home
Affairs office. An upload is first checked in the background without publishing (the preview: detected kind
and layout, column mapping, accepted / rejected / skipped with the top reasons); the operator then confirms,
and only then is it imported into a new file; the dashboard keeps serving the old data until it is published.
A file rejecting more than 5% of its rows needs the "accept partial" box ticked."""

from __future__ import annotations

import base64
import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html


from ..jobs import JobStore
from ..auth import require
from ..config import KIND_BY_NAME
from ..config import PARTIAL_REJECT_SHARE
from ..ingest.load import FileResult, kind_label, UnreadableFile, ingest, partial_refused
from ..reader import current_db_path, current_reader
from ..tempdirs import UPLOAD_PREFIX, sweep_uploads, upload_name
from ..ui import format as fmt
from ..ui import ids
from .common import page
from ..ui.components import empty_state, page_header, paged_grid, section


MAX_UPLOAD_BYTES = 150 * 1024 * 1024
CONFIRM_BOX, CONFIRM, CANCEL, ACCEPT_PARTIAL = (
    "upload-confirm-box",
    "upload-confirm",
    "upload-cancel",
    "upload-accept-partial",
)
sweep_uploads()


@page("data", permission="imports")
def layout(**_):
    reader = current_reader()
    cov = reader.coverage
    imp = reader.q("imports_list")
    rej = reader.q("rejects_list", all=False)
    facts = [
        ("Lần nạp gần nhất", fmt.datetime(cov.get("last_import"))),
        ("Số hồ sơ", fmt.num(cov.get("dossiers"))),
        ("Tiếp nhận từ", fmt.date(cov.get("first_received"))),
        ("Đến", fmt.date(cov.get("last_received"))),
        ("Số đơn vị", fmt.num(cov.get("units"))),
        ("Dòng bị loại chưa xử lý", fmt.num(cov.get("open_rejects"))),
    ]
    fact_cards = dbc.Row(
        [
            dbc.Col(
                html.Div(
                    [html.Div(v, className="fact-value"), html.Div(k, className="fact-label")], className="fact-box"
                ),
                md=2,
            )
            for k, v in facts
        ],
        className="g-3 mb-3",
    )
    imp_rows = [
        html.Tr(
            [
                html.Td(r["import_seq"]),
                html.Td(r["file_name"]),
                html.Td(KIND_BY_NAME[r["kind"]].label if r["kind"] in KIND_BY_NAME else r["kind"]),
                html.Td(r["encoding"] or ""),
                html.Td(fmt.num(r["rows_read"]), className="num"),
                html.Td(fmt.num(r["accepted"]), className="num"),
                html.Td(fmt.num(r["rejected"]), className="num" + (" late-cell" if r["rejected"] else "")),
                html.Td(fmt.datetime(r["imported_at"])),
                html.Td(r["imported_by"] or ""),
            ]
        )
        for r in imp.head(50).to_dict("records")
    ]
    imp_table = (
        html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th("#"),
                            html.Th("Tệp"),
                            html.Th("Loại"),
                            html.Th("Bảng mã"),
                            html.Th("Đọc", className="num"),
                            html.Th("Nhận", className="num"),
                            html.Th("Loại bỏ", className="num"),
                            html.Th("Thời điểm"),
                            html.Th("Người nạp"),
                        ]
                    )
                ),
                html.Tbody(imp_rows),
            ],
            className="table table-sm",
            id="imports-table",
        )
        if imp_rows
        else empty_state("Chưa có lần nạp nào.")
    )
    rej_grid = (
        paged_grid(
            ids.REJECTS_GRID,
            [
                {
                    "file": r["file_name"],
                    "line": int(r["line"]),
                    "key": r["record_key"] or "",
                    "column": r["header"] or "",
                    "reason": r["reason"],
                }
                for r in rej.head(5000).to_dict("records")
            ],
            [
                {"field": "file", "headerName": "Tệp", "width": 220},
                {"field": "line", "headerName": "Dòng", "width": 90},
                {"field": "key", "headerName": "Mã", "width": 220},
                {"field": "column", "headerName": "Cột", "width": 170},
                {"field": "reason", "headerName": "Lý do", "flex": 1, "wrapText": True, "autoHeight": True},
            ],
            20,
            480,
            filter_all=True,
        )
        if len(rej)
        else empty_state("Không có dòng nào bị loại.", "Mọi dòng của các tệp đã nạp đều hợp lệ.")
    )
    upload = html.Div(
        [
            dcc.Upload(
                id=ids.UPLOAD,
                multiple=True,
                max_size=MAX_UPLOAD_BYTES,
                className="upload-box",
                children=html.Div(
                    [
                        html.Div("⬆", className="upload-icon", **{"aria-hidden": "true"}),
                        html.Div("Kéo thả hoặc bấm để chọn tệp CSV / XLSX"),
                        html.Div(
                            "Hồ sơ, đơn vị, chỉ tiêu, đánh giá hài lòng, PAR INDEX, nhiệm vụ, ngày lễ "
                            "— loại tệp nhận ra từ dòng tiêu đề. Tối đa 150 MB.",
                            className="text-muted small-note",
                        ),
                    ]
                ),
            ),
            dcc.Store(id="upload-job"),
            dcc.Interval(id=ids.UPLOAD_POLL, interval=700, disabled=True),
            html.Div(id=ids.UPLOAD_STATUS, className="mt-3", role="status", **{"aria-live": "polite"}),
            html.Div(
                id=CONFIRM_BOX,
                hidden=True,
                className="mt-2",
                children=[
                    dbc.Checkbox(
                        id=ACCEPT_PARTIAL,
                        value=False,
                        label="Nhận một phần: công bố các dòng hợp lệ dù tệp bị loại quá "
                        f"{PARTIAL_REJECT_SHARE:.0%} số dòng "
                        "(các dòng bị loại vào danh sách bên dưới)",
                    ),
                    html.Div(
                        [
                            dbc.Button("Công bố dữ liệu này", id=CONFIRM, color="primary", className="me-2"),
                            dbc.Button("Huỷ", id=CANCEL, color="secondary", outline=True),
                        ],
                        className="mt-2",
                    ),
                ],
            ),
        ]
    )
    return html.Div(
        [
            page_header("Dữ liệu", "Nạp dữ liệu, nhật ký nạp và các dòng bị loại", reader),
            fact_cards,
            section("Nạp tệp trích xuất", upload),
            section("Nhật ký nạp", imp_table),
            section(
                f"Các dòng bị loại ({fmt.num(len(rej))})",
                rej_grid,
                html.P(
                    "Sửa các dòng này trong tệp gốc rồi nạp lại: "
                    "dòng đã nạp lại thành công sẽ không còn trong danh sách.",
                    className="text-muted small-note mt-2",
                ),
            ),
        ],
        className="page page-data",
    )


def _jobs() -> tuple[JobStore, Path]:
    """The upload jobs of this app's database (a store every worker sees: dashboard/jobs.py). A job holds its
    uploaded files' paths and folder on disk and its results as plain data, so the preview can be confirmed
    through whichever worker answers."""
    db_path = current_db_path()
    return JobStore(db_path), db_path


def _results(job: dict) -> list[FileResult]:
    return [FileResult(**r) for r in job.get("results") or []]


def _run(jobs: JobStore, job_id: str, db_path: Path, user: str, preview: bool, accept_partial: bool = False
         ) -> dict | None:
    """The background job: a preview (dry run, nothing published, the files kept for the confirmation) or the
    import itself (published, then the files are removed)."""
    job = jobs.get(job_id) or {}
    keep = False
    try:
        with jobs.import_lock():
            jobs.update(job_id, state="running", message="Đang kiểm tra…" if preview else "Đang nạp và công bố…")
            results = ingest(
                [Path(p) for p in job["paths"]],
                db_path,
                imported_by=user,
                via="web",
                dry_run=preview,
                accept_partial=accept_partial,
            )  # audited by ingest
        keep = preview
        return {"state": "preview" if preview else "done", "results": [dataclasses.asdict(r) for r in results]}
    except UnreadableFile as exc:
        return {"state": "error", "message": str(exc)}
    except Exception as exc:  # reported to the operator, the published data is untouched
        return {"state": "error", "message": f"Lỗi khi nạp: {type(exc).__name__}: {exc}"}
    finally:
        if not keep:
            shutil.rmtree(job.get("tmpdir") or "", ignore_errors=True)


def _start(jobs: JobStore, job_id: str, db_path: Path, user: str, *, preview: bool, accept_partial: bool = False
           ) -> None:
    jobs.start(job_id, _run, jobs, job_id, db_path, user, preview, accept_partial)


@callback(
    Output("upload-job", "data"),
    Output(ids.UPLOAD_POLL, "disabled"),
    Output(ids.UPLOAD_STATUS, "children"),
    Input(ids.UPLOAD, "contents"),
    State(ids.UPLOAD, "filename"),
    prevent_initial_call=True,
)
def start_upload(contents, names):
    user = require("imports").username  # a forged upload from another role is refused (403)
    if not contents:
        return dash.no_update, True, dash.no_update
    tmp = tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-")
    paths, taken = [], set()
    for content, name in zip(contents, names):
        safe = upload_name(name, taken)
        data = base64.b64decode(content.split(",", 1)[1])
        p = Path(tmp) / safe
        p.write_bytes(data)
        paths.append(p)
    jobs, db_path = _jobs()
    job_id = jobs.create(
        message="Đang chờ…", files=[p.name for p in paths], user=user, paths=[str(p) for p in paths], tmpdir=tmp
    )
    _start(jobs, job_id, db_path, user, preview=True)
    return job_id, False, dbc.Alert(f"Đã nhận {len(paths)} tệp, đang kiểm tra (chưa công bố)…", color="info")


def _counts(r: FileResult) -> str:
    skipped = f", bỏ qua {fmt.num(r.skipped)}" if r.skipped else ""
    return (
        f"{r.file}: {kind_label(r.kind)} — đọc {fmt.num(r.rows_read)} dòng, nhận {fmt.num(r.accepted)}, "
        f"loại {fmt.num(r.rejected)}{skipped}"
    )


def preview_view(results: list[FileResult]) -> html.Div:
    """What the operator sees before publishing: per file the layout, the column mapping (file header →
    contract column), the counts, the top reasons with an example line, the version rule."""
    blocks = []
    for r in results:
        over = partial_refused(r, via="web")
        rows = [html.Tr([html.Td(h), html.Td(html.Code(c))]) for h, c in r.mapping]
        blocks.append(
            html.Div(
                [
                    html.H4(_counts(r), className="h6 mt-2"),
                    html.Div(
                        f"Mẫu nhận ra: {r.profile_label} [{r.profile}]"
                        + (f" — tiêu đề {r.header_rows} dòng" if r.header_rows > 1 else "")
                        + (f" — đơn vị trong tiêu đề: {r.title_unit}" if r.title_unit else "")
                    ),
                    html.Ul([html.Li(d) for d in r.details()[1:] if not d.startswith("cột: ")], className="mb-1"),
                    html.Details(
                        [
                            html.Summary(f"Cột của tệp → cột chuẩn ({len(rows)})"),
                            html.Table(
                                [
                                    html.Thead(html.Tr([html.Th("Cột trong tệp"), html.Th("Cột chuẩn")])),
                                    html.Tbody(rows),
                                ],
                                className="table table-sm",
                            ),
                        ]
                    ),
                    dbc.Alert(
                        f"Tệp này bị loại {fmt.num(r.rejected)} / {fmt.num(r.rows_read)} dòng, quá "
                        f"{PARTIAL_REJECT_SHARE:.0%}: chỉ công bố khi đánh dấu «Nhận một phần».",
                        color="warning",
                        className="py-1 mt-1",
                    )
                    if over
                    else None,
                ],
                className="upload-preview-file",
            )
        )
    return dbc.Alert(
        [html.Strong("Xem trước — chưa công bố. "), "Kiểm tra rồi bấm «Công bố dữ liệu này».", *blocks],
        color="light",
        id="upload-preview",
    )


@callback(
    Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
    Output(ids.UPLOAD_POLL, "disabled", allow_duplicate=True),
    Output(CONFIRM_BOX, "hidden"),
    Input(ids.UPLOAD_POLL, "n_intervals"),
    State("upload-job", "data"),
    prevent_initial_call=True,
)
def poll_upload(_n, job_id):
    job = _jobs()[0].get(job_id)
    if not job or job.get("user") != require("imports").username:
        return dash.no_update, True, True
    if job["state"] in ("queued", "running"):
        secs = int(time.time() - job["started"])
        return (
            dbc.Alert(
                [dbc.Spinner(size="sm"), f" {job['message']} ({', '.join(job['files'])}, {secs} giây)"], color="info"
            ),
            False,
            True,
        )
    if job["state"] == "error":
        return (
            dbc.Alert(
                ["Không nạp được: ", html.Strong(job["message"]), html.Br(), "Dữ liệu đang dùng không thay đổi."],
                color="danger",
                id="upload-error",
            ),
            True,
            True,
        )
    if job["state"] == "preview":
        return preview_view(_results(job)), True, False
    if job["state"] == "cancelled":
        return (
            dbc.Alert(
                "Đã huỷ: không công bố gì, dữ liệu đang dùng không thay đổi.", color="secondary", id="upload-cancelled"
            ),
            True,
            True,
        )
    items = [html.Li(_counts(r)) for r in _results(job)]
    return (
        dbc.Alert(
            [
                html.Strong("Đã nạp xong, bảng điều hành dùng dữ liệu mới."),
                html.Ul(items, className="mb-0"),
                dcc.Link("Tải lại trang để xem", href=ids.DATA_PATH, refresh=True),
            ],
            color="success",
            id="upload-done",
        ),
        True,
        True,
    )


@callback(
    Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
    Output(ids.UPLOAD_POLL, "disabled", allow_duplicate=True),
    Output(CONFIRM_BOX, "hidden", allow_duplicate=True),
    Input(CONFIRM, "n_clicks"),
    Input(CANCEL, "n_clicks"),
    State("upload-job", "data"),
    State(ACCEPT_PARTIAL, "value"),
    prevent_initial_call=True,
)
def confirm_upload(_ok, _cancel, job_id, accept_partial):
    """Publish the previewed files (or drop them). A file over the rejection threshold needs the box ticked:
    checked here, on the server, not only by the page."""
    user = require("imports").username
    jobs, db_path = _jobs()
    job = jobs.get(job_id)
    if not job or job.get("user") != user or job["state"] != "preview":
        return dash.no_update, True, True
    if dash.ctx.triggered_id == CANCEL:
        shutil.rmtree(job.get("tmpdir") or "", ignore_errors=True)
        jobs.update(job_id, state="cancelled")
        return dbc.Alert("Đã huỷ: không công bố gì.", color="secondary", id="upload-cancelled"), True, True
    results = _results(job)
    over = [r.file for r in results if partial_refused(r, via="web")]
    if over and not accept_partial:
        return (
            [
                preview_view(results),
                dbc.Alert(
                    f"{', '.join(over)}: bị loại quá {PARTIAL_REJECT_SHARE:.0%} số dòng. "
                    "Đánh dấu «Nhận một phần» để công bố "
                    "các dòng hợp lệ, hoặc sửa tệp và tải lên lại.",
                    color="danger",
                    id="upload-partial-refused",
                ),
            ],
            True,
            False,
        )
    jobs.update(job_id, state="queued", message="Đang chờ…", started=time.time())
    _start(jobs, job_id, db_path, user, preview=False, accept_partial=bool(accept_partial))
    return dbc.Alert("Đang nạp và công bố…", color="info"), False, True


dash.register_page(
    __name__, path=ids.DATA_PATH, name="Dữ liệu", title="Dữ liệu — CCHC", order=6, layout=layout, permission="imports"
)
