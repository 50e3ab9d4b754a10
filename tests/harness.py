"""Running the real things from tests and benchmarks: the `cchc` command (in this process, or as the real entry
point in a subprocess) and servers on a free loopback port.

`cchc(...)` calls `dashboard.cli.main(argv)` in this process with its own stdin, stdout, stderr, environment and
working directory, and returns what a subprocess would (`returncode`, `stdout`/`stderr` bytes): a call costs
milliseconds instead of a Python start and the imports (~0.5 s). `process=True` runs `python -m dashboard` for
real, for the tests where the process is the point (exit codes of the entry point, no terminal, kill, locks);
`export` and `serve` always run that way: they build a Dash app and start servers, which belong to their own
process (Dash gives the callbacks of a process to the first app built in it)."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN_PROCESS = frozenset({"export", "serve", "digest"})  # always a real subprocess (Dash app, servers, Chromium)


def cchc(
    *args: str,
    db: Path | None = None,
    check: bool = True,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    process: bool | None = None,
) -> subprocess.CompletedProcess:
    """`cchc ARGS [--db DB]`; with check, a non-zero exit fails with the command and its stderr. `process`: True
    the real entry point in a subprocess, False in this process, None (the default) a subprocess for the commands
    of OWN_PROCESS only (process=False for one of them: a call refused before it builds an app or a server)."""
    argv = [*args, *(["--db", str(db)] if db else [])]
    if process or (process is None and argv and argv[0] in OWN_PROCESS):
        out = _subprocess(argv, input, env)
    else:
        out = run_main(argv, input, env)
    if check and out.returncode != 0:
        raise AssertionError(f"cchc {' '.join(argv)} -> {out.returncode}\n{out.stderr.decode()}")
    return out


def _subprocess(argv: list[str], input: bytes | None, env: dict[str, str] | None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "dashboard", *argv]
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run(cmd, capture_output=True, env=full_env, cwd=ROOT, input=input)


@contextlib.contextmanager
def _environment(env: dict[str, str] | None, cwd: Path) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env or {}}
    here = os.getcwd()
    os.environ.update(env or {})
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(here)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_main(
    argv: Sequence[str], input: bytes | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """`dashboard.cli.main(argv)` in this process, as a subprocess would see it: stdin holds `input` (not a
    terminal), stdout and stderr are captured as UTF-8 bytes, `sys.exit` and argparse's errors become the
    return code, an uncaught exception becomes exit 1 with its traceback on stderr (as Python prints it), and
    the environment and working directory are restored afterwards. `main` closes the databases it opened."""
    from dashboard import cli

    out, err = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(input or b""), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
    )
    saved = sys.stdin, sys.stdout, sys.stderr
    with _environment(env, cwd):
        sys.stdin, sys.stdout, sys.stderr = streams
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:
            code = _exit_code(exc)
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
    return subprocess.CompletedProcess(["cchc", *argv], code, out.getvalue(), err.getvalue())


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)  # sys.exit("message"): Python prints it and exits 1
    return 1


# ----------------------------------------------------------------------------- property tests
def fast_tier() -> bool:
    """Is this `make test-fast` (CCHC_TEST_TIER=fast: the inner loop), not `make test` (everything)?"""
    return os.environ.get("CCHC_TEST_TIER") == "fast"


def examples(test: int, fuzz: int, fast: int | None = None) -> int:
    """How many examples a hypothesis property runs: `test` in `make test` (derandomised), `fast` in `make
    test-fast` (CCHC_TEST_TIER=fast, the inner loop; `test` when not given: only the slowest properties have one),
    `fuzz` under `make fuzz` (CCHC_FUZZ=1, the long run of every property); CCHC_HYPOTHESIS_EXAMPLES sets the count
    for all. The property is the same in every tier: only how many inputs it is tried on changes."""
    if os.environ.get("CCHC_HYPOTHESIS_EXAMPLES"):
        return int(os.environ["CCHC_HYPOTHESIS_EXAMPLES"])
    if os.environ.get("CCHC_FUZZ") == "1":
        return fuzz
    return fast if fast is not None and fast_tier() else test


# ----------------------------------------------------------------------------- published databases
_TEMPLATES: dict[str, Path] = {}
_TEMPLATE_DIR: list[Path] = []


def published(files: Sequence[Path], db: Path, **options) -> Path:
    """`dashboard.ingest.load.ingest(files, db, **options)` into a database that does not exist yet, as a fixture
    needs it: the first call for the same files (names and bytes) and options imports them into a template of this
    test process, every call copies the template (the published file and the audit log the import wrote beside
    it). An import costs 0.5–2 s (the checks, `daily`, publication), a copy a millisecond. Tests of the import
    itself call `ingest`, never this."""
    if db.exists():
        raise ValueError(f"{db} exists: published() builds a new database (call ingest to import into one)")
    h = hashlib.sha256(repr(sorted(options.items())).encode())
    for f in files:
        h.update(f"\0{Path(f).name}\0".encode())
        h.update(Path(f).read_bytes())
    key = h.hexdigest()[:24]
    template = _TEMPLATES.get(key)
    if template is None:
        from dashboard.ingest.load import ingest

        if not _TEMPLATE_DIR:
            _TEMPLATE_DIR.append(Path(tempfile.mkdtemp(prefix="cchc-test-templates-")))
            atexit.register(shutil.rmtree, _TEMPLATE_DIR[0], True)
        folder = _TEMPLATE_DIR[0] / key
        folder.mkdir()
        copies = [shutil.copy(f, folder / Path(f).name) for f in files]  # imported from beside it, like the files
        template = folder / db.name
        ingest([Path(c) for c in copies], template, **options)
        _TEMPLATES[key] = template
    shutil.copy(template, db)
    audit = template.parent / "audit.jsonl"
    if audit.exists() and not (db.parent / "audit.jsonl").exists():
        shutil.copy(audit, db.parent / "audit.jsonl")
    return db


def with_demo_users(demo_db: Path, folder: Path) -> Path:
    """A copy of the legacy demo town in `folder` with the demo accounts (the ward account: W08, Xã Bình Minh) and
    its own secret key, sessions and audit log beside it."""
    from dashboard.auth import UserStore, ensure_demo_users, users_path

    db = folder / demo_db.name
    shutil.copy(demo_db, db)
    ensure_demo_users(UserStore(users_path(db)), "W08", "Xã Bình Minh")
    return db


def copy_folder(db: Path, into: Path) -> Path:
    """A private copy of a fixture database and everything beside it (users, secret key, audit log, the files it
    was imported from), without lock files: a session- or module-built database a test may change. Returns the
    copy's database path."""
    shutil.copytree(db.parent, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*-lock", "*.lock"))
    return into / db.name


# ----------------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_cmd(db: Path, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "dashboard", "serve", "--db", str(db), "--port", str(port), *extra]


def gunicorn_cmd(port: int, app: str, workers: int = 1, threads: int = 4, *extra: str) -> list[str]:
    """gunicorn started by hand as the README's production server is, with the app's settings module."""
    return [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.gunicorn_conf", "-w", str(workers),
            "-k", "gthread", "--threads", str(threads),
            "-b", f"127.0.0.1:{port}", *extra, app]


def answers(url: str) -> bool:
    """Does anything answer HTTP at `url` (any status: a 404 still means the server is up)?"""
    try:
        urllib.request.urlopen(url, timeout=5).read()
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):  # refused, reset, timed out while the server boots
        return False
    return True


def wait_answering(
    url: str, proc: subprocess.Popen, timeout: float = 90, log: Path | None = None, poll: float = 0.2
) -> None:
    """Wait until `url` answers (asking every `poll` s); a process that exits or a deadline passed is an error
    carrying its log."""
    deadline = time.time() + timeout
    while not answers(url):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"server at {url} did not start (exit {proc.poll()})\n{tail}")
        time.sleep(poll)


@contextlib.contextmanager
def running(
    cmd: list[str],
    probe: str,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 90,
    poll: float = 0.2,
) -> Iterator[subprocess.Popen]:
    """A server process (`cmd`) answering at `probe`; stopped (terminate, then kill) when the block ends.
    Its output goes to `log` (else nowhere)."""
    sink = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 (closed when the server stops)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    try:
        wait_answering(probe, proc, timeout, log, poll)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if log:
            sink.close()
