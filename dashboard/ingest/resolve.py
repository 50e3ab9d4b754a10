"""Codes a real export leaves out, resolved from names once per distinct name (never per row).

Units by name, accent-, case- and prefix-insensitive ("UBND phường An Hòa", "Phường An Hòa", "P. An Hòa" are
one unit); procedures by name through the procedures catalogue (a group row may carry the code too:
"1.001612 - Đăng ký khai sinh"); fields named by group rows, without their numbering or "Lĩnh vực:" prefix.
An unknown name gets the closest known names as a hint.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from .profiles import Profile, fold

# Leading words that name a unit's kind rather than the unit; stripped (repeatedly) before comparing.
UNIT_PREFIXES = (
    "uy ban nhan dan",
    "ubnd",
    "phuong",
    "xa",
    "thi tran",
    "p",
    "x",
    "tt",
    "thi xa",
    "quan",
    "huyen",
    "thanh pho",
    "tp",
)
_NUMBERING = re.compile(r"^\s*(?:[IVXLCDMivxlcdm]+|\d+|[a-zA-Z])\s*[.)]\s+")
_CODE = re.compile(r"^\s*(\d\.\d{6}(?:\.[\w.]+)?|[\d.]+\.[A-Z0-9.]+)\s*[-–:]?\s*")


def unit_key(name: str) -> str:
    words = fold(name)
    changed = True
    while changed:
        changed = False
        for p in UNIT_PREFIXES:
            if words.startswith(p + " ") and len(words) > len(p) + 1:
                words, changed = words[len(p) + 1 :], True
    return words


def _strip(label: str, prefixes: list[str]) -> str:
    label = _NUMBERING.sub("", label.strip())
    f = fold(label)
    for p in sorted((fold(x) for x in prefixes), key=len, reverse=True):
        if p and f.startswith(p):
            # drop as many leading words as the prefix has, keep the original spelling of the rest
            n = len(p.split())
            parts = re.split(r"[\s:]+", label, maxsplit=n)
            rest = parts[n] if len(parts) > n else ""
            return rest.strip(" :-–") or label
    return label


def _hint(raw: str, keys: dict[str, str], names: dict[str, str]) -> str | None:
    close = difflib.get_close_matches(raw, list(keys), n=2, cutoff=0.6)
    return ", ".join(f"«{names[keys[k]]}»" for k in close) or None


def lookups(values: pd.DataFrame, catalogues: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """`values` (what, raw, n) from resolve_values.sql, `catalogues` (what, code, name, field) from
    resolve_catalogues.sql: one row per raw value: (what, raw, code, name, field, hint)."""
    out = []
    units = catalogues[catalogues.what == "unit"].drop_duplicates("code", keep="last")
    unit_names = dict(zip(units.code, units.name))
    by_full = {fold(n): c for c, n in unit_names.items() if n}
    by_key: dict[str, set] = {}
    for c, n in unit_names.items():
        if n:
            by_key.setdefault(unit_key(n), set()).add(c)
    by_code_fold = {fold(c): c for c in unit_names}
    procs = catalogues[catalogues.what == "procedure"].drop_duplicates("code", keep="first")
    proc_by_name = {fold(n): (c, n, f) for c, n, f in zip(procs.code, procs.name, procs.field) if isinstance(n, str)}
    proc_codes = {c: (c, n, f) for c, n, f in zip(procs.code, procs.name, procs.field)}
    proc_prefixes = list(profile.groups.get("procedure_prefixes", []))
    field_prefixes = list(profile.groups.get("field_prefixes", []))
    for what, raw in zip(values.what, values.raw):
        code = name = field = hint = None
        if what == "unit":
            f = fold(raw)
            code = by_code_fold.get(f) or by_full.get(f)
            if code is None:
                cands = by_key.get(unit_key(raw), set())
                code = next(iter(cands)) if len(cands) == 1 else None
                if len(cands) > 1:
                    hint = ", ".join(f"«{unit_names[c]}»" for c in sorted(cands)) + " (trùng tên)"
            if code is None and hint is None:
                hint = _hint(unit_key(raw), {unit_key(n): c for c, n in unit_names.items() if n}, unit_names)
        elif what == "procedure":
            m = _CODE.match(raw)
            if m and m[1] in proc_codes:
                code, name, field = proc_codes[m[1]]
            elif m and m.end() < len(raw):
                code, name = m[1], raw[m.end() :].strip()  # a code the catalogue lacks: kept as the file wrote it
                found = proc_by_name.get(fold(name))
                field = found[2] if found else None
            else:
                label = _strip(raw, proc_prefixes)
                found = proc_by_name.get(fold(label)) or proc_by_name.get(fold(raw))
                if found:
                    code, name, field = found
                else:
                    hint = _hint(fold(label), {k: k for k in proc_by_name}, {k: v[1] for k, v in proc_by_name.items()})
        else:  # a field named by a group row
            field = _strip(raw, field_prefixes)
        out.append((what, raw, code, name, None if field is None or field != field else field, hint))
    return pd.DataFrame(out, columns=["what", "raw", "code", "name", "field", "hint"]).astype(object)
