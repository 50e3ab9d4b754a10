"""An import while many users read: no failed request, readers move to the new data, and the server
log holds no personal data. The real server (subprocess on 127.0.0.1), signed-in readers, bounded loop."""

from __future__ import annotations

import re
import shutil
import threading
import time

import duckdb
import requests

from builders import write_csv
from harness import cchc, free_port, running, serve_cmd
from test_security import page_body

READERS, ROUNDS = 8, 40


def _session(url: str, user: str, password: str) -> requests.Session:
    s = requests.Session()
    tok = re.search(r'name="csrf" value="([^"]+)"', s.get(url + "/dang-nhap", timeout=30).text)[1]
    r = s.post(
        url + "/dang-nhap",
        data={"csrf": tok, "username": user, "password": password, "next": "/"},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302
    return s


def test_import_while_users_read(demo_db, tmp_path):
    from dashboard.auth import DEMO_PASSWORDS, UserStore, ensure_demo_users, users_path
    from dashboard.db import Database

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    ensure_demo_users(UserStore(users_path(db)), "W08", "Xã Bình Minh")
    old_version = Database(db).snapshot().data_version
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    with running(serve_cmd(db, port), url + "/dang-nhap", log_path, timeout=60):
        users = [("noivu", "noivu"), ("chutich", "chutich"), ("phuong", "phuong")]
        sessions = [_session(url, u, DEMO_PASSWORDS[p]) for u, p in users]
        pages = [
            ("/", "?period=2026-Q3"),
            ("/don-vi", "?period=2026-Q3"),
            ("/ho-so-tre-han", "?period=2026-Q3&view=all"),
            ("/bao-cao-quy", "?period=2026-Q3"),
        ]
        failures: list[str] = []
        done = [0]
        lock = threading.Lock()

        def reader(i: int) -> None:
            s = sessions[i % len(sessions)]
            for k in range(ROUNDS):
                path, search = pages[(i + k) % len(pages)]
                try:
                    r = s.post(url + "/_dash-update-component", json=page_body(path, search), timeout=60)
                    ok = r.status_code == 200 and '"_pages_content"' in r.text
                    if not ok:
                        failures.append(f"{path}: {r.status_code} {r.text[:200]}")
                except requests.RequestException as exc:
                    failures.append(f"{path}: {exc}")
                with lock:
                    done[0] += 1

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        # the import: 300 new dossiers for ward W08, published while the readers run
        con = duckdb.connect(str(db), read_only=True)
        base = con.execute("SELECT * FROM dossiers WHERE unit_code = 'W08' LIMIT 300").df()
        con.close()
        rows = [
            {
                "dossier_id": f"MOI-{i:05d}",
                "unit_code": "W08",
                "procedure_code": r.procedure_code,
                "procedure_name": r.procedure_name,
                "field": r.field,
                "channel": r.channel,
                "received_at": r.received_at.to_pydatetime(),
                "due_at": r.due_at.to_pydatetime(),
                "completed_at": None,
                "status": "dang_xu_ly",
                "handler": r.handler,
                "late_reason": "",
                "updated_at": r.received_at.to_pydatetime(),
            }
            for i, r in enumerate(base.itertuples())
        ]
        f = write_csv(tmp_path / "hoso_moi.csv", rows)
        during = done[0]
        cchc("ingest", str(f), db=db, process=True)  # the operator's import, in its own process
        for t in threads:
            t.join(timeout=300)
        assert done[0] == READERS * ROUNDS and during < done[0]
        assert failures == [], failures[:5]
        # readers now see the new data version
        assert Database(db).snapshot().data_version != old_version
        r = sessions[0].post(url + "/_dash-update-component", json=page_body("/ho-so-tre-han", "?period=2026-Q3"))
        assert r.status_code == 200
    # no personal data in the server's log or the audit log
    con = duckdb.connect(str(db), read_only=True)
    names = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT applicant_name FROM dossiers WHERE length(applicant_name) > 8 LIMIT 500"
        ).fetchall()
    ]
    con.close()
    text = log_path.read_text(encoding="utf-8", errors="replace") + (tmp_path / "audit.jsonl").read_text(
        encoding="utf-8"
    )
    assert names and not [n for n in names if n in text]
    assert "POST /_dash-update-component" in text  # the log was really written
