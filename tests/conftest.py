import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def cchc(*args: str, db: Path | None = None, check: bool = True,
         input: bytes | None = None) -> subprocess.CompletedProcess:
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
    """The default demo city, fixed as-of date so figures are reproducible."""
    import datetime as dt

    from dashboard.demo.build import build_demo

    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(db, as_of=dt.date(2026, 11, 20))
    return db
