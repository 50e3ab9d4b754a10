"""The aggregates built at publication (queries/build_daily.sql), statement by statement, on a COPY of a published
database (the original is only read): wall and process CPU time of each `CREATE OR REPLACE TABLE`, for the
working tree's build_daily.sql and, with --rev, a git revision's, run alternately (A B A B …) so both meet the
same load. With --rev it also checks that both versions build the same tables (EXCEPT ALL both ways, every
column). Prints and writes bench/publish_aggregates.json (or --out).

    python -m bench.publish_aggregates --db data/bench/ingest-target.duckdb [--rev cdcd6d6] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb

from dashboard import db as dbq

ROOT = Path(__file__).resolve().parents[1]
_TABLE = re.compile(r"CREATE\s+OR\s+REPLACE\s+TABLE\s+(\w+)", re.I)


def _statements(text: str) -> list[tuple[str, str]]:
    """(table, statement) of a build_daily.sql text, parsed by DuckDB as dashboard.db does."""
    out = []
    for stmt in duckdb.connect(":memory:").extract_statements(text):
        m = _TABLE.search(stmt.query)
        out.append((m[1] if m else f"#{len(out)}", stmt.query))
    return out


def _texts(rev: str | None) -> dict[str, str]:
    texts = {"now": dbq.sql("build_daily")}
    if rev:
        texts[rev] = subprocess.run(
            ["git", "show", f"{rev}:queries/build_daily.sql"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout
    return texts


def _run(con: duckdb.DuckDBPyConnection, stmts: list[tuple[str, str]], suffix: str) -> dict[str, tuple[float, float]]:
    times = {}
    for table, text in stmts:
        t, c = time.perf_counter(), time.process_time()
        con.execute(text).fetchall()
        times[table] = (time.perf_counter() - t, time.process_time() - c)
        if suffix:
            con.execute(f"CREATE OR REPLACE TABLE {table}{suffix} AS SELECT * FROM {table}")
    return times


def _differences(con: duckdb.DuckDBPyConnection, a: str, b: str) -> int:
    """Rows of a not in b plus rows of b not in a (multisets, every column of b by name)."""
    sel = ", ".join(f'"{r[0]}"' for r in con.execute(f"DESCRIBE {b}").fetchall())
    return con.execute(
        f"SELECT (SELECT count(*) FROM (SELECT {sel} FROM {a} EXCEPT ALL SELECT {sel} FROM {b})) + "
        f"(SELECT count(*) FROM (SELECT {sel} FROM {b} EXCEPT ALL SELECT {sel} FROM {a}))"
    ).fetchone()[0]


def bench(db: Path, rev: str | None, runs: int) -> dict:
    texts = _texts(rev)
    work = Path(tempfile.mkdtemp(prefix="cchc-publish-agg-", dir=ROOT / "data"))  # never beside the original
    try:
        copy = work / db.name
        shutil.copyfile(db, copy)
        con = duckdb.connect(str(copy))
        dossiers = con.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        samples: dict[str, dict[str, list[tuple[float, float]]]] = {k: {} for k in texts}
        for i in range(runs):
            for name, text in texts.items():
                last = i == runs - 1
                suffix = f"__{'rev' if name != 'now' else 'now'}" if last and rev else ""
                for table, tw in _run(con, _statements(text), suffix).items():
                    samples[name].setdefault(table, []).append(tw)
        report = {"db": str(db), "dossiers": dossiers, "runs": runs, "duckdb": duckdb.__version__,
                  "threads": con.execute("SELECT current_setting('threads')").fetchone()[0]}
        for name, per in samples.items():
            report[name] = {
                table: {"wall_s_median": round(statistics.median(w for w, _ in v), 3),
                        "cpu_s_median": round(statistics.median(c for _, c in v), 3),
                        "wall_s_all": [round(w, 3) for w, _ in v]}
                for table, v in per.items()
            }
        if rev:
            common = sorted(set(samples["now"]) & set(samples[rev]))
            report["rows_differing_now_vs_rev"] = {t: _differences(con, f"{t}__now", f"{t}__rev") for t in common}
            report["rows"] = {t: con.execute(f"SELECT count(*) FROM {t}__now").fetchone()[0] for t in common}
        report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        con.close()
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", action="append", required=True, help="a published database (copied, never written)")
    ap.add_argument("--rev", help="also time this git revision's queries/build_daily.sql and compare the tables")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "publish_aggregates.json"))
    a = ap.parse_args(argv)
    reports = []
    for db in a.db:
        print(f"{db}: load average {os.getloadavg()[0]:.1f}", flush=True)
        r = bench(Path(db), a.rev, a.runs)
        for name in ["now"] + ([a.rev] if a.rev else []):
            for table, v in r[name].items():
                print(f"  {name:>8} {table:<16} wall {v['wall_s_median']:7.3f} s  cpu {v['cpu_s_median']:7.3f} s"
                      f"  {v['wall_s_all']}")
        if a.rev:
            print(f"  rows differing: {r['rows_differing_now_vs_rev']}  rows: {r['rows']}")
        reports.append(r)
    Path(a.out).write_text(json.dumps(reports, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
