"""Turn an operator's file into a UTF-8 CSV DuckDB can read, and find what it is.

CSV may be UTF-8 (with or without BOM) or Windows-1258 (detected, never assumed);
Vietnamese text is normalised to NFC (cp1258 writes tone marks as combining
characters). XLSX is read with python-calamine: the first sheet whose top rows hold a
recognisable header row. Title rows above the header are skipped in both formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import unicodedata
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config import RESOLVABLE, InputKind
from .profiles import Profile, fold  # noqa: F401  (fold: re-exported for callers of read)
from .shape import HEADER_SCAN_ROWS, Header, TitleBlock, find_header, read_title

XLSX_LINE_COLUMN = "__line"


class UnreadableFile(Exception):
    """The file as a whole cannot be loaded (the message names the file and why)."""


@dataclass
class Source:
    path: Path
    kind: InputKind
    encoding: str
    csv_path: Path  # UTF-8 CSV for DuckDB
    delimiter: str
    header_line: int  # 1-based line (or sheet row) of the last header row
    names: list[str]  # one per file column: canonical name, or _extra_N
    labels: dict[str, str]  # canonical -> the header the file used
    sha256: str
    skip: int = 0  # lines of csv_path before the first record
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None
    oversize: list[tuple[int, int]] = field(default_factory=list)  # (line, characters) of lines too long to load
    profile: Profile | None = None
    title: TitleBlock = field(default_factory=TitleBlock)
    blank_lines: list[int] = field(default_factory=list)  # empty lines/rows inside the table: skipped, counted
    header_rows: int = 1


def _names(
    profile: Profile, header: list[str], mapped: list[str | None], where: str, title: TitleBlock
) -> tuple[list[str], dict[str, str], list[str]]:
    kind = profile.kind
    names, labels, warnings, extra = [], {}, [], []
    for i, (label, canon) in enumerate(zip(header, mapped), start=1):
        label = (label or "").strip()
        if canon and canon not in labels:
            names.append(canon)
            labels[canon] = label or canon
        else:
            names.append(f"_extra_{i}")
            if canon:
                warnings.append(f"{where}: cột {i} «{label}» trùng với cột «{labels[canon]}», đã bỏ qua")
            elif label:
                extra.append(label)
    if extra:
        warnings.append(
            f"{where}: bỏ qua cột không thuộc mẫu: {', '.join(extra[:8])}" + ("…" if len(extra) > 8 else "")
        )
    missing = [
        c
        for c in kind.columns
        if c.required and c.name not in labels and not _resolvable(c.name, labels, profile, title)
    ]
    if missing:
        raise UnreadableFile(
            f"{where}: tệp {kind.label.lower()} (mẫu «{profile.label}») thiếu cột bắt buộc: "
            + ", ".join(f"«{c.label}» ({c.name})" for c in missing)
        )
    return names, labels, warnings


def _resolvable(column: str, labels: dict[str, str], profile: Profile, title: TitleBlock) -> bool:
    """A required column the file lacks but the profile can fill (config.RESOLVABLE): from another column,
    the title block, a group row inside the table, or a default."""
    if profile.kind.name != "dossiers":
        return False
    for way in RESOLVABLE.get(column, ()):
        src, _, what = way.partition(":")
        if (
            (not what and src in labels)
            or (src == "title" and title.unit)
            or (src == "default" and what in profile.defaults)
            or (src == "group" and profile.groups)
        ):
            return True
    return False


def _header(rows: list[list[str]], where: str, profiles: list[Profile]) -> Header:
    found = find_header(rows, profiles)
    if not found:
        raise UnreadableFile(
            f"{where}: không nhận ra loại tệp từ dòng tiêu đề (cần các cột của hồ sơ, đơn vị, "
            "chỉ tiêu, đánh giá, PAR INDEX, nhiệm vụ hoặc ngày lễ; các mẫu đã biết: `cchc profiles`)"
        )
    return found


def _decode(data: bytes, where: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000], cp_isolation=["cp1258", "cp1252", "utf_16", "latin_1"]).best()
    if best is None:
        raise UnreadableFile(f"{where}: không nhận ra bảng mã của tệp (không phải UTF-8 hay Windows-1258)")
    encoding = best.encoding
    # Vietnamese text in a single-byte Windows code page is cp1258 (cp1252 lacks ơ, ư, đ and the tone marks).
    if encoding in ("cp1252", "latin_1", "windows_1252", "iso8859_1"):
        encoding = "cp1258"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(f"{where}: không giải mã được tệp ({encoding}): {exc}") from exc


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:HEADER_SCAN_ROWS] if ln.strip()]
    best, score = ",", -1
    for d in (",", ";", "\t", "|"):
        counts = [ln.count(d) for ln in lines]
        s = max(counts, default=0)
        if s > score:
            best, score = d, s
    return best


HEADER_SCAN_CHARS = 65536
MAX_LINE_CHARS = 1_000_000  # a dossier line is < 2 KB: a longer one holds a giant cell, never a record
OVERSIZE_MARK = "__cchc_oversize__"


def _cut_oversize(text: str, delimiter: str, n_columns: int) -> tuple[str, list[tuple[int, int]]]:
    """Replace each physical line longer than MAX_LINE_CHARS by a marker record (same line number), so the
    rest of the file loads and the loader rejects that line with its size. Returns (text, [(line, chars)])."""
    if len(text) <= MAX_LINE_CHARS or max(map(len, text.splitlines())) <= MAX_LINE_CHARS:
        return text, []
    lines = text.split("\n")
    oversize = []
    for i, line in enumerate(lines):
        if len(line) > MAX_LINE_CHARS:
            oversize.append((i + 1, len(line)))
            lines[i] = OVERSIZE_MARK + delimiter * (n_columns - 1)
    return "\n".join(lines), oversize


def _blank_lines(text: str, after: int) -> list[int]:
    """Physical lines (1-based) after line `after` that are empty, up to the last non-empty line: DuckDB passes
    over them, the import counts them as skipped (cheap when there are none: one substring search)."""
    if "\n\n" not in text and "\n\r\n" not in text:
        return []
    lines = text.split("\n")
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
    return [i + 1 for i, ln in enumerate(lines[: last + 1]) if i + 1 > after and not ln.strip("\r")]


def _open_csv(path: Path, data: bytes, workdir: Path, profiles: list[Profile], now: dt.datetime) -> Source:
    where = path.name
    text, encoding = _decode(data, where)
    if "\x00" in text[:10000]:
        raise UnreadableFile(f"{where}: tệp không phải văn bản CSV (có ký tự nhị phân)")
    normalized = not unicodedata.is_normalized("NFC", text)
    if normalized:
        text = unicodedata.normalize("NFC", text)
    delimiter = _sniff_delimiter(text[:200_000])
    # only headers matter here: a giant line (a 100 MB cell) is cut, the loader reports that row itself
    head = list(
        csv.reader(
            io.StringIO("\n".join(line[:HEADER_SCAN_CHARS] for line in text.splitlines()[: HEADER_SCAN_ROWS + 3])),
            delimiter=delimiter,
        )
    )
    h = _header(head, where, profiles)
    title = read_title(head[: h.row], h.profile, now)
    names, labels, warnings = _names(h.profile, h.labels, h.mapped, where, title)
    text, oversize = _cut_oversize(text, delimiter, len(names))
    out = workdir / f"{path.stem}.{hashlib.sha1(str(path).encode()).hexdigest()[:8]}.utf8.csv"
    if encoding == "utf-8" and not normalized and not oversize:
        out = path  # already what DuckDB wants: read in place
    else:
        out.write_text(text, encoding="utf-8")
    last_header = h.row + h.depth
    # physical line of the header: head rows may span lines only through quoted newlines (rare in headers)
    return Source(
        path,
        h.profile.kind,
        encoding,
        out,
        delimiter,
        last_header,
        names,
        labels,
        hashlib.sha256(data).hexdigest(),
        skip=last_header,
        warnings=warnings,
        oversize=oversize,
        profile=h.profile,
        title=title,
        blank_lines=_blank_lines(text, last_header),
        header_rows=h.depth,
    )


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return unicodedata.normalize("NFC", str(v))


def _open_xlsx(path: Path, data: bytes, workdir: Path, profiles: list[Profile], now: dt.datetime) -> Source:
    where = path.name
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types
        raise UnreadableFile(f"{where}: không đọc được tệp Excel ({type(exc).__name__}: {exc})") from exc
    for sheet in wb.sheet_names:
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise UnreadableFile(f"{where}: không đọc được trang «{sheet}» ({exc})") from exc
        head = [[_cell(c) for c in r] for r in rows[: HEADER_SCAN_ROWS + 3]]
        h = find_header(head, profiles)
        if not h:
            continue
        title = read_title(head[: h.row], h.profile, now)
        names, labels, warnings = _names(h.profile, h.labels, h.mapped, f"{where} [{sheet}]", title)
        out = workdir / f"{path.stem}.{hashlib.sha1(str(path).encode()).hexdigest()[:8]}.xlsx.csv"
        first = h.row + h.depth
        blank: list[int] = []
        last_row = 0
        with out.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for excel_row, r in enumerate(rows[first:], start=first + 1):
                cells = [_cell(c) for c in r][: len(names)]
                if not any(c.strip() for c in cells):
                    blank.append(excel_row)  # an empty sheet row is not a record (counted as skipped if inside)
                    continue
                cells += [""] * (len(names) - len(cells))
                w.writerow(cells + [str(excel_row)])
                last_row = excel_row
        inside = [b for b in blank if b < last_row]
        return Source(
            path,
            h.profile.kind,
            "xlsx",
            out,
            ",",
            first,
            names + [XLSX_LINE_COLUMN],
            labels,
            hashlib.sha256(data).hexdigest(),
            warnings=warnings,
            sheet=sheet,
            profile=h.profile,
            title=title,
            blank_lines=inside,
            header_rows=h.depth,
        )
    raise UnreadableFile(
        f"{where}: không trang tính nào có dòng tiêu đề nhận ra được (các mẫu đã biết: `cchc profiles`)"
    )


MAX_FILE_BYTES = int(os.environ.get("CCHC_MAX_FILE_MB", "1024")) * 1024 * 1024
MAX_XLSX_UNPACKED = 2 * 1024**3  # an XLSX whose parts unpack to more than this is refused
MAX_XLSX_RATIO = 200  # ... or whose large part compresses more than 200:1 (a zip bomb)


def _check_zip(data: bytes, where: str) -> None:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableFile(f"{where}: tệp Excel bị hỏng hoặc không đầy đủ ({exc})") from exc
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_UNPACKED:
        raise UnreadableFile(
            f"{where}: tệp Excel giải nén ra {total / 1024**3:.1f} GB, vượt giới hạn "
            f"{MAX_XLSX_UNPACKED / 1024**3:.0f} GB: không đọc (có thể là tệp độc hại)"
        )
    for i in infos:
        if i.file_size > 50 * 1024**2 and i.file_size > MAX_XLSX_RATIO * max(1, i.compress_size):
            raise UnreadableFile(
                f"{where}: phần «{i.filename}» nén {i.file_size // max(1, i.compress_size)}:1, "
                "bất thường với tệp Excel (nghi tệp nén độc hại): không đọc"
            )


def open_source(
    path: str | Path, workdir: Path, profiles: list[Profile] | None = None, now: dt.datetime | None = None
) -> Source:
    from .profiles import load_profiles

    profiles = profiles if profiles is not None else load_profiles()
    now = now or dt.datetime.now().replace(microsecond=0)
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile(f"{path}: không mở được tệp ({exc.strerror or exc})") from exc
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"{path.name}: tệp {size / 1024**2:.0f} MB, vượt giới hạn {MAX_FILE_BYTES // 1024**2} MB "
            "một tệp (chia nhỏ tệp, hoặc đặt CCHC_MAX_FILE_MB)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path}: không mở được tệp ({exc.strerror or exc})") from exc
    if not data.strip():
        raise UnreadableFile(f"{path.name}: tệp rỗng")
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise UnreadableFile(f"{path.name}: tệp Excel bị hỏng hoặc không đầy đủ")
        _check_zip(data, path.name)
        return _open_xlsx(path, data, workdir, profiles, now)
    if path.suffix.lower() == ".xls":
        raise UnreadableFile(
            f"{path.name}: định dạng Excel 97-2003 (.xls) chưa hỗ trợ: lưu lại dưới dạng .xlsx hoặc CSV"
        )
    return _open_csv(path, data, workdir, profiles, now)
