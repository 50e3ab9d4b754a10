"""Upload jobs live in a store every worker sees (dashboard/jobs.py): an upload started through one gunicorn
worker is polled to its end through another; finished jobs are pruned."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import UNITS_CSV, seed003_dossiers, write_csv

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def _poll_body(deps: list[dict], job_id: str) -> dict:
    dep = next(d for d in deps if any(i["id"] == "data-upload-poll" for i in d["inputs"]))
    outputs = [
        dict(zip(("id", "property"), o.split("@")[0].rsplit(".", 1), strict=True))
        for o in dep["output"].strip(".").split("...")
    ]
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{"id": "data-upload-poll", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["data-upload-poll.n_intervals"],
        "state": [{"id": "upload-job", "property": "data", "value": job_id}],
    }


def test_upload_polled_through_another_gunicorn_worker(tmp_path):
    requests = pytest.importorskip("requests")
    from dashboard.ingest.load import ingest

    (tmp_path / "u.csv").write_text(UNITS_CSV, encoding="utf-8")
    rows = seed003_dossiers()
    db = tmp_path / "cchc.duckdb"
    ingest([tmp_path / "u.csv", write_csv(tmp_path / "d.csv", rows[:40])], db)
    write_csv(tmp_path / "moi.csv", [dict(r, dossier_id="MOI-" + r["dossier_id"]) for r in rows[100:110]])
    upload = (tmp_path / "moi.csv").read_bytes()

    env = {**os.environ, "CCHC_DB": str(db), "CCHC_AUDIT": str(tmp_path / "audit.jsonl")}
    ports = [_free_port(), _free_port()]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "1",
                "-k",
                "gthread",
                "--threads",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--pythonpath",
                str(ROOT / "tests"),
                "wsgi_noauth:server",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        deadline = time.time() + 60
        for url in urls:
            while True:
                try:
                    if requests.get(url + "/_dash-dependencies", timeout=5).ok:
                        break
                except requests.ConnectionError:
                    pass
                assert time.time() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        pids = {w.pid for w in workers}
        assert len(pids) == 2
        started = requests.post(urls[0] + "/_dash-update-component", json=_upload_body("moi.csv", upload), timeout=30)
        assert started.ok, started.text
        job_id = started.json()["response"]["upload-job"]["data"]
        poll = _poll_body(requests.get(urls[1] + "/_dash-dependencies", timeout=5).json(), job_id)
        answers = []
        while time.time() < deadline + 60:
            r = requests.post(urls[1] + "/_dash-update-component", json=poll, timeout=30)  # the OTHER worker
            assert r.ok, r.text
            answers.append(json.dumps(r.json(), ensure_ascii=False) if r.status_code == 200 else r.text)
            if "upload-done" in answers[-1] or "upload-error" in answers[-1]:
                break
            time.sleep(0.3)
        assert "upload-done" in answers[-1], answers[-1][:500]
        assert "đọc 10 dòng, nhận 10, loại 0" in answers[-1]
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(10)
