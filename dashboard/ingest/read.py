"""Turn an operator's file into a UTF-8 CSV DuckDB can read, and find what it is.

CSV may be UTF-8 (with or without BOM) or Windows-1258 (detected, never assumed);
Vietnamese text is normalised to NFC (cp1258 writes tone marks as combining
characters). XLSX is read with python-calamine: the first sheet whose top rows hold a
recognisable header row. Title rows above the header are skipped in both formats.
"""

from __future__ import annotations

import concurrent.futures
import csv
import datetime as dt
import hashlib
import io
import itertools
import os
import stat
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

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
    # (line, reason, contract column, file header): not a valid CSV record
    structure: list[tuple[int, str, str | None, str | None]] = field(default_factory=list)
    short: list[tuple[int, int]] = field(default_factory=list)  # (line, cells) of records with fewer cells
    records: int | None = None  # records written to csv_path for DuckDB: it must read exactly as many
    # the lines that are one plain record each, as the file has them (its delimiter), read by DuckDB directly
    plain_path: Path | None = None
    plain_delimiter: str = ","
    plain_lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # their 1-based lines


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
    errors: list[tuple[int, str, int | None]]  # (line, reason, 1-based column or None): not a valid CSV record
    oversize: list[tuple[int, int]]  # (line, characters)
    blank: list[int]  # empty lines
    spans: dict[int, int] = field(default_factory=dict)  # first line -> physical lines of a multi-line record
    end: int = 0  # index of the first line not consumed


def _merged(cells: list[str], delimiter: str, width: int | None) -> tuple[str, int | None] | None:
    """A record spanning several lines that is not one record: an unbalanced quote closed by a later quote (often
    the opening quote of a quoted multi-line cell) swallows whole lines of the file into one cell. The evidence is
    a whole line inside a line-broken cell (neither its first nor its last line) that holds a record's delimiters
    (at least width − 1), or a first cell whose first line alone does (at least 2 and width − 1: the rest of a
    line whose opening quote was stray). A real multi-line cell (an address, a note: `"1.245,5\nline two"`) keeps
    its line breaks between words, not records, and stays one record, also when it has more cells than the header
    (one record with extra cells, rejected as such, never split in two)."""
    if not width:
        return None
    need = max(1, width - 1)
    for j, c in enumerate(cells, start=1):
        if "\n" not in c:
            continue
        parts = c.split("\n")
        inner = next((p for p in parts[1:-1] if p.count(delimiter) >= need), None)
        if inner is None and j == 1 and parts[0].count(delimiter) >= max(2, need):
            inner = parts[0]
        if inner is not None:
            return f"dấu nháy kép không đóng: ô kéo dài {len(parts)} dòng, chứa cả dòng dữ liệu", j
    return None


def _records(
    lines: Sequence[str],
    delimiter: str,
    limit: int | None = None,
    keep_blank: bool = False,
    *,
    start: int = 0,
    stop: int | None = None,
    width: int | None = None,
) -> Records:
    """Parse with the csv module (strict quoting), from line index `start`, starting no record at or after `stop`
    (a record begun before it may run past it). A record that is not valid CSV (an unclosed quote, text after a
    closing quote, a multi-line record that swallowed whole lines: `_merged`) costs only its first line: that
    line is reported and parsing resumes on the next one, so a stray quote never swallows the rows after it."""
    out = Records([], [], [], [])
    n = len(lines)
    stop = n if stop is None else min(stop, n)
    pos = start  # index of the next physical line to parse

    def feed(begin: int):
        for i in range(begin, n):
            yield lines[i]

    while pos < stop and (limit is None or len(out.rows) < limit):
        reader = csv.reader(feed(pos), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
        consumed = 0
        resume = None  # set when a broken record makes parsing start again on the line after its first
        while limit is None or len(out.rows) < limit:
            if pos + consumed >= stop:
                break
            first = pos + consumed + 1  # 1-based line the next record starts on
            try:
                cells = next(reader)
            except StopIteration:
                consumed = n - pos
                break
            except csv.Error as exc:
                out.errors.append((first, _csv_reason(str(exc)), None))
                resume = first
                break
            span = reader.line_num - consumed
            consumed = reader.line_num
            if span > MAX_RECORD_LINES:
                out.errors.append((first, f"dấu nháy kép không đóng (ô kéo dài {span} dòng)", None))
                resume = first
                break
            if span > 1:
                bad = _merged(cells, delimiter, width)
                if bad:
                    out.errors.append((first, *bad))
                    resume = first
                    break
                out.spans[first] = span
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
        if resume is None:
            pos += consumed
            break
        pos = resume
    out.end = pos
    return out


def _csv_reason(message: str) -> str:
    if "unexpected end of data" in message:
        return "dấu nháy kép không đóng"
    if "expected after" in message:
        return "dấu nháy không đúng (ký tự sau dấu nháy đóng)"
    return message


class _Lines(Sequence[str]):
    """The physical lines of a UTF-8 text whose line breaks are all LF (CRLF and a lone CR already made LF),
    each decoded only when asked for (a 1 M-line file is never split into a million strings)."""

    def __init__(self, b: bytes):
        self.b = b
        arr = np.frombuffer(b, dtype=np.uint8)
        starts = np.flatnonzero(arr == 10) + 1
        self.starts = np.concatenate(([0], starts)).astype(np.int64)
        if len(b) and self.starts[-1] == len(b):
            self.starts = self.starts[:-1]  # the text ends with a line break: no empty last line
        elif not len(b):
            self.starts = self.starts[:0]
        self.bounds = np.append(self.starts, len(b))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self.b[self.bounds[i] : self.bounds[i + 1]].decode("utf-8")


_SCAN_CHUNK = 32 * 1024 * 1024


def _plain_lines(lines: _Lines, first: int, delimiter: str, width: int) -> np.ndarray:
    """Which lines from index `first` on are certainly one plain record of `width` cells, read alike by the csv
    module and by DuckDB: no NUL, not blank, not over the size limit, exactly width − 1 delimiters outside
    quotes, and quotes (if any) only as whole quoted cells (an opening quote right after a delimiter or at the
    line start, its closing quote right before a delimiter or at the line end, none inside). Vectorised on the
    bytes (numpy); every other line goes through the csv module (`_records`)."""
    b, starts, bounds = lines.b, lines.starts, lines.bounds
    n = len(starts)
    plain = np.zeros(max(0, n - first), dtype=bool)
    if n <= first or len(delimiter.encode()) != 1:
        return plain
    d = delimiter.encode()[0]
    arr = np.frombuffer(b, dtype=np.uint8)
    blank_lut = np.ones(256, dtype=bool)
    blank_lut[[d, 9, 10, 32, 34]] = False
    i = first
    while i < n:
        # a chunk of whole lines of at most _SCAN_CHUNK bytes (at least one line)
        j = int(np.searchsorted(bounds, bounds[i] + _SCAN_CHUNK, side="right")) - 1
        j = min(max(j, i + 1), n)
        lo, hi = int(bounds[i]), int(bounds[j])
        a = arr[lo:hi]
        ls = starts[i:j] - lo  # line starts within the chunk
        le = bounds[i + 1 : j + 1] - lo  # line ends (after the LF, if any)

        def per_line(pos: np.ndarray, ls=ls, le=le) -> np.ndarray:  # how many of these positions on each line
            return np.searchsorted(pos, le) - np.searchsorted(pos, ls)

        dpos = np.flatnonzero(a == d)
        qpos = np.flatnonzero(a == 34)
        nq = per_line(qpos)
        nd = per_line(dpos)
        nz = per_line(np.flatnonzero(a == 0))
        # not blank: a byte other than the delimiter, a quote, a space, a tab or the line break (every line holds at
        # least one byte, so no segment of reduceat is empty)
        filled = np.logical_or.reduceat(blank_lut[a], ls) if len(ls) else np.zeros(0, dtype=bool)
        length = le - ls
        ok = (nz == 0) & filled & (length <= MAX_LINE_CHARS) & (nq % 2 == 0)
        inner = np.zeros(j - i, dtype=np.int64)
        if len(qpos):
            line_of = np.searchsorted(ls, qpos, side="right") - 1
            k = np.arange(len(qpos)) - np.searchsorted(qpos, ls[line_of])  # rank of the quote within its line
            before = np.where(qpos > ls[line_of], a[np.maximum(qpos - 1, 0)], d)  # the line start counts as one
            after = np.where(qpos + 1 < le[line_of], a[np.minimum(qpos + 1, len(a) - 1)], 10)
            opening = k % 2 == 0
            good = np.where(opening, before == d, (after == d) | (after == 10))
            ok &= np.bincount(line_of[~good], minlength=j - i) == 0
            # delimiters inside quoted cells are characters, not cell separators (pairs within a line only: a
            # line with an odd number of quotes is not plain anyway)
            paired = opening & (k + 1 < nq[line_of])
            o, c = qpos[paired], qpos[~opening]
            inside = np.searchsorted(dpos, c) - np.searchsorted(dpos, o)
            inner = np.bincount(line_of[paired], weights=inside, minlength=j - i).astype(np.int64)
        ok &= (nd - inner) == width - 1
        plain[i - first : j - first] = ok
        i = j
    return plain


@dataclass
class _Split:
    """A CSV table split between DuckDB (the plain lines, as they are) and the csv module (every other record,
    written to a clean copy with its line)."""

    errors: list[tuple[int, str, int | None]] = field(default_factory=list)
    oversize: list[tuple[int, int]] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)
    short: list[tuple[int, int]] = field(default_factory=list)
    written: int = 0
    last: int = 0
    plain_path: Path | None = None
    plain_lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _split(lines: _Lines, first: int, delimiter: str, width: int, plain: np.ndarray, out: Path) -> _Split:
    """Lines that are one plain record go to DuckDB as they are (`plain_path`); the rest, and any line a record
    begun there runs over, through the csv module into a clean copy with each record's line (`out`)."""
    res = _Split()
    taken = np.zeros(len(plain), dtype=bool)  # lines read by the csv module
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        pos = first
        for k in (np.flatnonzero(~plain) + first).tolist():
            if k < pos:
                continue  # already read as part of a record begun on an earlier line
            stop = k + 1
            while stop < len(lines) and not plain[stop - first]:
                stop += 1
            recs = _records(lines, delimiter, start=k, stop=stop, width=width)
            taken[k - first : recs.end - first] = True
            pos = recs.end
            res.errors += recs.errors
            res.oversize += recs.oversize
            res.blank += recs.blank
            for line, cells in recs.rows:
                _clean_record(res, w, line, cells, width)
    plain &= ~taken
    res.plain_lines = np.flatnonzero(plain) + first + 1  # 1-based physical lines
    if len(res.plain_lines):
        res.plain_path = out.with_name(out.stem + "-plain.csv")
        _write_lines(lines, res.plain_lines - 1, res.plain_path)
        res.last = max(res.last, int(res.plain_lines[-1]))
    return res


def _clean_record(res: _Split, w, line: int, cells: list[str], width: int) -> None:
    """One record read by the csv module: rejected (extra cells with text, a NUL), or written with its line,
    padded to the header's width (a short one is remembered: a footer is skipped, anything else rejected)."""
    if len(cells) > width:
        if any(c.strip() for c in cells[width:]):
            res.errors.append((line, f"thừa cột: {len(cells)} ô, tiêu đề có {width} cột", None))
            return
        cells = cells[:width]
    if "\x00" in "".join(cells):  # rejected as such, never also counted as a short record (one row, one reject)
        res.errors.append((line, "dòng có ký tự nhị phân (NUL)", None))
        return
    if len(cells) < width:
        res.short.append((line, len(cells)))
        cells = cells + [""] * (width - len(cells))
    w.writerow([*cells, str(line)])
    res.written += 1
    res.last = max(res.last, line)


def _write_lines(lines: _Lines, idx: np.ndarray, path: Path) -> None:
    """Write these lines (0-based, ascending) as they are, one slice per run of consecutive lines."""
    bounds, view = lines.bounds, memoryview(lines.b)
    breaks = np.flatnonzero(np.diff(idx) != 1)
    run_starts = np.concatenate(([idx[0]], idx[breaks + 1])).tolist()
    run_ends = (np.concatenate((idx[breaks], [idx[-1]])) + 1).tolist()
    with path.open("wb") as fh:
        for s, e in zip(run_starts, run_ends):
            fh.write(view[bounds[s] : bounds[e]])
            if lines.b[bounds[e] - 1 : bounds[e]] != b"\n":
                fh.write(b"\n")


def _utf8_lf(data: bytes, text: str, encoding: str, normalized: bool) -> bytes:
    """The text as UTF-8 with every line break LF (CRLF and a lone CR end a line, as editors show them): the
    file's own bytes when they already are exactly that (no copy of a large file), else the text encoded."""
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if not normalized and encoding == "utf-8":
        return data
    if not normalized and encoding == "utf-8-sig":
        return data[3:]
    return text.encode("utf-8")


def _sha256_async(data: bytes) -> concurrent.futures.Future:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(lambda: hashlib.sha256(data).hexdigest())
    finally:
        pool.shutdown(wait=False)


def _open_csv(
    path: Path, data: bytes, workdir: Path, profiles: list[Profile], now: dt.datetime, out: Path, plain_ok: bool = True
) -> Source:
    where = path.name
    sha = _sha256_async(data)  # hashlib lets go of the GIL: the checksum is taken while the file is scanned
    text, encoding = _decode(data, where)
    if "\x00" in text[:10000]:
        raise UnreadableFile(f"{where}: tệp không phải văn bản CSV (có ký tự nhị phân)")
    normalized = not unicodedata.is_normalized("NFC", text)
    if normalized:
        text = unicodedata.normalize("NFC", text)
    lines = _Lines(_utf8_lf(data, text, encoding, normalized))
    del text
    # only headers matter here: giant cells are cut for the header finder, the loader reports those rows itself
    h = None
    for delimiter in _delimiters(lines[:HEADER_SCAN_ROWS]):
        head = _records(lines, delimiter, limit=HEADER_SCAN_ROWS + 3, keep_blank=True)
        h = find_header([[c[:HEADER_SCAN_CHARS] for c in cells] for _, cells in head.rows], profiles)
        if h:
            break
    if h is None:
        _header([], where, profiles)  # raises: no header under any delimiter
    title = read_title([cells for _, cells in head.rows[: h.row]], h.profile, now)
    names, labels, warnings = _names(h.profile, h.labels, h.mapped, where, title)
    header_first = head.rows[h.row + h.depth - 1][0]
    last_header = header_first + head.spans.get(header_first, 1) - 1  # a header cell may span lines
    width = len(names)
    plain = _plain_lines(lines, last_header, delimiter, width)
    if not plain_ok:  # the csv module reads every line (the check of a plain read that did not add up)
        plain[:] = False
    split = _split(lines, last_header, delimiter, width, plain, out)
    errors, oversize = split.errors, split.oversize
    last = split.last
    last = max([last, *(ln for ln, _ in oversize), *(e[0] for e in errors)])
    structure = sorted(
        (line, why, *(_column(names, labels, col) if col else (None, None))) for line, why, col in errors
    )
    return Source(
        path,
        h.profile.kind,
        encoding,
        out,
        ",",
        last_header,
        [*names, XLSX_LINE_COLUMN],
        labels,
        sha.result(),
        warnings=warnings,
        oversize=oversize,
        profile=h.profile,
        title=title,
        blank_lines=[b for b in split.blank if b < last],
        header_rows=h.depth,
        structure=structure,
        short=split.short,
        records=split.written,
        plain_path=split.plain_path,
        plain_delimiter=delimiter,
        plain_lines=split.plain_lines,
    )


def _column(names: list[str], labels: dict[str, str], col: int) -> tuple[str | None, str | None]:
    """(contract column, the file's header) of a 1-based column, for a reject's column fields."""
    if col > len(names):
        return None, None
    canon = names[col - 1]
    return (canon, labels[canon]) if canon in labels else (None, None)


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
    path: str | Path,
    workdir: Path,
    profiles: list[Profile] | None = None,
    now: dt.datetime | None = None,
    plain_ok: bool = True,
) -> Source:
    from .profiles import load_profiles

    profiles = profiles if profiles is not None else load_profiles()
    now = now or dt.datetime.now().replace(microsecond=0)
    path = check_path(path)
    data = _read_bytes(path)
    if not data or data.isspace():  # (no copy of a large file, unlike strip())
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
    return _open_csv(path, data, workdir, profiles, now, out, plain_ok)
