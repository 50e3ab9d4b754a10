import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import ROOT, cchc, free_port, running, serve_cmd, with_demo_users  # noqa: E402  (re-exported for the tests)

__all__ = ["ROOT", "cchc", "live_server"]


@pytest.hookimpl(tryfirst=True)  # before `-m` selects: a test driving Chromium is a browser test, marked or not
def pytest_collection_modifyitems(config, items):
    """A test using the session's Chromium (the `browser` fixture) is marked `browser`, so `make test-fast` never
    starts one. Under pytest-xdist (`make test`: -n 2 --dist loadgroup) a test file goes whole to one process, so
    its module-scoped databases are built once, and every test driving the session's Chromium to the same process:
    one server, one browser."""
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        group = "browser" if "browser" in item.fixturenames else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def _cpu() -> float:
    import resource

    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF,
                                                                         resource.RUSAGE_CHILDREN)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """CCHC_CPU_LOG=FILE: one line per test appended to FILE: CPU seconds (this process, its threads and the
    subprocesses it waited for) from the test's setup to its teardown, the test's id, the xdist worker (gw0…).
    CPU, unlike --durations' wall time, hardly moves with the load of a shared machine (`sort -rn FILE | head`
    finds the costly tests)."""
    log = os.environ.get("CCHC_CPU_LOG")
    start = _cpu() if log else 0.0
    yield
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{_cpu() - start:.3f} {item.nodeid} {os.environ.get('PYTEST_XDIST_WORKER', '-')}\n")


@contextlib.contextmanager
def _built_once(tmp_path_factory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder for a read-only session database that every test process of the run shares: the first process
    to get here builds it (the others wait on the lock), the others find it built. Yields (folder, to build)."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each process's own
    folder = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".built"
        folder.mkdir(exist_ok=True)
        yield folder, not done.exists()
        done.touch()


@pytest.fixture(scope="session")
def seed003_db(tmp_path_factory) -> Path:
    """Huyện Châu Thành Q3/2021 (tests/builders.py), read-only: tests that change it copy it. Imported by `cchc
    ingest` (in this process) from the files beside it (tests/builders.py seed003_files), its audit log beside it."""
    with _built_once(tmp_path_factory, "seed003") as (tmp, build):
        db = tmp / "cchc.duckdb"
        if build:
            from builders import seed003_files

            cchc("ingest", *map(str, seed003_files(tmp)), db=db)
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The legacy demo town (`cchc demo --city legacy`: TP Tây Ninh before 2025, 16 units W01–W10…), fixed as-of
    date so figures are reproducible. The tests that pin its figures were written against it; the default demo
    city of today (Huế) has its own tests (tests/test_demo_city.py), its figures derived independently."""
    import datetime as dt

    with _built_once(tmp_path_factory, "demo") as (tmp, build):
        db = tmp / "demo.duckdb"
        if build:
            from dashboard.demo.build import build_demo

            build_demo(db, as_of=dt.date(2026, 11, 20), city="legacy")
    return db


@pytest.fixture(scope="session")
def danang_db(tmp_path_factory) -> tuple[Path, str]:
    """`cchc demo --city "Đà Nẵng" --dossiers 3000 --as-of 2026-11-20`, read-only (tests that change it copy its
    folder): (database, what the command printed)."""
    with _built_once(tmp_path_factory, "danang") as (tmp, build):
        db = tmp / "cchc.duckdb"
        if build:
            out = cchc("demo", "--city", "Đà Nẵng", "--dossiers", "3000", "--as-of", "2026-11-20", db=db).stdout
            (tmp / "demo-output.txt").write_bytes(out)
    return db, (tmp / "demo-output.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def app_db(demo_db, tmp_path_factory) -> Path:
    """A private copy of the demo database with its own users, secret key and audit log."""
    return with_demo_users(demo_db, tmp_path_factory.mktemp("sec"))


@pytest.fixture(scope="session")
def app(app_db):
    """The in-process app (Flask test client). One per test session: Dash gives the callbacks registered with
    @callback to the first app built in a process, so a second in-process app would have none."""
    from dashboard.app import create_app

    return create_app(app_db)


@contextlib.contextmanager
def live_server(db: Path, *extra: str, warm: bool = False):
    """`cchc serve` on a free loopback port (extra: e.g. --workers 2); yields the base URL. Its log must hold
    no traceback when it stops, and no gunicorn worker may have had to be killed (SIGKILL after the graceful
    timeout, or SIGABRT): each leaves on its own when the server stops. Without `warm` the server does not
    pre-render the default pages at start (CCHC_WARM_START=0: 12 page renders per worker that no test here reads;
    tests/test_state.py tests the warmer)."""
    port = free_port()
    log_path = db.parent / f"server-{port}.log"
    base = f"http://127.0.0.1:{port}"
    env = None if warm else {"CCHC_WARM_START": "0"}
    with running(serve_cmd(db, port, *extra), base + "/dang-nhap", log_path, env=env):
        yield base
    log = log_path.read_text()
    assert "Traceback" not in log and "was sent SIG" not in log, log[-3000:]
