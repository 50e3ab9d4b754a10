import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def cchc(
    *args: str, db: Path | None = None, check: bool = True, input: bytes | None = None
) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (as operators and the contract check do)."""
    cmd = [sys.executable, "-m", "dashboard", *args] + (["--db", str(db)] if db else [])
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, input=input)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} -> {out.returncode}\n{out.stderr.decode()}")
    return out


@pytest.fixture(scope="session")
def seed003_db(tmp_path_factory) -> Path:
    from builders import seed003_files

    from dashboard.ingest.load import ingest

    tmp = tmp_path_factory.mktemp("seed003")
    db = tmp / "cchc.duckdb"
    ingest(seed003_files(tmp), db)
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The legacy demo town (`cchc demo --city legacy`: TP Tây Ninh before 2025, 16 units W01–W10…), fixed as-of
    date so figures are reproducible. The tests that pin its figures were written against it; the default demo
    city of today (Huế) has its own tests (tests/test_demo_city.py), its figures derived independently."""
    import datetime as dt

    from dashboard.demo.build import build_demo

    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(db, as_of=dt.date(2026, 11, 20), city="legacy")
    return db


@pytest.fixture(scope="session")
def app_db(demo_db, tmp_path_factory) -> Path:
    """A private copy of the demo database with its own users, secret key and audit log."""
    import shutil

    from dashboard.auth import UserStore, ensure_demo_users, users_path

    db = tmp_path_factory.mktemp("sec") / "demo.duckdb"
    shutil.copy(demo_db, db)
    ensure_demo_users(UserStore(users_path(db)), "W08", "Xã Bình Minh")
    return db


@pytest.fixture(scope="session")
def app(app_db):
    """The in-process app (Flask test client). One per test session: Dash gives the callbacks registered with
    @callback to the first app built in a process, so a second in-process app would have none."""
    from dashboard.app import create_app

    return create_app(app_db)


@contextlib.contextmanager
def live_server(db: Path, *extra: str):
    """`cchc serve` on a free loopback port (extra: e.g. --workers 2); yields the base URL. Its log must hold
    no traceback when it stops."""
    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = db.parent / f"server-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed when the server stops)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve", "--db", str(db), "--port", str(port), *extra],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            if requests.get(base + "/dang-nhap", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError(log_path.read_text()[-3000:])
        time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]
