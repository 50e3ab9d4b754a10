"""Server timings of a request, sent in its `Server-Timing` header (the browser shows them in its performance
timeline; `bench/browser.py` reads them): wall time, the serving thread's CPU time (load-independent: a busy
machine stretches the wall time, not the CPU time) and the named queries run for the request (count, time)."""

from __future__ import annotations

import sys
import time


def start() -> None:
    import flask

    flask.g.cchc_timing = [time.perf_counter(), time.thread_time(), 0, 0.0]


def query(seconds: float) -> None:
    """A named query ran (reader.Reader._run) for the current request, if any. Flask is never imported for it
    (the command line reads through the same Reader without it)."""
    flask = sys.modules.get("flask")
    if flask is not None and flask.has_request_context():
        t = flask.g.get("cchc_timing")
        if t is not None:
            t[2] += 1
            t[3] += seconds


def header() -> str | None:
    import flask

    t = flask.g.get("cchc_timing")
    if t is None:
        return None
    wall, cpu = (time.perf_counter() - t[0]) * 1000, (time.thread_time() - t[1]) * 1000
    return f'app;dur={wall:.1f}, cpu;dur={cpu:.1f}, sql;desc="{t[2]}";dur={t[3] * 1000:.1f}'


def install(server) -> None:
    server.before_request_funcs.setdefault(None, []).insert(0, start)  # first: the sign-in check is timed too

    @server.after_request
    def _server_timing(resp):
        h = header()
        if h:
            resp.headers["Server-Timing"] = h
        return resp
