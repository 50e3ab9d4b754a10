"""An import while many users read: no failed request, readers move to the new data, and the server
log holds no personal data. The real server (subprocess on 127.0.0.1), signed-in readers, bounded loop."""

from __future__ import annotations

import re
import shutil
import threading
import time

import duckdb
import pytest
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


def _new_dossiers(db, tmp_path):
    """A file of 300 new open dossiers for ward W08 (copies of W08's first 300, new ids)."""
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
    return write_csv(tmp_path / "hoso_moi.csv", rows)


def _applicants(db) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    names = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT applicant_name FROM dossiers WHERE length(applicant_name) > 8 LIMIT 500"
        ).fetchall()
    ]
    con.close()
    return names


PAGES = [
    ("/", "?period=2026-Q3"),
    ("/don-vi", "?period=2026-Q3"),
    ("/ho-so-tre-han", "?period=2026-Q3&view=all"),
    ("/bao-cao-quy", "?period=2026-Q3"),
]


def test_import_while_users_read_in_process(demo_db, tmp_path):
    """The in-process sibling of the test below (`make test-fast`; the real server with 8 readers × 40 rounds is
    in the `slow` tier): an app of its own on a copy of the demo city, three signed-in readers (Flask's test client,
    one thread each) rendering the pages while an import publishes 300 new dossiers: no failed render, every reader
    renders after the publication too and then reads the new data version, and the audit log holds no applicant's
    name."""
    from test_security import sign_in

    from dashboard.app import create_app
    from dashboard.auth import ensure_demo_users, UserStore, users_path
    from dashboard.db import Database
    from dashboard.ingest.load import ingest

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    ensure_demo_users(UserStore(users_path(db)), "W08", "Xã Bình Minh")
    old_version = Database(db).snapshot().data_version
    app = create_app(db)
    app.server.extensions["cchc_data"].warm = False  # no re-rendering after the import (tests/test_state.py has it)
    clients = [sign_in(app, u) for u in ("noivu", "chutich", "phuong")]
    f = _new_dossiers(db, tmp_path)
    failures: list[str] = []
    published = threading.Event()
    after = [0] * len(clients)

    def reader(i: int) -> None:
        k = 0
        while after[i] < 2 and k < 200:  # until two renders after the publication
            path, search = PAGES[(i + k) % len(PAGES)]
            seen = published.is_set()
            r = clients[i].post("/_dash-update-component", json=page_body(path, search))
            if r.status_code != 200 or '"_pages_content"' not in r.text:
                failures.append(f"{path}: {r.status_code} {r.text[:200]}")
            after[i] += seen
            k += 1
            time.sleep(0.02)  # readers, not a busy loop holding the interpreter while the import runs

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    (r,) = ingest([f], db, imported_by="noivu")
    published.set()
    for t in threads:
        t.join(timeout=300)
    assert r.accepted == r.rows_read == 300 and after == [2, 2, 2]
    assert failures == [], failures[:5]
    new_version = Database(db).snapshot().data_version
    assert new_version != old_version
    assert app.server.extensions["cchc_data"].database.snapshot().data_version == new_version
    names = _applicants(db)
    assert names and not [n for n in names if n in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")]


@pytest.mark.slow  # a real server under load; the in-process sibling: test_import_while_users_read_in_process
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
    with running(serve_cmd(db, port), url + "/dang-nhap", log_path, env={"CCHC_WARM_START": "0"}, timeout=60):
        users = [("noivu", "noivu"), ("chutich", "chutich"), ("phuong", "phuong")]
        sessions = [_session(url, u, DEMO_PASSWORDS[p]) for u, p in users]
        pages = PAGES
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
        f = _new_dossiers(db, tmp_path)  # the import: 300 new dossiers for ward W08, published while the readers run
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
    names = _applicants(db)
    text = log_path.read_text(encoding="utf-8", errors="replace") + (tmp_path / "audit.jsonl").read_text(
        encoding="utf-8"
    )
    assert names and not [n for n in names if n in text]
    assert "POST /_dash-update-component" in text  # the log was really written
