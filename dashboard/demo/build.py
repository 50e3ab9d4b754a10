"""Build the demo city database: the generator's frames through the same publish path as imports."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..ingest.load import Batch
import pandas as pd

from .generate import DEFAULT_CITY, PROCEDURES, city_model, iter_chunks, reference_tables

# the demo's timeline: the 1 July 2025 reorganisation (two-level local government: districts abolished, communes
# merged), drawn on every time chart that spans it
DEMO_EVENTS = [
    (dt.date(2025, 7, 1), None, "Sắp xếp đơn vị hành chính, chính quyền địa phương hai cấp", "reorganisation", None),
]


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
        events = pd.DataFrame(DEMO_EVENTS, columns=["start_date", "end_date", "label", "kind", "unit_code"])
        batch.add_frame("events", events, "demo:events")
        batch.record_frames("demo:events", len(events))
        summary["events"] = len(events)
        n = s = 0
        for dossiers, surveys in iter_chunks(n_dossiers, as_of, seed, city=model):
            batch.add_frame("dossiers", dossiers, "demo:dossiers")
            batch.add_frame("surveys", surveys, "demo:surveys")
            n, s = n + len(dossiers), s + len(surveys)
        batch.record_frames("demo:dossiers", n)
        batch.record_frames("demo:surveys", s)
        summary.update(dossiers=n, surveys=s)
        if model.reorganised is not None:
            from .cities import petitions

            pk = petitions(model, n, as_of, seed)
            batch.add_frame("petitions", pk, "demo:petitions")
            batch.record_frames("demo:petitions", len(pk))
            summary["petitions"] = len(pk)
        for k, v in model.settings:
            batch.set_setting(k, v)
    if model.reorganised is not None:
        portal = portal_results(path, model, as_of, seed)
        if len(portal):
            with Batch(Path(path), imported_by="demo") as batch:
                batch.add_frame("portal_results", portal, "demo:portal_results")
                batch.record_frames("demo:portal_results", len(portal))
        summary["portal_results"] = len(portal)
    return summary


def portal_results(path: str | os.PathLike, model, as_of: dt.date, seed: int) -> pd.DataFrame:
    """The national portal's published 766 totals (synthetic) for each whole quarter since the reorganisation:
    the province ranked among the country's 34, each ward of today among the province's wards. A published
    score covers all 100 points, ours only what one-stop data computes: the portal's is ours plus most of the
    rest, and a few units differ by a couple of points more (unsynchronised dossiers), so the comparison on the
    analysis page has gaps to explain."""
    import numpy as np

    from ..db import Database
    from ..metrics.index766 import index766
    from ..metrics.period import Period
    from ..reader import Reader

    reader = Reader(Database(Path(path)).snapshot())
    wards = {u.code for u in model.units if u.level == "ward" and u.valid_to is None}
    rng = np.random.default_rng([seed, 7])
    rows = []
    q = Period.containing("quarter", model.reorganised)
    while q.end < as_of:
        totals = {r["unit_code"]: r for r in index766(reader, q, by_unit=True) if r["indicator"] == "total"}
        scored = []
        for code in ["ALL", *sorted(wards)]:
            t = totals.get(code)
            if not t or not t["computed"]:
                continue
            rest = 100 - float(t["computed_max_points"])
            score = float(t["points"]) + rest * rng.uniform(0.80, 0.95)
            if rng.random() < 0.1:
                score -= rng.uniform(1.0, 3.0)
            scored.append((code, round(float(np.clip(score, 0, 100)), 2)))
        ranked = sorted((s for s in scored if s[0] != "ALL"), key=lambda s: (-s[1], s[0]))
        rank = {code: i + 1 for i, (code, _) in enumerate(ranked)}
        rank["ALL"] = int(rng.integers(5, 12))  # among the 34 provinces (synthetic)
        rows += [(q.key, code, "total", score, 100.0, rank[code]) for code, score in scored]
        q = Period.containing("quarter", q.end + dt.timedelta(days=1))
    period, unit, indicator, score, max_points, rank = zip(*rows) if rows else ((),) * 6
    return pd.DataFrame({"period": pd.array(period, dtype="str"), "unit_code": pd.array(unit, dtype="str"),
                         "indicator": pd.array(indicator, dtype="str"), "score": np.array(score, dtype=float),
                         "max_points": np.array(max_points, dtype=float), "rank": np.array(rank, dtype=np.int64)})


def publish_settings(path: str | os.PathLike, pairs: dict[str, str]) -> None:
    """Settings live with the data, so changing one publishes a new snapshot."""
    with Batch(Path(path), imported_by="settings") as batch:
        for k, v in pairs.items():
            batch.set_setting(k, v)
