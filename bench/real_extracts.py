"""Real-layout ingest figures (issue 12): a 200,000-row follow-up list XLSX (the `theo_doi` profile: unit and
procedure by name, status words, date-only due dates, no field/channel/update time) previewed (--dry-run) and
loaded, and the contract-layout 1 M-row CSV of bench.run. Writes bench/real_extracts.json.

    python -m bench.real_extracts [--rows 200000] [--out bench/real_extracts.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from tests.harness import cchc
from tests.real_layouts import FOLLOW_UP_HEADER

from .run import CACHE, ROOT, _children_cpu, bench_ingest, db_for


def build_xlsx(source_db: Path, rows: int, out: Path) -> None:
    import duckdb
    from openpyxl import Workbook

    con = duckdb.connect(str(source_db), read_only=True)
    data = con.execute(
        """
        SELECT d.dossier_id, u.unit_name, coalesce(d.procedure_name, p.procedure_name), d.status, d.received_at,
               d.due_at, d.completed_at
        FROM dossiers d JOIN units u USING (unit_code) LEFT JOIN procedures p USING (procedure_code)
        WHERE d.status <> 'rut' LIMIT ?""",
        [rows],
    ).fetchall()
    con.execute(
        "COPY (SELECT unit_code, unit_name, unit_kind, parent_code, level FROM units) "
        f"TO '{CACHE / 'units.csv'}' (HEADER)"
    )
    con.execute(
        f"COPY (SELECT procedure_code, procedure_name, field, statutory_days FROM procedures) "
        f"TO '{CACHE / 'procedures.csv'}' (HEADER)"
    )
    con.close()
    words = {
        "dang_xu_ly": "Đang xử lý",
        "da_giai_quyet": "Đã trả kết quả",
        "tam_dung": "Yêu cầu bổ sung giấy tờ",
        "tra_lai": "Dừng xử lý",
    }
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["DANH SÁCH HỒ SƠ THEO DÕI"])
    ws.append(["Từ ngày 01/01/2024 đến ngày 20/11/2026"])
    ws.append(FOLLOW_UP_HEADER)
    for i, (did, unit, proc, status, rec, due, comp) in enumerate(data, start=1):
        ws.append(
            [
                i,
                f"UBND {unit}",
                proc,
                did,
                words[status],
                "",
                "",
                "",
                rec,
                rec.strftime("%d/%m/%Y %H:%M:%S"),
                due.strftime("%d/%m/%Y"),
                comp,
            ]
        )
    ws.append(["Tổng cộng"])
    ws.append(["Người lập biểu", None, None, "Thủ trưởng đơn vị"])
    wb.save(out)


def timed(args: list[str]) -> tuple[float, float, str]:
    """`cchc ARGS` as the operator runs it (its own process: the figures include Python's start): wall and CPU
    seconds (user + system of the process, its DuckDB threads included)."""
    t, cpu = time.perf_counter(), _children_cpu()
    out = cchc(*args, process=True)
    return time.perf_counter() - t, _children_cpu() - cpu, out.stdout.decode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "real_extracts.json"))
    a = ap.parse_args()
    source = db_for(1_000_000)
    xlsx = CACHE / f"theo_doi-{a.rows}.xlsx"
    t = time.perf_counter()
    if not xlsx.exists():
        build_xlsx(source, a.rows, xlsx)
    built = time.perf_counter() - t
    target = CACHE / "real-target.duckdb"
    target.unlink(missing_ok=True)
    timed(["ingest", str(CACHE / "units.csv"), str(CACHE / "procedures.csv"), "--db", str(target)])
    load_average = os.getloadavg()[0]
    preview_s, preview_cpu, preview = timed(["ingest", str(xlsx), "--dry-run", "--db", str(target)])
    load_s, load_cpu, load = timed(["ingest", str(xlsx), "--db", str(target)])
    result = {
        "xlsx_rows": a.rows,
        "xlsx_mb": round(xlsx.stat().st_size / 2**20, 1),
        "xlsx_built_s": round(built, 1),
        "load_average_before": round(load_average, 2),
        "xlsx_preview_s": round(preview_s, 2),
        "xlsx_preview_cpu_s": round(preview_cpu, 2),
        "xlsx_load_s": round(load_s, 2),
        "xlsx_load_cpu_s": round(load_cpu, 2),
        "xlsx_output": load.strip().splitlines()[0],
        "csv_1m": bench_ingest(source),
    }
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    (Path(a.out)).write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
