"""A demo city of today: any of the 34 provinces and centrally-run cities of the 2025 catalogue (default Huế).

What is real and what is synthetic:
- **Real**: the province, its wards and communes of today with their official names and codes (the catalogue,
  `vietnam-provinces`); the wards and communes before 1 July 2025 and the ward of today each became part of
  (the conversion dataset of `vietnamadminunits`, see `legacy_wards.py`); the provinces ranked by the PAR INDEX
  (63 before 2025, 34 from 2025); the procedures, holidays and reform-plan areas of the legacy demo.
- **Synthetic**: the departments' codes (STP, SNNMT…) and every unit's agency code; how each unit behaves (its
  lateness, satisfaction, staff, volume: drawn from the seed, a few wards clearly lagging and a few close to the
  targets); every dossier, survey and plan task; the PAR INDEX scores and ranks.

Dossiers received before 1 July 2025 belong to the old wards (units with valid_to 2025-06-30); from that date to
today's wards (valid_from 2025-07-01); each old ward is recorded in unit_changes as merged (renamed, where it
alone became a ward of today) into its successor, effective 1 July 2025. An old ward the dataset shows divided
between several new wards is recorded as merged into its default (largest) part. The departments and the
public-administration service centre keep their code across the date. The district-level desks of before 2025
are not modelled: their procedures are the departments' throughout.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import catalogue
from .generate import CITY_CODE, TARGETS, CityModel, Unit, par_frame
from .legacy_wards import legacy_provinces, legacy_wards
from .legacy_wards import unit_changes as legacy_unit_changes

REORGANISED = dt.date(2025, 7, 1)
_CITY_STREAM, _PAR_STREAM = 5, 6
PAR_TARGET_RANK = 5.0  # the plan's PAR INDEX target for a province: among the country's top 5

# the departments (sở, ngành) and the service centre: code, name, the legacy office whose behaviour and
# procedures they take over (staff, late rate, satisfaction)
DEPARTMENTS: tuple[tuple[str, str, str, int, float, float], ...] = (
    ("STP", "Sở Tư pháp", "PTP", 4, 0.0015, 0.970),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "PTNMT", 9, 0.0280, 0.930),
    ("SXD", "Sở Xây dựng", "PQLDT", 6, 0.0040, 0.955),
    ("STC", "Sở Tài chính", "PTCKH", 5, 0.0015, 0.970),
    ("SNV", "Sở Nội vụ", "PLDTBXH", 4, 0.0020, 0.965),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "", 3, 0.0020, 0.970),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "", 3, 0.0020, 0.965),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công", "", 5, 0.0015, 0.975),
)
# the legacy city desk's procedures, each to the department that handles it in a province
_CITY_DESK = {"1.004515": "SGDDT", "3.000182": "SGDDT", "1.001029": "SVHTTDL", "1.003645": "TTPVHCC"}


def province_title(p) -> str:
    """'Thành phố Huế', 'Tỉnh Cao Bằng' (the catalogue names provinces without 'Tỉnh')."""
    return p.name if p.name.startswith("Thành phố") else f"Tỉnh {p.name}"


@functools.cache
def catalogue_city(query: str) -> CityModel:
    """The demo model of the province named (accents, case and 'Thành phố'/'Tỉnh' ignored; UnknownProvince
    otherwise), reproducible: every draw from its own seeded stream."""
    p = catalogue.find_province(query)
    pc = catalogue.province_code(p)
    title = province_title(p)
    today = [u for u in catalogue.units_of(p) if u.level == "ward"]
    old = legacy_wards(tuple((u.unit_code, u.unit_name) for u in today))
    rng = np.random.default_rng([20240101, _CITY_STREAM, int(pc)])

    units: list[Unit] = []

    def agency() -> str:
        i = len(units)
        return f"000.{i // 100:02d}.{i % 100:02d}.H{pc}"

    units.append(Unit(pc, f"Ủy ban nhân dân {title[0].lower()}{title[1:]}", "ubnd", agency(), 4, 0.0020, 0.965))
    for code, name, _, staff, late, sat in DEPARTMENTS:
        units.append(Unit(code, name, "phong_ban", agency(), staff, late, sat))

    # today's wards: most good, a few close to the targets, a few clearly lagging
    n = len(today)
    order = rng.permutation(n)
    n_lag, n_risk = max(2, round(n * 0.08)), max(2, round(n * 0.10))
    profile = np.zeros(n, dtype=int)
    profile[order[:n_lag]] = 2
    profile[order[n_lag : n_lag + n_risk]] = 1
    late_lo_hi = {0: (0.0010, 0.0040), 1: (0.0090, 0.0140), 2: (0.0250, 0.0360)}
    sat_lo_hi = {0: (0.955, 0.978), 1: (0.940, 0.955), 2: (0.905, 0.930)}
    behaviour = {}
    for i, w in enumerate(today):
        late = float(round(rng.uniform(*late_lo_hi[profile[i]]), 4))
        sat = float(round(rng.uniform(*sat_lo_hi[profile[i]]), 3))
        staff = int(rng.integers(4, 8) if w.unit_kind == "phuong" else rng.integers(3, 6))
        behaviour[w.unit_code] = (staff, late, sat)

    # the old wards: their own volume and desk, the behaviour of the ward they became
    names = Counter(o.name for o in old)
    old_units, volume = [], Counter()
    for o in old:
        staff, late, sat = behaviour[o.successor]
        v = float(round(rng.uniform(0.8, 1.3) if o.name.startswith("Phường") else rng.uniform(0.4, 0.8), 3))
        volume[o.successor] += v
        label = f"{o.name} (cũ)" if names[o.name] == 1 else f"{o.name} (cũ, {o.district})"
        kind = "phuong" if o.name.startswith("Phường") else "xa"
        own_late = float(round(late * rng.uniform(0.85, 1.15), 4))
        old_units.append((f"C{o.code}", label, kind, int(rng.integers(2, 5)), own_late, sat, v))
    for w in today:
        staff, late, sat = behaviour[w.unit_code]
        units.append(
            Unit(w.unit_code, w.unit_name, w.unit_kind, agency(), staff, late, sat,
                 float(round(volume.get(w.unit_code) or 1.0, 3)), valid_from=REORGANISED)
        )
    last_day = REORGANISED - dt.timedelta(days=1)
    for code, label, kind, staff, late, sat, v in old_units:
        units.append(Unit(code, label, kind, agency(), staff, late, sat, v, valid_to=last_day))

    changes = tuple((code, new, REORGANISED, kind) for code, new, kind in legacy_unit_changes(old))

    # the plan's ward tasks: the pilot to the best ward of today, the lagging ward's task to the worst
    by_late = sorted(today, key=lambda w: (behaviour[w.unit_code][1], w.unit_code))
    plan_owner = {CITY_CODE: pc, "W01": by_late[0].unit_code, "W05": by_late[1].unit_code,
                  "W02": by_late[2].unit_code, "W08": by_late[-1].unit_code}
    handled_by = {CITY_CODE: "TTPVHCC", **_CITY_DESK}
    for code, _, legacy, *_ in DEPARTMENTS:
        if legacy:
            handled_by[legacy] = plan_owner[legacy] = code

    short = title.removeprefix("Thành phố ").removeprefix("Tỉnh ")
    return CityModel(
        key=f"catalogue:{pc}",
        name=f"{title} (dữ liệu mẫu)",
        peer_code=pc,
        city_code=pc,
        units=tuple(units),
        handled_by=handled_by,
        plan_owner=plan_owner,
        targets=tuple((k, c, PAR_TARGET_RANK if k == "par_index_rank" else v) for k, c, v in TARGETS),
        target_source=f"{'TP' if title.startswith('Thành phố') else 'tỉnh'} {short}",
        per_quarter=3_000 + 500 * n,
        reorganised=REORGANISED,
        changes=changes,
        par_peers=functools.partial(par_index_provinces, pc),
        settings=(("city_name", f"{title} (dữ liệu mẫu)"), ("city_peer_code", pc),
                  ("report_unit_name", f"UBND {title[0].lower()}{title[1:]}")),
    )


def par_index_provinces(city_code: str, years: Sequence[int], seed: int) -> pd.DataFrame:
    """The national PAR INDEX (synthetic scores and ranks): the 63 provinces before 2025, the 34 from 2025; the
    city climbs a little each year and ends close to the top 5 (PAR_TARGET_RANK)."""
    rng = np.random.default_rng([seed, _PAR_STREAM, int(city_code)])
    today = [(catalogue.province_code(p), province_title(p)) for p in catalogue.provinces()]
    before = [(p.code, p.name) for p in legacy_provinces()]
    rank63 = int(rng.integers(13, 18))
    rows = []
    for k, year in enumerate(years):
        peers = before if year < REORGANISED.year else today
        if year < REORGANISED.year:
            rank63 = max(4, rank63 - int(rng.choice([1, 2, 3]))) if k else rank63
            rank = rank63
        else:
            rank = int(np.clip(round(rank63 * len(today) / len(before)) + rng.choice([-1, 0, 1, 2]), 2, 12))
        others = [i for i, (c, _) in enumerate(peers) if c != city_code]
        me = next((i for i, (c, _) in enumerate(peers) if c == city_code), None)
        order = list(rng.permutation(others))
        if me is not None:
            order.insert(min(rank, len(order) + 1) - 1, me)
        top = min(93.0, 89.0 + 0.6 * k + rng.uniform(-1, 1))
        scores = np.round(top - np.r_[0, np.cumsum(rng.uniform(0.1, 0.9, len(order) - 1))], 2)
        rows += [(year, peers[i][0], peers[i][1], float(s), r + 1) for r, (i, s) in enumerate(zip(order, scores))]
    return par_frame(rows)


PETITION_CATEGORIES: tuple[tuple[str, float], ...] = (  # what citizens write about, and its share
    ("Thủ tục hành chính", 0.30),
    ("Đất đai, xây dựng", 0.22),
    ("Hạ tầng, giao thông, đô thị", 0.18),
    ("Môi trường", 0.12),
    ("Thái độ, tác phong cán bộ", 0.08),
    ("Chính sách xã hội", 0.10),
)
PETITIONS_PER_DOSSIER = 0.012  # phản ánh, kiến nghị (PAKN) per dossier received
_PETITION_STREAM = 8


def petitions(model: CityModel, n_dossiers: int, as_of: dt.date, seed: int) -> pd.DataFrame:
    """Petitions (PAKN) for the 766 indicators 5.2 and 5.3 (synthetic): about 1.2 per 100 dossiers, received on
    working days by the wards of the day (before 1 July 2025 the old ones) and the departments; most handled
    within 15 working days, lagging units late more often, a few refused within 2, the recent ones still open."""
    from .generate import data_years, holidays, lookups

    lk = lookups(model)
    rng = np.random.default_rng([seed, _PETITION_STREAM])
    years = data_years(as_of)
    hol = holidays(years[0], years[-1] + 1)["date"].to_numpy().astype("datetime64[D]")
    days = np.arange(np.datetime64(dt.date(years[0], 1, 1), "D"), np.datetime64(as_of, "D") + 1)
    days = days[np.is_busday(days, holidays=hol)]
    n = round(n_dossiers * PETITIONS_PER_DOSSIER)
    day = np.sort(rng.choice(days, n))
    u = rng.random(n)
    ward = lk.wards_after[np.searchsorted(lk.cum_after, u, side="right")]
    if lk.reorganised is not None and len(lk.wards_before):
        ward = np.where(day < lk.reorganised, lk.wards_before[np.searchsorted(lk.cum_before, u, side="right")], ward)
    offices = np.array([i for i, x in enumerate(model.units) if x.kind == "phong_ban"])
    unit = np.where(rng.random(n) < 0.2, offices[rng.integers(0, len(offices), n)], ward)
    refused = rng.random(n) < 0.03
    late = rng.random(n) < np.where(lk.lagging[unit], 0.15, 0.03)
    wd = np.where(refused, rng.integers(0, 3, n), np.where(late, rng.integers(16, 31, n), rng.integers(1, 16, n)))
    handled_day = np.busday_offset(day, wd, roll="forward", holidays=hol)
    received = day.astype("datetime64[s]") + rng.integers(7 * 3600 + 1800, 16 * 3600, n).astype("timedelta64[s]")
    handled = handled_day.astype("datetime64[s]") + rng.integers(8 * 3600, 17 * 3600, n).astype("timedelta64[s]")
    handled = np.maximum(handled, received + np.timedelta64(3600, "s"))
    export_at = np.datetime64(as_of, "s") + np.timedelta64(18 * 3600, "s")
    done = handled <= export_at
    p_unhappy = np.where(late, 0.35, np.where(refused, 0.5, 0.06))
    happy = np.where(rng.random(n) < 0.6, "hai_long", "rat_hai_long")
    rating = np.where(done & (rng.random(n) < 0.6), np.where(rng.random(n) < p_unhappy, "khong_hai_long", happy), "")
    cat_cum = np.cumsum([w for _, w in PETITION_CATEGORIES]) / sum(w for _, w in PETITION_CATEGORIES)
    category = np.array([c for c, _ in PETITION_CATEGORIES])[np.searchsorted(cat_cum, rng.random(n), side="right")]
    return pd.DataFrame({
        "petition_id": pd.array([f"PAKN-{i + 1:06d}" for i in range(n)], dtype="str"),
        "unit_code": pd.array(np.array(lk.codes)[unit], dtype="str"),
        "received_at": received.astype("datetime64[us]"),
        "category": pd.array(category, dtype="str"),
        "handled_at": np.where(done, handled, np.datetime64("NaT")).astype("datetime64[us]"),
        "refused": refused & done,
        "rating": pd.array(np.where(rating == "", None, rating), dtype="str"),
    })
