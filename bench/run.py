"""`make bench`: measured figures, never assertions. Writes bench/results.json and bench/results.md.

- demo databases of 100 k and 1 M dossiers (10 M with --full), cached in data/bench/;
- every page's server-side render (the page's layout with realistic filters), cold (cache cleared) and warm,
  median and p95 over --runs runs;
- the same question (the quarterly form per unit) answered by a pandas baseline on the same data: ratio;
- ingest throughput for a 1 M-row CSV with validation, including publishing the new file;
- app cold start: process start to the first page served.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "data" / "bench"
AS_OF = dt.date(2026, 11, 20)
PAGES = [  # (path, query) as a user would open them
    ("/", {}),
    ("/", {"period": "2025-Q2", "unit": "W03"}),
    ("/don-vi", {"level": "ward"}),
    ("/don-vi", {"unit": "W08", "kpi": "on_time_rate"}),
    ("/ho-so-tre-han", {"unit": "W08", "view": "all"}),
    ("/bao-cao-quy", {"period": "2025-Q2", "by": "unit"}),
    ("/chi-tieu", {}),
    ("/phan-tich", {}),
]


def pages_170() -> list[tuple[str, dict]]:
    """The same pages on the 170-unit city (tests/units170.py: TP HCM's wards, a department, two merged wards),
    plus the matrix rolled up to today's units, every unit listed, and the deck's ranking slide."""
    from dashboard.pages.present import KPI_SLIDES

    ward = {"period": "2025-Q3", "unit": "25747"}
    return [
        ("/", {"period": "2025-Q3"}),
        ("/", {"period": "2025-Q2", "unit": "25747"}),
        ("/don-vi", {"period": "2025-Q3", "level": "ward"}),
        ("/don-vi", {"period": "2025-Q3", "units": "current"}),
        ("/don-vi", {"period": "2025-Q3", "units": "current", "all": "1"}),
        ("/don-vi", {**ward, "kpi": "on_time_rate"}),
        ("/ho-so-tre-han", {**ward, "view": "all"}),
        ("/bao-cao-quy", {"period": "2025-Q2", "by": "unit"}),
        ("/chi-tieu", {"year": "2025"}),
        ("/phan-tich", {"period": "2025-Q3"}),
        ("/trinh-chieu", {"period": "2025-Q3", "slide": str(2 + len(KPI_SLIDES))}),
    ]


def db_170(n: int) -> Path:
    """A 170-unit city of n dossiers (a CSV generated and ingested like an operator's), cached in data/bench/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"hcm170-{n}" / "hcm.duckdb"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "tests"))
        import units170

        t = time.perf_counter()
        path.parent.mkdir(parents=True, exist_ok=True)
        units170.build(path.parent, n)
        print(f"built {path} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def db_for(n: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"legacy-{n}.duckdb"
    if not path.exists():
        from dashboard.demo.build import build_demo

        t = time.perf_counter()
        build_demo(path, n_dossiers=n, as_of=AS_OF, city="legacy")  # the 16-unit town: comparable with earlier runs
        print(f"built {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def stats(samples: list[float]) -> dict:
    s = sorted(samples)
    return {
        "median_ms": round(statistics.median(s) * 1000, 1),
        "p95_ms": round(s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))] * 1000, 1),
        "runs": len(s),
    }


def bench_pages(path: Path, runs: int, pages=None) -> list[dict]:
    """pages: (path, query) pairs, or a function giving them once the app is built (PAGES by default)."""
    import dash

    from dashboard.app import create_app
    from dashboard.db import FULL
    from dashboard.reader import reading

    data = create_app(path).server.extensions["cchc_data"]
    registry = {p["path"]: p for p in dash.page_registry.values()}
    out = []
    for page, query in (pages() if callable(pages) else pages) or PAGES:
        layout = registry[page]["layout"]
        cold = []
        for _ in range(runs):
            data.clear()
            t = time.perf_counter()
            with reading(data.reader(FULL)):
                layout(**query)
            cold.append(time.perf_counter() - t)
        warm = []
        for _ in range(runs):
            t = time.perf_counter()
            with reading(data.reader(FULL)):
                layout(**query)
            warm.append(time.perf_counter() - t)
        out.append({"page": page, "query": query, "cold": stats(cold), "warm": stats(warm)})
        print(
            f"  {page:16s} {json.dumps(query, ensure_ascii=False):40s} cold {out[-1]['cold']['median_ms']:8.1f} ms"
            f"  warm {out[-1]['warm']['median_ms']:7.1f} ms",
            flush=True,
        )
    return out


def bench_pandas(path: Path, runs: int) -> dict:
    """The quarterly form per unit: DuckDB (our path) against a DataFrame filtered and grouped per call."""
    import duckdb
    import pandas as pd

    from dashboard.db import Database
    from dashboard.metrics.period import Period
    from dashboard.metrics.form import quarterly_form
    from dashboard.reader import Reader

    p = Period.parse("2025-Q2")
    snap = Database(path).snapshot()
    duck = []
    for _ in range(runs):
        t = time.perf_counter()
        quarterly_form(Reader(snap), p)  # a fresh reader: nothing memoised
        duck.append(time.perf_counter() - t)
    # the same question as the pandas baseline, answered by the query alone: counts per unit as a DataFrame
    duck_q = []
    for _ in range(runs):
        t = time.perf_counter()
        snap.df("report_form", unit=None, **p.params()).groupby("unit_code").sum(numeric_only=True)
        duck_q.append(time.perf_counter() - t)
    con = duckdb.connect(str(path), read_only=True)
    t = time.perf_counter()
    df = con.execute("SELECT unit_code, field, channel, status, received_at, due_at, completed_at FROM dossiers").df()
    load_s = time.perf_counter() - t
    mem_mb = df.memory_usage(deep=True).sum() / 2**20
    con.close()
    start, end = pd.Timestamp(p.start_ts), pd.Timestamp(p.end_ts)

    def form_pandas():
        d = df[(df.status != "rut") & (df.received_at < end) & (df.completed_at.isna() | (df.completed_at >= start))]
        done = d.completed_at < end
        g = pd.DataFrame(
            {
                "unit_code": d.unit_code,
                "received_new": d.received_at >= start,
                "carried_over": d.received_at < start,
                "resolved_total": done,
                "resolved_late": done & (d.completed_at > d.due_at),
                "pending_overdue": ~done & (d.due_at < end),
            }
        )
        return g.groupby("unit_code").sum()

    pdt = []
    for _ in range(runs):
        t = time.perf_counter()
        form_pandas()
        pdt.append(time.perf_counter() - t)
    return {
        "question": "quarterly form per unit, 2025-Q2",
        "duckdb": stats(duck),
        "duckdb_query": stats(duck_q),
        "ratio_pandas_over_duckdb_query": round(statistics.median(pdt) / statistics.median(duck_q), 1),
        "pandas": stats(pdt),
        "pandas_load_s": round(load_s, 2),
        "pandas_frame_mb": round(mem_mb),
        "ratio_pandas_over_duckdb": round(statistics.median(pdt) / statistics.median(duck), 1),
    }


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_ingest(source_db: Path) -> dict:
    import duckdb

    csv = CACHE / "hoso-1m.csv"
    units = CACHE / "units.csv"
    if not csv.exists():
        con = duckdb.connect(str(source_db), read_only=True)
        con.execute(f"""COPY (SELECT dossier_id AS "Mã hồ sơ", unit_code AS "Mã đơn vị", procedure_code AS "Mã TTHC",
            procedure_name AS "Tên TTHC", field AS "Lĩnh vực", channel AS "Hình thức tiếp nhận",
            strftime(received_at, '%d/%m/%Y %H:%M') AS "Ngày tiếp nhận",
            strftime(due_at, '%d/%m/%Y %H:%M') AS "Ngày hẹn trả",
            strftime(completed_at, '%d/%m/%Y %H:%M') AS "Ngày có kết quả", status AS "Trạng thái",
            CASE WHEN has_fee THEN 'có' ELSE 'không' END AS "Có phí, lệ phí", digitized::INT AS "Số hóa hồ sơ",
            handler AS "Cán bộ xử lý", late_reason AS "Lý do trễ hạn",
            strftime(updated_at, '%d/%m/%Y %H:%M') AS "Ngày cập nhật" FROM dossiers LIMIT 1000000)
            TO '{csv}' (HEADER)""").fetchall()
        con.execute(
            f"COPY (SELECT unit_code, unit_name, unit_kind, parent_code, level FROM units) TO '{units}' (HEADER)"
        ).fetchall()
        con.close()
    target = CACHE / "ingest-target.duckdb"
    target.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    t, cpu = time.perf_counter(), _children_cpu()
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "ingest", str(units), str(csv), "--db", str(target)],
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    secs, cpu = time.perf_counter() - t, _children_cpu() - cpu
    with open(csv, encoding="utf-8") as f:
        rows = sum(1 for _ in f) - 1
    return {
        "rows": rows,
        "csv_mb": round(csv.stat().st_size / 2**20),
        "seconds": round(secs, 2),
        "cpu_s": round(cpu, 2),  # user + system of the import's process (its DuckDB threads included)
        "load_average_before": round(load, 2),
        "rows_per_s": round(rows / secs),
        "output": out.stdout.decode().strip().splitlines()[-1],
    }


def bench_cold_start(path: Path) -> dict:
    from tests.harness import free_port, running, serve_cmd

    port = free_port()
    t = time.perf_counter()
    with running(serve_cmd(path, port), f"http://127.0.0.1:{port}/dang-nhap", timeout=60, poll=0.05):
        ready = time.perf_counter() - t
        from bench.concurrency import ensure_bench_user, sign_in

        ensure_bench_user(path)
        cookie = sign_in(f"http://127.0.0.1:{port}")
        t2 = time.perf_counter()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-layout", headers={"Cookie": cookie})
        urllib.request.urlopen(req, timeout=30).read()
        return {
            "process_start_to_first_page_s": round(ready, 2),
            "layout_request_s": round(time.perf_counter() - t2, 3),
        }


def _page_table(title: str, pages: list[dict]) -> list[str]:
    lines = [title, "", "| page | query | cold median | cold p95 | warm median |", "|---|---|---|---|---|"]
    for p in pages:
        lines.append(
            f"| {p['page']} | {json.dumps(p['query'], ensure_ascii=False)} | {p['cold']['median_ms']} ms | "
            f"{p['cold']['p95_ms']} ms | {p['warm']['median_ms']} ms |"
        )
    return lines


def _ratio_table(by_size: dict) -> list[str]:
    """The largest 170-unit size against the smallest, page by page (cold medians of the same run; goal ≤ 1.5×)."""
    if len(by_size) < 2:
        return []
    lo, hi = sorted(by_size, key=int)[0], sorted(by_size, key=int)[-1]
    lines = [f"## 170 units: {int(hi):,} / {int(lo):,} dossiers (cold median)".replace(",", "."), "",
             "| page | query | small | large | ratio |", "|---|---|---|---|---|"]
    for a, b in zip(by_size[lo]["pages"], by_size[hi]["pages"], strict=True):
        ca, cb = a["cold"]["median_ms"], b["cold"]["median_ms"]
        lines.append(f"| {a['page']} | {json.dumps(a['query'], ensure_ascii=False)} | {ca} ms | {cb} ms | "
                     f"{cb / ca:.2f}× |")
    return lines + [""]


def markdown(results: dict) -> str:
    lines = [f"# Benchmark ({results['when']}, {results['machine']})", ""]
    for size, r in results["sizes"].items():
        lines += _page_table(f"## {int(size):,} dossiers".replace(",", "."), r["pages"])
        b = r.get("pandas")
        if b is None:
            lines.append("")
            continue
        lines += [
            "",
            f"Quarterly form per unit: the query alone (DataFrame per unit) {b['duckdb_query']['median_ms']} ms, "
            f"pandas {b['pandas']['median_ms']} ms (pandas / DuckDB × {b['ratio_pandas_over_duckdb_query']}); "
            f"the whole form with its Python shaping {b['duckdb']['median_ms']} ms "
            f"(× {b['ratio_pandas_over_duckdb']}); "
            f"pandas also needs {b['pandas_load_s']} s and {b['pandas_frame_mb']} MB to hold the frame.",
            "",
        ]
    for size, r in results.get("units170", {}).items():
        title = f"## {int(size):,} dossiers × 170 units (TP HCM's wards and communes)".replace(",", ".")
        lines += _page_table(title, r["pages"]) + [""]
    lines += _ratio_table(results.get("units170", {}))
    if "ingest" in results:
        i = results["ingest"]
        lines += [
            f"Ingest: {i['rows']:,} rows ({i['csv_mb']} MB CSV) in {i['seconds']} s = {i['rows_per_s']:,} rows/s, "
            "validation and publication included.",
            "",
        ]
    if "cold_start" in results:
        c = results["cold_start"]
        lines += [f"Cold start: {c['process_start_to_first_page_s']} s from process start to the first page.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--full", action="store_true", help="also 10 M dossiers")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument(
        "--units170",
        default="100000",
        help="dossier counts of the 170-unit city (tests/units170.py), e.g. 100000,1000000",
    )
    ap.add_argument("--pages-only", action="store_true", help="page renders only: no pandas, ingest, cold start")
    ap.add_argument("--out", default="results", help="writes bench/OUT.json and bench/OUT.md")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")] + ([10_000_000] if args.full else [])
    results = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "load_average_before": os.getloadavg(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "sizes": {},
    }
    for n in sizes:
        path = db_for(n)
        print(f"{n:,} dossiers", flush=True)
        results["sizes"][str(n)] = {"pages": bench_pages(path, args.runs)}
        if not args.pages_only:
            results["sizes"][str(n)]["pandas"] = bench_pandas(path, args.runs)
            print("  pandas:", results["sizes"][str(n)]["pandas"], flush=True)
    for n in [int(x) for x in args.units170.split(",") if x]:
        path = db_170(n)
        print(f"{n:,} dossiers × 170 units", flush=True)
        results.setdefault("units170", {})[str(n)] = {"pages": bench_pages(path, args.runs, pages_170)}
    results["load_average_after"] = os.getloadavg()
    if 1_000_000 in sizes and not args.pages_only:
        results["ingest"] = bench_ingest(db_for(1_000_000))
        print("  ingest:", results["ingest"], flush=True)
    if not args.pages_only:
        results["cold_start"] = bench_cold_start(db_for(sizes[-1]))
    out = ROOT / "bench"
    (out / f"{args.out}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    (out / f"{args.out}.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
