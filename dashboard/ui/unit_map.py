"""The ward / commune map of a units matrix (the units page and the deck's map slide): where each unit is
(geo.py: the city's boundaries, else the catalogue dataset's centroids) and its status for one KPI."""

from __future__ import annotations

from dataclasses import dataclass

from ..geo import boundaries, centre, locate
from ..metrics.units import units_validity_frame
from . import figures
from . import format as fmt


@dataclass
class UnitMap:
    figure: dict | None  # None: no unit of the matrix has a place
    placed: int
    missing: int  # units without a place (departments, codes outside the catalogue and the boundaries)
    areas: int  # units drawn as filled areas (from the city's boundaries)


def unit_map(reader, m, kpi: str, font_size: int | None = None) -> UnitMap:
    """The map of the units of matrix `m` (metrics.kpis.unit_matrix) coloured by `kpi`'s status."""
    parents = units_validity_frame(reader).set_index("unit_code").parent_code
    shapes = {c: g for c, g in boundaries(reader).items() if c in set(m.unit_code)}
    where = locate(m.unit_code, m.unit_name, m.unit_code.map(parents))
    for code, geom in shapes.items():  # a unit the catalogue cannot place: the middle of its own boundary
        where.setdefault(code, centre(geom))
    placed = m[m.unit_code.isin(list(where))]
    if placed.empty:
        return UnitMap(None, 0, len(m), 0)
    fig = figures.unit_map(
        list(placed.unit_code),
        list(placed.unit_name),
        [where[c][0] for c in placed.unit_code],
        [where[c][1] for c in placed.unit_code],
        list(placed[f"{kpi}__status"]),
        [fmt.pct(v) for v in placed[kpi]],
        font_size=font_size,
        shapes=shapes,
    )
    return UnitMap(fig, len(placed), len(m) - len(placed), len(shapes))


def has_places(reader) -> bool:
    """Can the map place any of today's units (the city's boundaries, else the catalogue's centroids)? The deck
    leaves its map slide out when not (the legacy demo town: codes outside the catalogue, no boundaries)."""
    from ..metrics.units import current_units

    if boundaries(reader):
        return True
    u = units_validity_frame(reader).set_index("unit_code").parent_code
    today = current_units(reader)
    return bool(locate(today.unit_code, today.unit_name, today.unit_code.map(u)))
