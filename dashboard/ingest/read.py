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
import itertools
import os
import stat
import unicodedata
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
    structure: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): not a valid CSV record
    short: list[tuple[int, int]] = field(default_factory=list)  # (line, cells) of records with fewer cells
    records: int | None = None  # records written for DuckDB: it must read exactly as many


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
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"{where}: tệp ghi là UTF-8 (có BOM) nhưng byte thứ {exc.start + 4:,} không hợp lệ "
                "(tệp hỏng hoặc bị nối từ tệp khác bảng mã): lưu lại tệp dưới dạng CSV UTF-8".replace(",", ".")
            ) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if len(data) % 2:
            raise UnreadableFile(
                f"{where}: tệp ghi là UTF-16 (có BOM) nhưng có số byte lẻ ({len(data):,}): tệp bị cắt cụt".replace(
                    ",", "."
                )
            )
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{where}: tệp UTF-16 hỏng ở byte thứ {exc.start:,}".replace(",", ".")) from exc
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


def _delimiters(lines: list[str]) -> list[str]:
    """Candidate delimiters, most likely first (the most of it on one line of the top rows); the header finder
    then takes the first under which a header is recognised (a two-column file with a comma in a title line)."""
    top = [ln for ln in lines[:HEADER_SCAN_ROWS] if ln.strip()]
    score = {d: max((ln.count(d) for ln in top), default=0) for d in (",", ";", "\t", "|")}
    return sorted(score, key=lambda d: -score[d])  # stable: "," first on a tie


HEADER_SCAN_CHARS = 65536
MAX_LINE_CHARS = 1_000_000  # a dossier line is < 2 KB: a longer one holds a giant cell, never a record
MAX_RECORD_LINES = 1000  # a quoted cell spanning more physical lines is an unclosed quote, not a cell
csv.field_size_limit(2**31 - 1)  # the record's size is checked here (MAX_LINE_CHARS), not by the csv module


@dataclass
class Records:
    """The records of a CSV text, each with the physical line it starts on. Lines end at LF, CRLF or a lone CR
    (as every editor shows them), nothing else: a form feed, U+0085 or U+2028 is a character of its cell, so
    the header finder, the loader and an editor agree on every line number."""

    rows: list[tuple[int, list[str]]]  # (line, cells)
    errors: list[tuple[int, str]]  # (line, reason): not a valid CSV record
    oversize: list[tuple[int, int]]  # (line, characters)
    blank: list[int]  # empty lines


def _records(lines: list[str], delimiter: str, limit: int | None = None, keep_blank: bool = False) -> Records:
    """Parse with the csv module (strict quoting). A record that is not valid CSV (an unclosed quote, text after a
    closing quote) costs only its first line: that line is reported and parsing resumes on the next one, so a stray
    quote never swallows the rows after it."""
    out = Records([], [], [], [])
    n = len(lines)
    pos = 0  # index of the next physical line to parse

    def feed(start: int):
        for i in range(start, n):
            yield lines[i]

    while pos < n and (limit is None or len(out.rows) < limit):
        reader = csv.reader(feed(pos), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
        consumed = 0
        while limit is None or len(out.rows) < limit:
            first = pos + consumed + 1  # 1-based line the next record starts on
            try:
                cells = next(reader)
            except StopIteration:
                pos = n
                break
            except csv.Error as exc:
                out.errors.append((first, _csv_reason(str(exc))))
                pos = first  # resume after the record's first line
                break
            span = reader.line_num - consumed
            consumed = reader.line_num
            if span > MAX_RECORD_LINES:
                out.errors.append((first, f"dấu nháy kép không đóng (ô kéo dài {span} dòng)"))
                pos = first
                break
            if not cells or not any(c.strip() for c in cells):
                if keep_blank:
                    out.rows.append((first, cells))
                else:
                    out.blank.append(first)
                continue
            size = sum(map(len, cells))
            if size > MAX_LINE_CHARS:
                out.oversize.append((first, size))
                continue
            out.rows.append((first, cells))
        else:
            break
    return out


def _csv_reason(message: str) -> str:
    if "unexpected end of data" in message:
        return "dấu nháy kép không đóng"
    if "expected after" in message:
        return "dấu nháy không đúng (ký tự sau dấu nháy đóng)"
    return message


def _lines(text: str) -> list[str]:
    return io.StringIO(text, newline=None).readlines()  # LF, CRLF and a lone CR end a line, each as LF


def _open_csv(path: Path, data: bytes, workdir: Path, profiles: list[Profile], now: dt.datetime, out: Path) -> Source:
    where = path.name
    text, encoding = _decode(data, where)
    if "\x00" in text[:10000]:
        raise UnreadableFile(f"{where}: tệp không phải văn bản CSV (có ký tự nhị phân)")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    lines = _lines(text)
    del text
    # only headers matter here: giant cells are cut for the header finder, the loader reports those rows itself
    h = None
    for delimiter in _delimiters(lines):
        head = _records(lines, delimiter, limit=HEADER_SCAN_ROWS + 3, keep_blank=True).rows
        h = find_header([[c[:HEADER_SCAN_CHARS] for c in cells] for _, cells in head], profiles)
        if h:
            break
    if h is None:
        _header([], where, profiles)  # raises: no header under any delimiter
    title = read_title([cells for _, cells in head[: h.row]], h.profile, now)
    names, labels, warnings = _names(h.profile, h.labels, h.mapped, where, title)
    last_header = head[h.row + h.depth - 1][0]
    recs = _records(lines[last_header:], delimiter)
    del lines
    shift = last_header
    width = len(names)
    short: list[tuple[int, int]] = []
    errors = [(line + shift, why) for line, why in recs.errors]
    last = written = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for line, cells in recs.rows:
            line += shift
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    errors.append((line, f"thừa cột: {len(cells)} ô, tiêu đề có {width} cột"))
                    last = max(last, line)
                    continue
                cells = cells[:width]
            elif len(cells) < width:
                short.append((line, len(cells)))
                cells = cells + [""] * (width - len(cells))
            if "\x00" in "".join(cells):
                errors.append((line, "dòng có ký tự nhị phân (NUL)"))
                last = max(last, line)
                continue
            w.writerow([*cells, str(line)])
            written += 1
            last = max(last, line)
    oversize = [(line + shift, size) for line, size in recs.oversize]
    last = max([last, *(ln for ln, _ in oversize), *(ln for ln, _ in errors)])
    return Source(
        path,
        h.profile.kind,
        encoding,
        out,
        ",",
        last_header,
        [*names, XLSX_LINE_COLUMN],
        labels,
        hashlib.sha256(data).hexdigest(),
        warnings=warnings,
        oversize=oversize,
        profile=h.profile,
        title=title,
        blank_lines=[b + shift for b in recs.blank if b + shift < last],
        header_rows=h.depth,
        structure=sorted(errors),
        short=short,
        records=written,
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
    # a CR inside a cell is a line break (DuckDB's reader stops at a bare CR even inside quotes)
    return unicodedata.normalize("NFC", str(v)).replace("\r\n", "\n").replace("\r", "\n")


def _open_xlsx(path: Path, data: bytes, workdir: Path, profiles: list[Profile], now: dt.datetime, out: Path) -> Source:
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
        first = h.row + h.depth
        blank: list[int] = []
        last_row = written = 0
        with out.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            for excel_row, r in enumerate(rows[first:], start=first + 1):
                cells = [_cell(c) for c in r][: len(names)]
                if not any(c.strip() for c in cells):
                    blank.append(excel_row)  # an empty sheet row is not a record (counted as skipped if inside)
                    continue
                cells += [""] * (len(names) - len(cells))
                w.writerow(cells + [str(excel_row)])
                written += 1
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
            records=written,
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


def check_path(path: str | os.PathLike) -> Path:
    """The file as named, literally (never a pattern: `a*.csv` is the file called that), and a regular file: a
    directory, a device (/dev/zero), a FIFO or a socket is refused at once, before the import lock is taken,
    without reading from it (a FIFO would block, /dev/zero never ends)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UnreadableFile(f"{path}: không mở được tệp ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(st.st_mode):
        what = (
            "một thư mục"
            if stat.S_ISDIR(st.st_mode)
            else "một ống dẫn (FIFO)"
            if stat.S_ISFIFO(st.st_mode)
            else "một thiết bị"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "không phải tệp thường"
        )
        raise UnreadableFile(f"{path}: là {what}, không phải tệp dữ liệu: không đọc")
    return path


def _read_bytes(path: Path) -> bytes:
    """Read a regular file (checked again on the open descriptor: no FIFO can block here), at most the limit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnreadableFile(f"{path}: không mở được tệp ({exc.strerror or exc})") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(f"{path}: không phải tệp dữ liệu thường: không đọc")
        if st.st_size > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"{path.name}: tệp {st.st_size / 1024**2:.0f} MB, vượt giới hạn {MAX_FILE_BYTES // 1024**2} MB "
                "một tệp (chia nhỏ tệp, hoặc đặt CCHC_MAX_FILE_MB)"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise UnreadableFile(f"{path.name}: tệp vượt giới hạn {MAX_FILE_BYTES // 1024**2} MB một tệp")
        return data
    except OSError as exc:
        raise UnreadableFile(f"{path}: không đọc được tệp ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)


_opened = itertools.count(1)


def open_source(
    path: str | Path, workdir: Path, profiles: list[Profile] | None = None, now: dt.datetime | None = None
) -> Source:
    from .profiles import load_profiles

    profiles = profiles if profiles is not None else load_profiles()
    now = now or dt.datetime.now().replace(microsecond=0)
    path = check_path(path)
    data = _read_bytes(path)
    if not data.strip():
        raise UnreadableFile(f"{path.name}: tệp rỗng")
    # the file DuckDB reads: a name of our own (the operator's may hold *, ?, [ that DuckDB would expand)
    out = workdir / f"src-{next(_opened)}.csv"
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise UnreadableFile(f"{path.name}: tệp Excel bị hỏng hoặc không đầy đủ")
        _check_zip(data, path.name)
        return _open_xlsx(path, data, workdir, profiles, now, out)
    if path.suffix.lower() == ".xls":
        raise UnreadableFile(
            f"{path.name}: định dạng Excel 97-2003 (.xls) chưa hỗ trợ: lưu lại dưới dạng .xlsx hoặc CSV"
        )
    return _open_csv(path, data, workdir, profiles, now, out)
