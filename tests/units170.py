"""A city at the scale of 2026: Thành phố Hồ Chí Minh's 168 wards and communes from the official catalogue, the
city itself and one department (170 units of today), plus two legacy wards merged into Phường Thủ Dầu Một on
1 July 2025 (unit_changes). Dossiers over Q2 and Q3/2025, deterministic (seeded), each unit with its own late rate
per quarter so ranks move between the quarters. Used by the 170-unit tests and `make bench`'s 170-unit case."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from builders import write_csv

from dashboard.catalogue import COLUMNS, find_province, units_of

PROVINCE = "TP HCM"
DEPARTMENT = {"unit_code": "STP", "unit_name": "Sở Tư pháp", "unit_kind": "phong_ban", "parent_code": "79",
              "level": "city"}
LEGACY = [{"unit_code": "L1", "unit_name": "Phường Chánh Nghĩa", "unit_kind": "phuong", "parent_code": "79",
           "level": "ward"},
          {"unit_code": "L2", "unit_name": "Phường Hiệp Thành", "unit_kind": "phuong", "parent_code": "79",
           "level": "ward"}]
SUCCESSOR = "25747"  # Phường Thủ Dầu Một
MERGED_ON = dt.date(2025, 7, 1)
START, END = dt.date(2025, 4, 1), dt.date(2025, 9, 30)


def unit_rows() -> list[dict]:
    return [u.row() for u in units_of(find_province(PROVINCE))] + [DEPARTMENT] + LEGACY


def write_units(tmp: Path) -> tuple[Path, Path]:
    import csv

    units = tmp / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerows(unit_rows())
    changes = tmp / "changes.csv"
    changes.write_text(
        "old_code,new_code,effective_date,kind\n"
        + "".join(f"{u['unit_code']},{SUCCESSOR},{MERGED_ON.isoformat()},merge\n" for u in LEGACY),
        encoding="utf-8",
    )
    return units, changes


def dossiers(n: int, seed: int = 170) -> list[dict]:
    rng = random.Random(seed)
    units = unit_rows()
    before = [u["unit_code"] for u in units if u["unit_code"] != SUCCESSOR]
    after = [u["unit_code"] for u in units if u["unit_code"] not in ("L1", "L2")]
    late_rate = {(u["unit_code"], q): rng.random() * 0.12 for u in units for q in (2, 3)}
    days = (END - START).days + 1
    rows = []
    for i in range(n):
        day = START + dt.timedelta(days=i * days // n)
        unit = rng.choice(before if day < MERGED_ON else after)
        received = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=rng.randrange(480))
        due = (received + dt.timedelta(days=7)).replace(hour=17, minute=0)
        r = rng.random()
        if r < 0.03:
            completed = None
        elif r < 0.03 + late_rate[(unit, (day.month - 1) // 3 + 1)]:
            completed = due + dt.timedelta(days=1 + rng.randrange(4))
        else:
            completed = due - dt.timedelta(days=rng.randrange(6), hours=2)
        rows.append(dict(
            dossier_id=f"HCM-{i:07d}", unit_code=unit, procedure_code="1.001612", procedure_name="Đăng ký khai sinh",
            field=["Hộ tịch", "Chứng thực", "Đất đai"][i % 3], channel="truc_tuyen" if i % 2 else "truc_tiep",
            received_at=received, due_at=due, completed_at=completed,
            status="da_giai_quyet" if completed else "dang_xu_ly", handler=f"Cán bộ {i % 9}", late_reason="",
            updated_at=(completed or received) + dt.timedelta(hours=1)))
    return rows


def build(tmp: Path, n: int = 12_000) -> Path:
    """units.csv, unit_changes and n dossiers ingested into tmp/hcm.duckdb."""
    from dashboard.ingest.load import ingest

    units, changes = write_units(tmp)
    hoso = write_csv(tmp / "hoso.csv", dossiers(n))
    db = tmp / "hcm.duckdb"
    res = ingest([units, changes, hoso], db)
    assert [(r.accepted, r.rejected) for r in res] == [(172, 0), (2, 0), (n, 0)], [r.line() for r in res]
    return db
