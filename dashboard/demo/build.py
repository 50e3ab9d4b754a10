"""Build the demo city database: the generator's frames through the same publish path as imports."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..ingest.load import Batch
import pandas as pd

from .generate import PROCEDURES, iter_chunks, reference_tables

# the demo's timeline: the 1 July 2025 reorganisation (two-level local government: districts abolished, communes
# merged), drawn on every time chart that spans it
DEMO_EVENTS = [
    (dt.date(2025, 7, 1), None, "Sắp xếp đơn vị hành chính, chính quyền địa phương hai cấp", "reorganisation", None),
]
DEMO_SETTINGS = {"city_name": "Thành phố Tây Ninh (dữ liệu mẫu)", "city_peer_code": "TPTN"}


def build_demo(
    path: str | os.PathLike, n_dossiers: int | None = None, as_of: dt.date | None = None, seed: int = 20240101
) -> dict[str, int]:
    """A fresh database (replacing any at `path`) holding the deterministic demo city, as of `as_of`
    (default: yesterday, a whole day, so the data never lies in the future of the moment it is built)."""
    as_of = as_of or dt.date.today() - dt.timedelta(days=1)
    summary: dict[str, int] = {}
    with Batch(path, fresh=True, imported_by="demo") as batch:
        catalogue = pd.DataFrame(
            [(p.code, p.name, p.field, p.days) for p in PROCEDURES],
            columns=["procedure_code", "procedure_name", "field", "statutory_days"],
        )
        for kind, frame in {**reference_tables(as_of, seed), "procedures": catalogue}.items():
            batch.add_frame(kind, frame, f"demo:{kind}")
            batch.record_frames(f"demo:{kind}", len(frame))
            summary[kind] = len(frame)
        events = pd.DataFrame(DEMO_EVENTS, columns=["start_date", "end_date", "label", "kind", "unit_code"])
        batch.add_frame("events", events, "demo:events")
        batch.record_frames("demo:events", len(events))
        summary["events"] = len(events)
        n = s = 0
        for dossiers, surveys in iter_chunks(n_dossiers, as_of, seed):
            batch.add_frame("dossiers", dossiers, "demo:dossiers")
            batch.add_frame("surveys", surveys, "demo:surveys")
            n, s = n + len(dossiers), s + len(surveys)
        batch.record_frames("demo:dossiers", n)
        batch.record_frames("demo:surveys", s)
        summary.update(dossiers=n, surveys=s)
        for k, v in DEMO_SETTINGS.items():
            batch.set_setting(k, v)
    return summary


def publish_settings(path: str | os.PathLike, pairs: dict[str, str]) -> None:
    """Settings live with the data, so changing one publishes a new snapshot."""
    with Batch(Path(path), imported_by="settings") as batch:
        for k, v in pairs.items():
            batch.set_setting(k, v)
