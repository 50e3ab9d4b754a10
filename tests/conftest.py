import contextlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import ROOT, cchc, free_port, running, serve_cmd  # noqa: E402  (re-exported for the tests)

__all__ = ["ROOT", "cchc", "live_server"]


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
    port = free_port()
    log_path = db.parent / f"server-{port}.log"
    base = f"http://127.0.0.1:{port}"
    with running(serve_cmd(db, port, *extra), base + "/dang-nhap", log_path):
        yield base
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]
