"""Build the demo city database: the generator's frames through the same publish path as imports."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..ingest.load import Batch
import pandas as pd

from .generate import DEFAULT_CITY, PROCEDURES, city_model, iter_chunks, reference_tables


def build_demo(
    path: str | os.PathLike,
    n_dossiers: int | None = None,
    as_of: dt.date | None = None,
    seed: int = 20240101,
    city: str | None = DEFAULT_CITY,
) -> dict[str, int]:
    """A fresh database (replacing any at `path`) holding the deterministic demo city, as of `as_of`
    (default: yesterday, a whole day, so the data never lies in the future of the moment it is built).
    `city`: a province or centrally-run city of the 2025 catalogue (default Huế), or `legacy` (the pre-2025
    district town of 16 units the older tests pin). An unknown name raises catalogue.UnknownProvince."""
    as_of = as_of or dt.date.today() - dt.timedelta(days=1)
    model = city_model(city)
    summary: dict[str, int] = {}
    with Batch(path, fresh=True, imported_by="demo") as batch:
        catalogue = pd.DataFrame(
            [(p.code, p.name, p.field, p.days) for p in PROCEDURES],
            columns=["procedure_code", "procedure_name", "field", "statutory_days"],
        )
        for kind, frame in {**reference_tables(as_of, seed, model), "procedures": catalogue}.items():
            batch.add_frame(kind, frame, f"demo:{kind}")
            batch.record_frames(f"demo:{kind}", len(frame))
            summary[kind] = len(frame)
        n = s = 0
        for dossiers, surveys in iter_chunks(n_dossiers, as_of, seed, city=model):
            batch.add_frame("dossiers", dossiers, "demo:dossiers")
            batch.add_frame("surveys", surveys, "demo:surveys")
            n, s = n + len(dossiers), s + len(surveys)
        batch.record_frames("demo:dossiers", n)
        batch.record_frames("demo:surveys", s)
        summary.update(dossiers=n, surveys=s)
        for k, v in model.settings:
            batch.set_setting(k, v)
    return summary


def publish_settings(path: str | os.PathLike, pairs: dict[str, str]) -> None:
    """Settings live with the data, so changing one publishes a new snapshot."""
    with Batch(Path(path), imported_by="settings") as batch:
        for k, v in pairs.items():
            batch.set_setting(k, v)
