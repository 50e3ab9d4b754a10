"""The in-process CLI runner (tests/harness.py) answers as the real entry point does: the same bytes on stdout,
the same exit codes, stdin and environment honoured, and nothing left behind (environment, working directory,
open database files)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl

from harness import cchc, run_main


def _open_files(path: Path) -> int:
    """How many of this process's file descriptors point at `path`."""
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink(f"/proc/self/fd/{fd}") == str(path)
        except OSError:
            continue
    return n


def test_in_process_and_subprocess_print_the_same(seed003_db):
    for args in (
        ("report", "quarterly", "--period", "2021-Q3"),
        ("report", "quarterly", "--period", "2021-Q3", "--format", "csv"),
        ("kpi", "--period", "2021-Q3", "--by", "unit", "--format", "csv"),
        ("rejects",),
    ):
        inside = cchc(*args, db=seed003_db)
        real = cchc(*args, db=seed003_db, process=True)
        assert (inside.returncode, inside.stdout) == (real.returncode, real.stdout), args
        assert inside.stdout  # something was printed


def test_exit_codes_and_messages_match_the_entry_point(seed003_db, tmp_path):
    db = ("--db", str(seed003_db))
    cases = [
        ("report", "quarterly", "--period", "2021-Q9", *db),  # a CliError: exit 2, one line
        ("report", "quarterly", "--period", "2021-Q3", "--format", "pdf", *db),  # argparse: exit 2, usage
        ("--help",),  # argparse's SystemExit(0)
        ("kpi", "--period", "2021-Q3", "--db", str(tmp_path / "none.duckdb")),  # no database: exit 2
    ]
    for args in cases:
        inside = cchc(*args, check=False)
        real = cchc(*args, check=False, process=True)
        assert inside.returncode == real.returncode, args
        assert (inside.stdout, inside.stderr) == (real.stdout, real.stderr), args
    assert cchc("--help", check=False).returncode == 0
    assert cchc("report", "quarterly", "--period", "2021-Q9", db=seed003_db, check=False).returncode == 2


def test_binary_stdout_stdin_and_environment(seed003_db, tmp_path):
    xlsx = cchc("report", "quarterly", "--period", "2021-Q3", "--format", "xlsx", db=seed003_db).stdout
    assert xlsx[:2] == b"PK"  # written to stdout's buffer, as to a pipe
    (tmp_path / "f.xlsx").write_bytes(xlsx)
    assert openpyxl.load_workbook(tmp_path / "f.xlsx").active.max_row > 5

    users = tmp_path / "users.json"
    before = dict(os.environ), os.getcwd()
    r = cchc("users", "add", "an", "--role", "noi_vu", "--password-stdin", db=seed003_db,
             input=b"mat-khau-dai-du\n", env={"CCHC_USERS": str(users), "CCHC_AUDIT": str(tmp_path / "a.jsonl")})
    assert r.returncode == 0 and users.exists()
    assert [e["event"] for e in map(json.loads, (tmp_path / "a.jsonl").read_text().splitlines())] == ["user_added"]
    assert (dict(os.environ), os.getcwd()) == before  # restored
    # the password came from stdin: the store verifies it
    from dashboard.auth import UserStore

    assert UserStore(users).verify("an", "mat-khau-dai-du") is not None


def test_a_crash_is_exit_1_with_its_traceback_and_closes_the_database(seed003_db, monkeypatch):
    from dashboard import cli

    held = _open_files(seed003_db)
    cchc("kpi", "--period", "2021-Q3", db=seed003_db)
    assert _open_files(seed003_db) == held  # main closed the snapshot it attached

    def boom(args):
        cli._reader(args)
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(cli.COMMANDS, "kpi", boom)
    r = run_main(["kpi", "--period", "2021-Q3", "--db", str(seed003_db)])
    err = r.stderr.decode()
    assert r.returncode == 1 and "Traceback" in err and "ZeroDivisionError: boom" in err
    assert _open_files(seed003_db) == held  # closed on the way out too
