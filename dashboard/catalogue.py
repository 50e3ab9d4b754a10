"""Units from the official catalogue of Vietnam's administrative divisions (the 2025 two-level map).

`cchc units catalogue --province NAME` prints a units.csv (data-contract §1.2) for one of the 34 provinces and
centrally-run cities, from the maintained `vietnam-provinces` package: the province itself (level city, kind
ubnd) and its wards, communes and special zones (level ward) under it, with the official codes (GSO, 2 digits
for a province, 5 for a ward). The operator then adds the departments and the service centre.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from vietnam_provinces import Province, VietNamDivisionType, Ward
from vietnam_provinces import __data_version__ as DATA_VERSION  # noqa: N812 (the package's own name)
from vietnam_provinces import __version__ as PACKAGE_VERSION  # noqa: N812

from .ingest.profiles import fold

COLUMNS = ("unit_code", "unit_name", "unit_kind", "parent_code", "level")
# words before a province's own name that an operator may or may not write ("TP Đà Nẵng", "Tỉnh Gia Lai")
_PREFIXES = ("thanh pho truc thuoc trung uong", "thanh pho", "tp", "t p", "tinh")
# short names in common use for a province's own name
_ALIASES = {"hcm": "ho chi minh", "tphcm": "ho chi minh", "sai gon": "ho chi minh", "hue": "hue"}
_WARD_KIND = {
    VietNamDivisionType.PHUONG: "phuong",
    VietNamDivisionType.XA: "xa",
    VietNamDivisionType.DAC_KHU: "dac_khu",
}


class UnknownProvince(ValueError):
    """No province of the catalogue matches; the message (one line) lists the closest names."""


@dataclass(frozen=True)
class Unit:
    unit_code: str
    unit_name: str
    unit_kind: str
    parent_code: str | None
    level: str

    def row(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}


def _bare(name: str) -> str:
    """A province's name folded (accents, case, punctuation) without its prefix: 'TP. Đà Nẵng' -> 'da nang'."""
    text = fold(name)
    for prefix in _PREFIXES:
        if text.startswith(prefix + " "):
            return text[len(prefix) + 1 :].strip()
    return text


def provinces() -> list[Province]:
    return sorted(Province.iter_all(), key=lambda p: int(p.code))


def province_code(p: Province) -> str:
    return f"{int(p.code):02d}"


def find_province(query: str) -> Province:
    """The province named by `query`: accents, case and the 'Thành phố' / 'TP' / 'Tỉnh' prefix are ignored; its
    official code (`48`) works too. Raises UnknownProvince with the closest names."""
    wanted = _bare(query or "")
    wanted = _ALIASES.get(wanted, wanted)
    every = provinces()
    for p in every:
        if wanted and (wanted == _bare(p.name) or wanted.lstrip("0") == str(int(p.code))):
            return p
    names = {_bare(p.name): p.name for p in every}
    close = difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.6)
    close += [b for b in names if wanted and wanted in b and b not in close]
    hint = ", ".join(names[b] for b in close) if close else ", ".join(p.name for p in every)
    label = "gần giống" if close else f"có {len(every)} tỉnh, thành phố"
    raise UnknownProvince(f"không có tỉnh, thành phố «{query}» trong danh mục ({label}: {hint})")


def units_of(p: Province) -> list[Unit]:
    """The province (level city) then its wards, communes and special zones by official code (level ward)."""
    code = province_code(p)
    out = [Unit(code, p.name, "ubnd", None, "city")]
    wards = sorted(Ward.iter_by_province(p.code), key=lambda w: int(w.code))
    out += [Unit(f"{int(w.code):05d}", w.name, _WARD_KIND[w.division_type], code, "ward") for w in wards]
    return out


def source() -> str:
    return f"vietnam-provinces {PACKAGE_VERSION} (dữ liệu {DATA_VERSION})"
