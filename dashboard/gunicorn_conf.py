"""gunicorn's settings for this app, in one place: `cchc serve --workers N` reads them, and so does a production
server started by hand: `CCHC_DB=/srv/cchc/cchc.duckdb gunicorn -c python:dashboard.gunicorn_conf dashboard.wsgi:server`
(command-line flags such as `-w 4 -b 0.0.0.0:8050` override them). Light on purpose: gunicorn's master reads it."""
from __future__ import annotations

import os
import sys

bind = "127.0.0.1:8050"
workers = 2
worker_class = "gthread"  # a worker serves several requests at once (DuckDB releases the GIL while it scans)
threads = 4
timeout = 120  # the first render of a heavy page on a cold 10 M-row file, or a large upload's request
graceful_timeout = 10
proc_name = "cchc"
# gunicorn ≥ 25 opens a control socket at one fixed path per user (~/.gunicorn/gunicorn.ctl): a second server on
# the machine (another city's, a test's) would take it over. Nothing here uses it.
control_socket_disable = True


def worker_exit(arbiter, worker) -> None:
    """A gunicorn worker that was told to stop (SIGTERM, SIGINT, SIGQUIT) and has finished its requests leaves at
    once: past this point the interpreter's own teardown of DuckDB's native objects hung until the arbiter killed
    the worker after `graceful_timeout` (10 s per stop) or aborted it ("terminate called…"). The arbiter calls
    this hook too, for a worker it finds gone: only the worker itself exits here."""
    if os.getpid() == worker.pid and worker.booted and not worker.alive:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

