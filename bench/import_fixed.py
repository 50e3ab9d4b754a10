"""The fixed cost of one small import: a 5-row dossier CSV published into a fresh database and into an existing
one (units + procedures + the seed's 5,047 dossiers), `dashboard.ingest.load.ingest` as the CLI and the tests call
it. Prints (and writes to bench/import_fixed.json) the median wall time of the whole import, of each named query
statement (queries/NAME.sql, statement k) and of the steps around them (file copies, fsyncs, the swap).

    python -m bench.import_fixed [--runs 7] [--out bench/import_fixed.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _timed_db(times: dict[str, float]):
    """Wrap dashboard.db.run / run_script so every statement of a named query is timed (wall)."""
    from dashboard import db as dbq

    orig_run, orig_stmts, orig_per_table = dbq.run, dbq.statements, dbq.run_per_table

    def run_script(con, name, **params):
        for k, stmt in enumerate(orig_stmts(name)):
            t = time.process_time()
            con.execute(stmt.text, stmt.bind(params)).fetchall()
            times[f"{name}#{k}"] += time.process_time() - t

    def run(con, name, **params):
        t = time.process_time()
        out = orig_run(con, name, **params)
        times[f"{name}"] += time.process_time() - t
        return out

    def run_per_table(con, name, idents, **params):  # a script written once for many tables: timed whole
        t = time.process_time()
        orig_per_table(con, name, idents, **params)
        times[name] += time.process_time() - t

    return run, run_script, run_per_table


@contextlib.contextmanager
def _patched(times: dict[str, float]):
    from dashboard import db as dbq
    from dashboard.ingest import load

    run, run_script, run_per_table = _timed_db(times)
    saved = dbq.run, dbq.run_script, dbq.run_per_table, load._fsync, os.replace, shutil.copyfile
    orig_fsync, orig_replace = load._fsync, os.replace

    def fsync(path):
        t = time.process_time()
        orig_fsync(path)
        times["(fsync)"] += time.process_time() - t

    def replace(a, b, **kw):
        t = time.process_time()
        orig_replace(a, b, **kw)
        times["(os.replace)"] += time.process_time() - t

    dbq.run, dbq.run_script, dbq.run_per_table, load._fsync, os.replace = run, run_script, run_per_table, fsync, replace
    try:
        yield
    finally:
        dbq.run, dbq.run_script, dbq.run_per_table, load._fsync, os.replace, _ = saved


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "bench" / "import_fixed.json"))
    args = ap.parse_args(argv)
    from builders import UNITS_CSV, seed003_dossiers, write_csv

    from dashboard.ingest.load import ingest

    work = Path(tempfile.mkdtemp(prefix="cchc-import-fixed-"))
    try:
        (work / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
        rows = seed003_dossiers()
        seed = write_csv(work / "seed.csv", rows)
        small = write_csv(work / "five.csv", [dict(r, dossier_id=r["dossier_id"] + "-N") for r in rows[:5]])
        base = work / "base.duckdb"
        ingest([work / "units.csv", seed], base)
        report: dict[str, dict] = {}
        for case in ("fresh", "existing"):
            totals, walls, per = [], [], defaultdict(list)
            for i in range(args.runs):
                db = work / f"{case}-{i}" / "c.duckdb"
                db.parent.mkdir()
                if case == "fresh":
                    shutil.copy(work / "units.csv", db.parent / "units.csv")
                    files = [db.parent / "units.csv", small]
                else:
                    shutil.copyfile(base, db)
                    files = [small]
                times: dict[str, float] = defaultdict(float)
                with _patched(times):
                    t, c = time.perf_counter(), time.process_time()
                    ingest(files, db)
                    wall, total = time.perf_counter() - t, time.process_time() - c
                walls.append(wall)
                totals.append(total)
                times["(python and other)"] = total - sum(times.values())
                for k, v in times.items():
                    per[k].append(v)
            med = {k: statistics.median(v) * 1000 for k, v in per.items()}
            report[case] = {
                "cpu_ms_median": statistics.median(totals) * 1000,
                "cpu_ms_all": [round(t * 1000, 1) for t in totals],
                "wall_ms_median": statistics.median(walls) * 1000,
                "steps_ms_median": dict(sorted(((k, round(v, 2)) for k, v in med.items()), key=lambda kv: -kv[1])),
            }
            cpu, wall = report[case]["cpu_ms_median"], report[case]["wall_ms_median"]
            print(f"\n{case}: median CPU {cpu:.0f} ms, wall {wall:.0f} ms over {args.runs} runs (process CPU per step)")
            for k, v in list(report[case]["steps_ms_median"].items())[:25]:
                print(f"  {v:8.1f} ms  {k}")
        report["load_average"] = os.getloadavg()
        Path(args.out).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
