"""Import profiles: one TOML file per known export layout (dashboard/profiles/*.toml), plus an operator's own.

A profile names the input kind it produces, the columns that identify it (`detect`), header synonyms
(`[headers]`: contract column -> the spellings of that export), vocabularies, how dates are written, which
rows to skip and what the title block says. `_base.toml` is shared by every profile. Operators add a layout
without touching Python: drop a `.toml` in `profiles/` next to the database (or in `$CCHC_PROFILES`), and
`cchc profiles` lists it. The contract's own layouts of the other kinds (units, targets…) are built-in
profiles made from `config.INPUT_KINDS`.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..config import INPUT_KINDS, KIND_BY_NAME, InputKind

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "profiles"


class ProfileError(Exception):
    """A profile file that cannot be used (the message names the file and the reason)."""


def fold(text: str) -> str:
    """Header/enum folding: accents, đ, case, punctuation and spacing ignored. Short texts are memoised: every
    import folds the same few thousand profile aliases and headers (~27,000 calls for a 5-row file); a long cell is
    folded without being kept."""
    return _fold_short(text) if len(text) <= _FOLD_MEMO_CHARS else _fold(text)


_FOLD_MEMO_CHARS = 200


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_fold_short = functools.lru_cache(maxsize=1 << 14)(_fold)


def fold_key(text: str) -> str:
    """A folded value as the SQL `_fold` macro writes it (spaces as `_`)."""
    return fold(text).replace(" ", "_")


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    kind: InputKind
    detect: tuple[str, ...]
    priority: int
    headers: dict[str, str]  # folded spelling -> canonical column
    source: str  # the file it came from, or "built-in"
    vocabulary: dict[str, dict[str, str]] = field(default_factory=dict)  # enum -> folded word -> value
    statuses: dict[str, dict] = field(default_factory=dict)  # status_detail -> {label, form, words}
    timeliness: dict[str, str] = field(default_factory=dict)  # folded word -> truoc_han|dung_han|qua_han|trong_han
    defaults: dict[str, str] = field(default_factory=dict)
    dates: dict = field(default_factory=dict)
    skip: dict = field(default_factory=dict)
    title: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)

    def map_header(self, label: str) -> str | None:
        return self.headers.get(fold(label or ""))


def _contract_headers(kind: InputKind) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in kind.columns:
        for spelling in (col.name, col.label, *col.aliases):
            out.setdefault(fold(spelling), col.name)
    return out


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: không đọc được hồ sơ nạp ({exc})") from exc


def _merge(base: dict, own: dict) -> dict:
    out = dict(base)
    for k, v in own.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _build(data: dict, base: dict, source: str) -> Profile:
    where = source
    data = _merge(base, data)
    for key in ("name", "kind", "detect"):
        if key not in data:
            raise ProfileError(f"{where}: thiếu khóa «{key}»")
    kind = KIND_BY_NAME.get(data["kind"])
    if kind is None:
        raise ProfileError(f"{where}: loại tệp «{data['kind']}» không có (một trong: {', '.join(KIND_BY_NAME)})")
    if not re.fullmatch(r"[a-z0-9_]{1,40}", str(data["name"])):
        raise ProfileError(f"{where}: tên hồ sơ nạp «{data['name']}» chỉ gồm a-z, 0-9, _")
    columns = {c.name for c in kind.columns}
    headers = _contract_headers(kind)
    spelled = (
        data.get("headers", {})
        if kind.name == "dossiers"
        else {k: v for k, v in data.get("headers", {}).items() if k in columns}
    )
    for canon, spellings in spelled.items():
        if canon not in columns:
            raise ProfileError(
                f"{where}: [headers] «{canon}» không phải cột của {kind.label.lower()} "
                f"(các cột: {', '.join(sorted(columns))})"
            )
        for s in [spellings] if isinstance(spellings, str) else spellings:
            headers[fold(str(s))] = canon  # the profile's spelling wins over the contract's aliases
    detect = tuple(data["detect"])
    unknown = [c for c in detect if c not in columns]
    if unknown:
        raise ProfileError(f"{where}: detect có cột không thuộc loại tệp: {', '.join(unknown)}")
    vocabulary = {
        enum: {fold_key(str(w)): value for value, words in values.items() for w in words}
        for enum, values in data.get("vocabulary", {}).items()
    }
    statuses = data.get("status", {})
    for name, st in statuses.items():
        if st.get("form") not in ("skip", "dang_xu_ly", "da_giai_quyet", "tam_dung", "tra_lai", "rut"):
            raise ProfileError(f"{where}: [status.{name}] form = «{st.get('form')}» không phải trạng thái của biểu")
    timeliness = {fold_key(str(w)): value for value, words in data.get("timeliness", {}).items() for w in words}
    return Profile(
        name=data["name"],
        label=data.get("label", data["name"]),
        kind=kind,
        detect=detect,
        priority=int(data.get("priority", 0)),
        headers=headers,
        source=source,
        vocabulary=vocabulary,
        statuses=statuses,
        timeliness=timeliness,
        defaults=dict(data.get("defaults", {})),
        dates=dict(data.get("dates", {})),
        skip=dict(data.get("skip", {})),
        title=dict(data.get("title", {})),
        groups=dict(data.get("groups", {})),
    )


def profile_dirs(db_path: str | os.PathLike | None = None) -> list[Path]:
    """Where profiles come from: the shipped folder, then `profiles/` next to the database, then
    `$CCHC_PROFILES` (a later profile with the same name replaces an earlier one)."""
    dirs = [SHIPPED_DIR]
    if db_path is not None:
        dirs.append(Path(db_path).resolve().parent / "profiles")
    if os.environ.get("CCHC_PROFILES"):
        dirs.append(Path(os.environ["CCHC_PROFILES"]))
    return dirs


def load_profiles(db_path: str | os.PathLike | None = None) -> list[Profile]:
    """Every profile, most specific first within a kind: the shipped and operator files, then the contract's
    built-in layouts of the other kinds."""
    base = _read(SHIPPED_DIR / "_base.toml")
    by_name: dict[str, Profile] = {}
    for d in profile_dirs(db_path):
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.toml")):
            if path.name.startswith("_"):
                continue
            p = _build(_read(path), base, str(path))
            by_name[p.name] = p
    for kind in INPUT_KINDS:
        name = f"hop_dong_{kind.name}" if kind.name != "dossiers" else "hop_dong"
        if name not in by_name:
            by_name[name] = _build(
                {
                    "name": name,
                    "label": f"Mẫu hợp đồng dữ liệu: {kind.label.lower()}",
                    "kind": kind.name,
                    "detect": list(kind.signature),
                    "priority": 100,
                },
                base if kind.name == "dossiers" else {},
                "built-in",
            )
    return sorted(by_name.values(), key=lambda p: (-p.priority, p.name))


def base_vocabulary() -> Profile:
    """The shared vocabularies on their own (the demo and trusted frames use them too)."""
    return _build({"name": "base", "kind": "dossiers", "detect": []}, _read(SHIPPED_DIR / "_base.toml"), "_base.toml")
