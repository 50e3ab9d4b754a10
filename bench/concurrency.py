"""Concurrent users on 127.0.0.1 (bounded in count and time): the page-render callbacks a browser really sends,
recorded once from Debian's chromium and replayed by N simulated users against the dev server and gunicorn
with 1 and 2 workers. Reports p50/p95, errors and the server's peak memory. Only loopback is ever targeted.

    python -m bench.concurrency --db data/bench/demo-1000000.duckdb --users 50 --requests 10
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from tests.harness import ROOT, free_port, gunicorn_cmd, running, serve_cmd

PATHS = [
    "/",
    "/?period=2025-Q2&unit=W03",
    "/don-vi?level=ward",
    "/ho-so-tre-han?unit=W08",
    "/bao-cao-quy?period=2025-Q2",
    "/chi-tieu",
    "/phan-tich",
    "/don-vi?unit=W08&kpi=on_time_rate",
]
MAX_SECONDS = 180


BENCH_USER, BENCH_PASSWORD = "bench-noivu", "bench-password-not-secret"


def ensure_bench_user(db: Path) -> None:
    """A Home Affairs account for the simulated users (in the bench database's own users file)."""
    from dashboard.auth import UserStore, users_path

    UserStore(users_path(db)).add(BENCH_USER, "noi_vu", BENCH_PASSWORD, replace=True)


def sign_in(base: str) -> str:
    """The session cookie of a fresh sign-in through the real form (each simulated user signs in)."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/dang-nhap", timeout=30).read().decode()
    tok = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    data = urllib.parse.urlencode({"csrf": tok, "username": BENCH_USER, "password": BENCH_PASSWORD}).encode()
    opener.open(base + "/dang-nhap", data=data, timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def record_payloads(base: str) -> list[tuple[str, bytes]]:
    """The POST bodies chromium sends to render each page (the pages router callback)."""
    from playwright.sync_api import sync_playwright

    payloads = []
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = b.new_page()
        page.goto(base + "/dang-nhap")
        page.fill("#username", BENCH_USER)
        page.fill("#password", BENCH_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda u: "/dang-nhap" not in u)
        for path in PATHS:
            seen = []

            def on_request(req, seen=seen):
                if (
                    "_dash-update-component" in req.url
                    and req.method == "POST"
                    and "_pages_content" in (req.post_data or "")
                ):
                    seen.append(req.post_data.encode())

            page.on("request", on_request)
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.remove_listener("request", on_request)
            if seen:
                payloads.append((path, seen[0]))
        b.close()
    return payloads


def peak_rss_mb(pid: int) -> float:
    """VmHWM of the server process and its children (gunicorn workers)."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except Exception:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as status:
                total += sum(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except FileNotFoundError:
            pass
    return round(total / 1024, 1)


def load(base: str, payloads: list[tuple[str, bytes]], users: int, per_user: int) -> dict:
    url = base + "/_dash-update-component"
    lat, errors, lock = [], [], threading.Lock()
    deadline = time.time() + MAX_SECONDS

    cookies = [sign_in(base) for _ in range(users)]

    def user(i: int):
        rnd = random.Random(i)
        for _ in range(per_user):
            if time.time() > deadline:
                return
            path, body = rnd.choice(payloads)
            req = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/json", "Cookie": cookies[i]}
            )
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    r.read()
                    ok = r.status == 200
            except Exception as exc:  # counted, not raised
                ok = False
                with lock:
                    errors.append(f"{path}: {exc}")
            with lock:
                if ok:
                    lat.append(time.perf_counter() - t)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    s = sorted(lat)
    return {
        "requests": len(lat) + len(errors),
        "errors": len(errors),
        "wall_s": round(wall, 1),
        "throughput_rps": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(s) * 1000) if s else None,
        "p95_ms": round(s[int(0.95 * (len(s) - 1))] * 1000) if s else None,
        "first_errors": errors[:3],
    }


def server_cmd(kind: str, db: Path, port: int) -> list[str]:
    if kind == "dev":
        return serve_cmd(db, port)
    return gunicorn_cmd(port, "dashboard.wsgi:server", int(kind.split("-")[1]), 4, "--timeout", "120")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=str(ROOT / "data" / "bench" / "demo-1000000.duckdb"))
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--requests", type=int, default=10, help="requests per user")
    ap.add_argument("--servers", default="dev,gunicorn-1,gunicorn-2")
    ap.add_argument("--out", default=str(ROOT / "bench" / "concurrency.json"))
    args = ap.parse_args()
    db = Path(args.db)
    results = {"db": db.name, "users": args.users, "requests_per_user": args.requests, "servers": {}}
    payloads = None
    ensure_bench_user(db)
    for kind in args.servers.split(","):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with running(server_cmd(kind, db, port), base + "/dang-nhap", env={"CCHC_DB": str(db)}, timeout=60) as proc:
            if payloads is None:
                payloads = record_payloads(base)
                results["pages"] = [p for p, _ in payloads]
            r = load(base, payloads, args.users, args.requests)
            r["peak_rss_mb"] = peak_rss_mb(proc.pid)
            results["servers"][kind] = r
            print(kind, json.dumps(r, ensure_ascii=False), flush=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
