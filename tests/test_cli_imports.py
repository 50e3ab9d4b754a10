"""A CLI command imports only what it needs: no web stack for a report, no spreadsheet library for a JSON or
CSV answer, no data stack for `--help` or the audit log. Each command runs in a fresh process (the modules a
process loaded are the point), through `dashboard.cli.main`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness import ROOT

WEB = {"dash", "plotly", "flask", "werkzeug", "playwright"}
DATA = {"pandas", "numpy", "pyarrow", "duckdb"}
PROBE = """
import contextlib, io, json, sys
from dashboard.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def loaded(*argv: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, cwd=ROOT, check=True)
    answer = json.loads(out.stdout)
    assert answer["code"] == 0, (argv, out.stderr.decode())
    return set(answer["modules"])


@pytest.mark.parametrize(
    ("argv", "never"),
    [
        (("--help",), WEB | DATA | {"openpyxl"}),
        (("audit",), WEB | DATA | {"openpyxl"}),
        (("users", "list"), WEB | DATA | {"openpyxl"}),  # the user store: no web stack, no duckdb, no scrypt at import
        (("report", "quarterly", "--period", "2021-Q3"), WEB | {"openpyxl"}),
        (("report", "quarterly", "--period", "2021-Q3", "--format", "csv"), WEB | {"openpyxl"}),
        (("kpi", "--period", "2021-Q3", "--format", "csv"), WEB | {"openpyxl"}),
    ],
)
def test_a_command_imports_only_what_it_needs(seed003_db, argv, never):
    mods = loaded(*argv, *([] if argv == ("--help",) else ["--db", str(seed003_db)]))
    assert "dashboard" in mods and not mods & never, sorted(mods & never)
    if argv[0] in ("report", "kpi"):
        assert {"pandas", "duckdb"} <= mods  # the probe sees real imports: the data stack did load


def test_the_xlsx_answer_does_load_openpyxl(seed003_db, tmp_path):
    mods = loaded("report", "quarterly", "--period", "2021-Q3", "--format", "xlsx", "--out", str(tmp_path / "f.xlsx"),
                  "--db", str(seed003_db))
    assert "openpyxl" in mods and (tmp_path / "f.xlsx").stat().st_size > 0
