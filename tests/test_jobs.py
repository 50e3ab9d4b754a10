"""Upload jobs live in a store every worker sees (dashboard/jobs.py): an upload started through one gunicorn
worker is polled to its end through another; finished jobs are pruned."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from pathlib import Path

import pytest
from builders import UNITS_CSV, seed003_dossiers, write_csv
from harness import free_port, gunicorn_cmd, running

ROOT = Path(__file__).resolve().parent.parent


def test_job_store_round_trip_and_pruning(tmp_path):
    from dashboard.jobs import KEEP_SECONDS, STALE_SECONDS, JobStore

    store = JobStore(tmp_path / "cchc.duckdb")
    a = store.create(files=["a.csv"], user="noivu")
    assert store.get(a)["state"] == "queued" and store.get(a)["files"] == ["a.csv"]
    store.update(a, state="done", results=[{"file": "a.csv", "rows_read": 3}])
    assert JobStore(tmp_path / "cchc.duckdb").get(a)["results"] == [{"file": "a.csv", "rows_read": 3}]  # another reader
    b = store.create(files=["b.csv"])
    store.update(b, state="running")
    assert store.get("../../etc/passwd") is None and store.get(None) is None
    now = time.time()
    assert STALE_SECONDS < KEEP_SECONDS
    assert store.prune(now + STALE_SECONDS - 60) == 0
    # a job left "running" by a worker that died goes first; the finished one stays readable a day
    assert store.prune(now + STALE_SECONDS + 60) == 1 and store.get(b) is None and store.get(a) is not None
    assert store.prune(now + KEEP_SECONDS + 60) == 1 and store.jobs() == []


def _upload_body(name: str, data: bytes) -> dict:
    return {
        "output": "..upload-job.data...data-upload-poll.disabled...data-upload-status.children..",
        "outputs": [
            {"id": "upload-job", "property": "data"},
            {"id": "data-upload-poll", "property": "disabled"},
            {"id": "data-upload-status", "property": "children"},
        ],
        "inputs": [
            {
                "id": "data-upload",
                "property": "contents",
                "value": ["data:text/csv;base64," + base64.b64encode(data).decode()],
            }
        ],
        "changedPropIds": ["data-upload.contents"],
        "state": [{"id": "data-upload", "property": "filename", "value": [name]}],
    }


def _body(deps: list[dict], trigger: str, prop: str, value, state: list[tuple[str, str, object]]) -> dict:
    """The JSON body Dash's front end posts for the callback triggered by `trigger.prop`."""
    dep = next(d for d in deps if any(i["id"] == trigger and i["property"] == prop for i in d["inputs"]))
    outputs = [
        dict(zip(("id", "property"), o.split("@")[0].rsplit(".", 1), strict=True))
        for o in dep["output"].strip(".").split("...")
    ]
    inputs = [
        {"id": i["id"], "property": i["property"], "value": value if i["id"] == trigger else None}
        for i in dep["inputs"]
    ]
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": [f"{trigger}.{prop}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }


def _poll_body(deps: list[dict], job_id: str) -> dict:
    return _body(deps, "data-upload-poll", "n_intervals", 1, [("upload-job", "data", job_id)])


def _upload_db(tmp_path: Path) -> tuple[Path, bytes]:
    """seed003's first 40 dossiers published, and an upload of 10 new ones."""
    from dashboard.ingest.load import ingest

    (tmp_path / "u.csv").write_text(UNITS_CSV, encoding="utf-8")
    rows = seed003_dossiers()
    db = tmp_path / "cchc.duckdb"
    ingest([tmp_path / "u.csv", write_csv(tmp_path / "d.csv", rows[:40])], db)
    write_csv(tmp_path / "moi.csv", [dict(r, dossier_id="MOI-" + r["dossier_id"]) for r in rows[100:110]])
    return db, (tmp_path / "moi.csv").read_bytes()


def _upload_through(post_a, post_b, deps: list[dict], upload: bytes, job_state) -> None:
    """Upload through A, poll the preview through B, confirm through A, poll the import to its end through B
    (post_x(body) -> (status, json)); `job_state(job_id)` reads the job as another process would."""
    status, started = post_a(_upload_body("moi.csv", upload))
    assert status == 200, started
    job_id = started["response"]["upload-job"]["data"]
    poll = _poll_body(deps, job_id)
    deadline = time.time() + 120

    def poll_until(*marks: str) -> str:
        while time.time() < deadline:
            status, answer = post_b(poll)  # the OTHER worker
            assert status in (200, 204), answer
            text = json.dumps(answer, ensure_ascii=False) if status == 200 else ""
            if any(m in text for m in (*marks, "upload-error")):
                return text
            time.sleep(0.05)
        raise AssertionError(f"the job never finished: {job_state(job_id)}")

    preview = poll_until("upload-preview")  # the preview (nothing published yet), read through the other worker
    assert "upload-preview" in preview and "đọc 10 dòng, nhận 10, loại 0" in preview, preview[:500]
    assert job_state(job_id)["state"] == "preview"
    # confirmed through the first worker, which did not run the preview: the job lives in the shared store
    confirm = _body(deps, "upload-confirm", "n_clicks", 1, [("upload-job", "data", job_id),
                                                            ("upload-accept-partial", "value", False)])
    status, answer = post_a(confirm)
    assert status == 200, answer
    done = poll_until("upload-done")
    assert "upload-done" in done and "đọc 10 dòng, nhận 10, loại 0" in done, done[:500]
    assert job_state(job_id)["state"] == "done"


def test_upload_polled_through_another_app(tmp_path):
    """The in-process sibling of the two-gunicorn test below (`make test-fast`; that one is in the `slow` tier):
    two apps on one database, each with its own data (connections, cache), through Flask's test client. The upload
    is started through one, previewed through the other, confirmed through the first and polled to its end through
    the second, and the job is the file next to the database (a fresh JobStore, as another process, reads every
    state): a job held in one app's memory fails here."""
    from dashboard.app import create_app
    from dashboard.ingest.load import ingest  # noqa: F401  (the import the job runs, imported before the threads)
    from dashboard.jobs import JobStore

    db, upload = _upload_db(tmp_path)
    apps = [create_app(db, no_auth=True).server for _ in range(2)]
    assert apps[0].extensions["cchc_data"] is not apps[1].extensions["cchc_data"]
    clients = [a.test_client() for a in apps]

    def post(client):
        def send(body: dict) -> tuple[int, dict | str]:
            r = client.post("/_dash-update-component", json=body)
            return r.status_code, (r.get_json() if r.status_code == 200 else r.get_data(as_text=True))
        return send

    deps = clients[1].get("/_dash-dependencies").get_json()
    _upload_through(post(clients[0]), post(clients[1]), deps, upload, lambda j: JobStore(db).get(j))


@pytest.mark.slow  # two real gunicorn processes; the in-process sibling: test_upload_polled_through_another_app
def test_upload_polled_through_another_gunicorn_worker(tmp_path):
    requests = pytest.importorskip("requests")
    from dashboard.jobs import JobStore

    db, upload = _upload_db(tmp_path)
    env = {"CCHC_DB": str(db), "CCHC_AUDIT": str(tmp_path / "audit.jsonl")}
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    with contextlib.ExitStack() as stack:
        workers = [  # two single-worker gunicorns: two processes that share nothing but the files
            stack.enter_context(
                running(
                    gunicorn_cmd(port, "wsgi_noauth:server", 1, 2, "--pythonpath", str(ROOT / "tests")),
                    url + "/_dash-dependencies",
                    log=tmp_path / f"gunicorn-{port}.log",
                    env=env,
                    timeout=60,
                )
            )
            for port, url in zip(ports, urls)
        ]
        pids = {w.pid for w in workers}
        assert len(pids) == 2

        def post(url):
            def send(body: dict) -> tuple[int, dict | str]:
                r = requests.post(url + "/_dash-update-component", json=body, timeout=30)
                return r.status_code, (r.json() if r.status_code == 200 else r.text)
            return send

        deps = requests.get(urls[1] + "/_dash-dependencies", timeout=5).json()
        _upload_through(post(urls[0]), post(urls[1]), deps, upload, lambda j: JobStore(db).get(j))
    # started by hand with the settings module (as the README's production server): both stopped cleanly, each
    # worker leaving at once (no SIGKILL after the graceful timeout), and neither opened gunicorn's per-user control
    # socket, which the two would have fought over
    for port in ports:
        log = (tmp_path / f"gunicorn-{port}.log").read_text()
        assert "Booting worker" in log and "Shutting down" in log, log
        assert "was sent SIG" not in log and "Control socket" not in log and "Traceback" not in log, log


def test_start_runs_work_in_the_background_and_reports_every_ending(tmp_path):
    """JobStore.start, the one runner of the web's background work (uploads, closings, test digests): what the work
    returns is written to the job, a known error is its message, any other error its type and message."""
    from dashboard.jobs import JobStore

    class Refused(Exception):
        pass

    def work(kind):
        if kind == "known":
            raise Refused("tệp không đọc được")
        if kind == "bug":
            raise KeyError("x")
        return {"message": "xong", "n": 3} if kind == "ok" else {"state": "preview"}

    jobs = JobStore(tmp_path / "cchc.duckdb")
    got = {}
    for kind in ("ok", "preview", "known", "bug"):
        job_id = jobs.create(kind="t")
        jobs.start(job_id, work, kind, known=(Refused,), prefix="Không được: ").join(10)
        got[kind] = {k: jobs.get(job_id).get(k) for k in ("state", "message", "n")}
    assert got == {
        "ok": {"state": "done", "message": "xong", "n": 3},
        "preview": {"state": "preview", "message": None, "n": None},
        "known": {"state": "error", "message": "Không được: tệp không đọc được", "n": None},
        "bug": {"state": "error", "message": "Không được: KeyError: 'x'", "n": None},
    }
