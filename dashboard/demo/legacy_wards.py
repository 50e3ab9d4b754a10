"""The wards and communes of a province before the 1 July 2025 reorganisation, and the ward of today each one
became, from the maintained conversion dataset of the `vietnamadminunits` package (its SQLite table of the
pre-2025 units and its 2025 conversion table).

The package's own API converts addresses (and imports geocoding libraries to do so); the demo needs only the
tables, so this module reads the package's data files where they are installed, without importing it.
An old ward that was divided between several new wards is mapped to the one the dataset marks as its default
(`isDefaultNewWard`): the demo records that as a merger into that ward (see `dashboard/demo/cities.py`).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LegacyWard:
    code: str  # the GSO code it had (5 digits); the demo prefixes it, since a ward of today often reuses it
    name: str  # "Phường Vỹ Dạ"
    district: str  # "Quận Thuận Hóa"
    successor: str  # the code of the ward of today it became part of


@dataclass(frozen=True)
class LegacyProvince:
    code: str  # 2 digits
    name: str


def _data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("thiếu gói vietnamadminunits (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@functools.cache
def _converter() -> dict:
    return json.loads((_data_dir() / "converter_2025.json").read_text(encoding="utf-8"))


def _connect() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{_data_dir() / 'dataset.db'}?mode=ro", uri=True)


@functools.cache
def legacy_wards(new_wards: tuple[tuple[str, str], ...]) -> tuple[LegacyWard, ...]:
    """The pre-2025 wards and communes that became the given wards of today (one province's: 5-digit code and
    name, as the catalogue `vietnam-provinces` has them), ordered by their old code. The two datasets give a few
    wards different codes: those are matched by name."""
    from ..ingest.profiles import fold

    by_code = dict(new_wards)
    by_name = {_name_key(fold, n): c for c, n in new_wards}
    with _connect() as con:
        new = con.execute("SELECT provinceKey, wardKey, wardCode, ward FROM admin_units").fetchall()
        old = con.execute(
            "SELECT provinceKey, districtKey, wardKey, wardCode, ward, district FROM admin_units_legacy"
        ).fetchall()
    hits = [(p, w, f"{int(c):05d}") for p, w, c, _ in new if c and f"{int(c):05d}" in by_code]
    if not hits:
        return ()
    province_key = max({p for p, _, _ in hits}, key=lambda k: sum(p == k for p, _, _ in hits))
    code_of_new = {}
    for p, w, c, name in new:
        if p == province_key:
            code = f"{int(c):05d}" if c else ""
            if code in by_code and _name_key(fold, by_code[code]) == _name_key(fold, name):
                code_of_new[w] = code
            elif _name_key(fold, name) in by_name:
                code_of_new[w] = by_name[_name_key(fold, name)]
    conv = _converter()
    successor: dict[str, str] = {}
    for new_key, old_keys in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {}).items():
        for old_key in old_keys:
            if new_key in code_of_new:
                successor[old_key] = code_of_new[new_key]
    for old_key, parts in conv["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {}).items():
        default = next((p["newWardKey"] for p in parts if p.get("isDefaultNewWard")), None)
        if default in code_of_new and old_key not in successor:
            successor[old_key] = code_of_new[default]
    source_provinces = set(conv["DICT_PROVINCE"].get(province_key, [province_key]))
    out = []
    for p, d, w, c, name, district in old:
        key = f"{p}_{d}_{w}"
        if p in source_provinces and key in successor and c:
            out.append(LegacyWard(f"{int(c):05d}", name, district, successor[key]))
    return tuple(sorted(out, key=lambda x: x.code))


def _name_key(fold, name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(name))


@functools.cache
def legacy_provinces() -> tuple[LegacyProvince, ...]:
    """The 63 provinces and centrally-run cities before 2025, by code."""
    with _connect() as con:
        rows = con.execute("SELECT DISTINCT provinceCode, province FROM admin_units_legacy").fetchall()
    return tuple(sorted({LegacyProvince(f"{int(c):02d}", n) for c, n in rows if c}, key=lambda p: p.code))


REORGANISED = "2025-07-01"  # the day the wards of today came into force


def unit_changes(old: tuple[LegacyWard, ...], prefix: str = "C") -> list[tuple[str, str, str]]:
    """(old code, new code, kind) for each old ward: `merge` into the ward of today it became part of, or
    `rename` where it alone became that ward. Old codes are the GSO code with `prefix` (the new wards often
    reuse an old code, so a database holding both needs them apart; the demo uses "C")."""
    successors = Counter(o.successor for o in old)
    return [(f"{prefix}{o.code}", o.successor, "merge" if successors[o.successor] > 1 else "rename") for o in old]


def prefill_changes(province: str, prefix: str = "C") -> list[dict]:
    """A unit_changes file for a province's 1 July 2025 reorganisation (`cchc units changes --prefill`): the
    contract's four columns, then the old ward's name and district and the new ward's name for the operator
    checking it. UnknownProvince (catalogue) for a name that is not one of the 34."""
    from .. import catalogue

    today = [u for u in catalogue.units_of(catalogue.find_province(province)) if u.level == "ward"]
    old = legacy_wards(tuple((u.unit_code, u.unit_name) for u in today))
    new_name = {u.unit_code: u.unit_name for u in today}
    return [
        {
            "old_code": code,
            "new_code": new,
            "effective_date": REORGANISED,
            "kind": kind,
            "old_name": o.name,
            "old_district": o.district,
            "new_name": new_name[new],
        }
        for o, (code, new, kind) in zip(old, unit_changes(old, prefix))
    ]
