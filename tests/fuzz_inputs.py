"""An input fuzzer for `cchc ingest`: files of every kind and layout the importer knows (headers from the
contract and from the import profiles), written with hostile encodings, BOMs, line endings, quotes, control
characters, title and footer rows, short and long records, huge / negative / non-finite numbers, impossible
dates, and XLSX variants.

Each generated file carries the number of rows the importer must read, counted here from how the file was
built (never from the importer): every record after the header up to the last non-blank one, blank lines,
footers and broken records included. The oracle, per file, through the real command (`cchc ingest FILE
--accept-partial`, in process):

- exit 0, or the refusal code 2 with exactly one line on stderr that names the file; never a traceback;
- when exit 0: accepted + rejected + skipped = rows read = the count built here (for every file whose count is
  known: all but a few deliberately ambiguous shapes);
- when refused: the published database byte-identical;
- files built to be refused (a BOM then an invalid byte, a UTF-16 BOM with an odd byte count, a NUL in the first
  10,000 characters, a directory, a FIFO, /dev/zero, a glob pattern naming no file…) are refused.

`make fuzz` runs `python tests/fuzz_inputs.py --files 5000` and prints a summary; `make test` runs a fixed
derandomised sample (tests/test_fuzz.py)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import shutil
import sys
import time
import tomllib
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from real_layouts import PROCEDURES, UNIT_SPELLINGS, UNITS  # noqa: E402

from dashboard import cli  # noqa: E402
from dashboard.config import KIND_BY_NAME, KPIS  # noqa: E402

REFUSED = 2  # `cchc`'s refusal code (a file that cannot be read at all)

UNIT_CODES = ["UBND", "P01", "P02", "X03"]
PROCS = [
    ("1.001612", "Đăng ký khai sinh", "Hộ tịch"),
    ("2.000908", "Chứng thực bản sao từ bản chính giấy tờ văn bản", "Chứng thực"),
    ("1.003003", "Đăng ký biến động quyền sử dụng đất", "Đất đai"),
]
HOSTILE_NUMBERS = [
    "inf",
    "-inf",
    "nan",
    "NaN",
    "1e30",
    "-1e30",
    "1e308",
    "1e999",
    "-1",
    "0",
    "99999999999999999999",
    "1,5",
    "1.245,5",
    "12%",
    "—",
    "abc",
    "",
    " ",
    "0x10",
    "١٢",
    "½",
    "∞",
]
HOSTILE_DATES = [
    "31/12/2999",
    "29/02/2025",
    "00/00/0000",
    "32/01/2026",
    "2026-13-01",
    "1899-12-30",
    "01/01/1900",
    "45000",
    "99999",
    "-1",
    "24:61 01/07/2026",
    "01/07/2026 25:00",
    "9999-12-31T23:59:59Z",
    "nan",
]
CONTROL = ["\f", "\x85", "\u2028", "\u2029", "\v", "\x1c", "\x1d", "\x1e", "\x07", "\x1b[31m", "\u200b", "\ufeff", "\t"]
TEXT = [
    "Nguyễn Văn A",
    "Trần Thị Bích",
    "=cmd|' /C calc'!A0",
    "+1",
    "@SUM(A1)",
    "-2",
    "ả̀",
    "Ω≈ç√",
    "🙂",
    "<script>alert(1)</script>",
    "'; DROP TABLE dossiers; --",
    "a" * 300,
]


@dataclass
class Case:
    name: str
    data: bytes | None  # None: a special path (directory, FIFO, device, missing)
    rows: int | None  # rows the importer must read; None: not known (ambiguous shape)
    expect: str  # "load" | "refuse" | "any"
    why: list[str] = field(default_factory=list)
    special: str | None = None  # "dir" | "fifo" | "devzero" | "missing" | "glob"


# ----------------------------------------------------------------------------- cells


def _date(rng: random.Random, base: dt.datetime) -> str:
    d = base + dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
    return rng.choice(
        [
            d.strftime("%d/%m/%Y %H:%M"),
            d.strftime("%d/%m/%Y"),
            d.strftime("%Y-%m-%d %H:%M:%S"),
            d.strftime("%d/%m/%y"),
            d.strftime("%d/%m/%Y %I:%M ") + ("SA" if d.hour < 12 else "CH"),
        ]
    )


def _value(canon: str, rng: random.Random, i: int, hostile: float) -> str:  # noqa: C901 - one case per column
    base = dt.datetime(2026, 7, 1, 8, 0)
    if rng.random() < hostile:
        if canon in ("year", "rank", "area", "statutory_days", "value", "score"):
            return rng.choice(HOSTILE_NUMBERS)
        if canon.endswith("_at") or canon in ("date", "due_date", "done_date"):
            return rng.choice(HOSTILE_DATES)
        return rng.choice(TEXT + HOSTILE_NUMBERS)
    match canon:
        case "dossier_id" | "response_id":
            return f"000.00.{i:02d}.H57-{260700 + i % 30}-{i:05d}"
        case "unit_code" | "peer_code" | "owner_unit":
            return rng.choice(UNIT_CODES)
        case "unit_name":
            return rng.choice(sum(UNIT_SPELLINGS.values(), []))
        case "procedure_code":
            return rng.choice(PROCS)[0]
        case "procedure_name":
            return rng.choice(PROCS)[1]
        case "field":
            return rng.choice(PROCS)[2]
        case "channel":
            return rng.choice(["truc_tuyen", "truc_tiep", "buu_chinh", "Trực tuyến", "Trực tiếp", ""])
        case "status":
            return rng.choice(
                ["da_giai_quyet", "dang_xu_ly", "tam_dung", "tra_lai", "rut", "4", "10", "Đã trả kết quả"]
            )
        case "received_at" | "submitted_at":
            return _date(rng, base)
        case "due_at":
            return _date(rng, base + dt.timedelta(days=5))
        case "completed_at" | "returned_at" | "updated_at":
            return rng.choice(["", _date(rng, base + dt.timedelta(days=3))])
        case "answered_at":
            return _date(rng, base)
        case "rating":
            return rng.choice(["rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long", "Hài lòng"])
        case "year":
            return str(rng.choice([2025, 2026]))
        case "kpi":
            return rng.choice([k.name for k in KPIS])
        case "comparator":
            return rng.choice([">=", ">", "<=", "top"])
        case "value":
            return rng.choice(["0.98", "95", "98%", "0,9"])
        case "scope":
            return rng.choice(["all", "level:ward", "P01"])
        case "score":
            return f"{rng.uniform(60, 95):.2f}"
        case "rank" | "area":
            return str(rng.randint(1, 7))
        case "statutory_days":
            return str(rng.randint(0, 30))
        case "date" | "due_date":
            return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026"
        case "done_date":
            return rng.choice(["", "15/09/2026"])
        case "unit_kind":
            return rng.choice(["phuong", "xa", "phong_ban"])
        case "level":
            return rng.choice(["ward", "city"])
        case "parent_code":
            return "UBND"
        case "unit_name_" | "name" | "peer_name" | "title" | "procedure_name_":
            return rng.choice(TEXT[:2]) + f" {i}"
        case _:
            return rng.choice(["", "x", "Có", "Không", "1", "0", "Nguyễn Văn B"])


# ----------------------------------------------------------------------------- layouts
def _profile_layouts() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(profile, kind, [(canonical, header spelling)]) from the shipped profile files and the contract's kinds."""
    out = []
    for kind in KIND_BY_NAME.values():
        cols = [(c.name, c.name) for c in kind.columns if not c.aux]
        out.append((f"contract-{kind.name}", kind.name, cols))
        out.append((f"contract-vi-{kind.name}", kind.name, [(c.name, c.label) for c in kind.columns if not c.aux]))
    for f in sorted((ROOT / "dashboard" / "profiles").glob("*.toml")):
        if f.name.startswith("_"):
            continue
        spec = tomllib.loads(f.read_text(encoding="utf-8"))
        heads = spec.get("headers", {})
        detect = spec.get("detect", [])
        cols = []
        for canon in dict.fromkeys([*detect, *heads]):
            labels = heads.get(canon) or [canon]
            cols.append((canon, labels[0] if isinstance(labels, list) else labels))
        kind = spec.get("kind", "dossiers")
        have = {c for c, _ in cols}
        cols += [(c.name, c.label) for c in KIND_BY_NAME[kind].columns if c.required and c.name not in have]
        out.append((spec.get("name", f.stem), kind, cols))
    return out


LAYOUTS = _profile_layouts()


def _detect(profile: str) -> list[str]:
    f = ROOT / "dashboard" / "profiles" / f"{profile}.toml"
    return tomllib.loads(f.read_text(encoding="utf-8")).get("detect", []) if f.exists() else []


def _required(kind: str) -> set[str]:
    return {c.name for c in KIND_BY_NAME[kind].columns if c.required}


# ----------------------------------------------------------------------------- one file
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1258", "utf-16", "utf-16-be-bom"]
ENDINGS = ["\n", "\r\n", "\r"]
DELIMS = [",", ",", ";", "\t", "|"]


def _encode(text: str, enc: str) -> bytes:
    if enc == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if enc == "utf-16":
        return text.encode("utf-16")  # BOM + little-endian
    if enc == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    if enc == "cp1258":
        from builders import to_cp1258

        try:
            return to_cp1258(text)
        except UnicodeEncodeError:
            return to_cp1258(text.encode("cp1258", errors="replace").decode("cp1258"))
    return text.encode(enc)


def _quote(cell: str, d: str) -> str:
    if any(ch in cell for ch in (d, '"', "\n", "\r")) or cell != cell.strip():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _quote_free_pairs(lines: list[str], simple: list[int], d: str, width: int) -> list[tuple[int, int]]:
    """(a, b): two simple records with a record between them and no quote on any line from a to b (so a quote
    opened on a is closed on b, and a naive reader loses the lines between), with the evidence the importer's rule
    looks for (`read._merged`): a line between them holding a whole record's delimiters, or a first line that
    alone holds at least 2 and width − 1. Without it (only short or blank lines between, a short first line) the
    bytes are a plain quoted multi-line cell and nothing tells a reader otherwise."""
    need = max(1, width - 1)
    out = []
    for a, b in zip(simple, simple[2:]):
        if any('"' in ln for ln in lines[a : b + 1]) or b - a > 20:
            continue
        if any(ln.count(d) >= need for ln in lines[a + 1 : b]) or lines[a].count(d) >= max(2, need):
            out.append((a, b))
    return out


def _breaks(record: str) -> int:
    """Line breaks inside one record's text as the importer counts lines (LF, CRLF, a lone CR)."""
    return len(re.findall(r"\r\n|\r|\n", record))


def _record_ending_at(lines: list[str], nl: str, cut: int) -> str | None:
    """The record of `nl.join(lines)` whose text ends at offset `cut`, if one does (else `cut` is inside one)."""
    pos = 0
    for ln in lines:
        pos += len(ln)
        if pos == cut:
            return ln
        if pos > cut:
            return None
        pos += len(nl)
    return None


def csv_case(seed: int, i: int) -> Case:  # noqa: C901 - one branch per hostile shape
    rng = random.Random(seed * 1_000_003 + i)
    profile, kind, cols = rng.choice(LAYOUTS)
    # sometimes drop a non-required column, shuffle
    keep = _required(kind) | set(_detect(profile))
    cols = [c for c in cols if c[0] in keep or rng.random() < 0.8]
    if rng.random() < 0.3:
        rng.shuffle(cols)
    d = rng.choice(DELIMS)
    nl = rng.choice(ENDINGS)
    enc = rng.choice(ENCODINGS)
    hostile = rng.choice([0.0, 0.0, 0.05, 0.3])
    why = [profile, repr(d), repr(nl), enc]
    lines: list[str] = []  # physical records as text (a record may span lines through a quoted cell)
    rows = pending = 0
    expect = "load"

    # title block: text lines with control characters (never line breaks), a lone CR, a stray quote
    for _ in range(rng.choice([0, 0, 1, 2, 4])):
        t = rng.choice(
            [
                "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ",
                "Từ ngày 01/07/2026 đến ngày 30/09/2026",
                "Đơn vị: Phường An Hòa",
                "Ngày xuất: 01/10/2026",
                'Báo cáo "quý III',
            ]
        )
        if rng.random() < 0.5:
            c = rng.choice(CONTROL + ["\r"])
            t = t[:5] + c + t[5:]
            why.append(f"title {c!r}")
        lines.append(t.replace(d, " ") if d != "\t" else t.replace("\t", " "))
    lines.append(d.join(_quote(label, d) for _, label in cols))
    n = rng.choice([0, 1, 3, 10, 40, 120])
    width = len(cols)
    special = rng.random()
    for r in range(n):
        cells = [_value(canon, rng, r, hostile) for canon, _ in cols]
        roll = rng.random()
        if roll < 0.04:
            cells[rng.randrange(width)] += "\nline two" + ("\r\nline three" if rng.random() < 0.5 else "")
            why.append("multiline cell")
        elif roll < 0.06:
            c = rng.choice(CONTROL)
            cells[rng.randrange(width)] += c
            why.append(f"cell {c!r}")
        if roll < 0.0015:
            cells[rng.randrange(width)] = "x" * 1_000_100  # a giant cell: that record rejected with its size
            why.append("giant cell")
        written = cells
        text = d.join(_quote(c, d) for c in cells)
        if roll > 0.97 and width > 2:
            written = cells[: rng.randint(1, width - 1)]
            text = d.join(_quote(c, d) for c in written)  # a short record
            why.append("short record")
        elif 0.95 < roll <= 0.97:
            text += d + "extra" + d + "cells"
            written = [*cells, "extra"]
            why.append("extra cells")
        lines.append(text)
        if any(c.strip() for c in written):
            rows += 1 + pending
            pending = 0
        else:
            pending += 1  # an all-blank record counts only when a record follows it
        if rng.random() < 0.03:
            lines.append("")  # a blank line inside the table
            pending += 1
            why.append("blank line")
    # one record broken by its quotes (only a single-line record: a broken record costs its first line)
    simple = [k for k in range(len(lines) - n, len(lines)) if lines[k].strip() and not re.search('[\r\n"]', lines[k])]
    if special < 0.06 and simple:
        at = rng.choice(simple)
        lines[at] = '"' + lines[at]  # one unbalanced quote opening the first cell
        why.append("unbalanced quote")
    elif special < 0.09 and simple:
        at = rng.choice(simple)
        lines[at] = '"' + lines[at].replace(d, '"x' + d, 1) if d in lines[at] else lines[at]
        why.append("text after a closing quote")
    elif special < 0.13 and width > 1 and (pairs := _quote_free_pairs(lines, simple, d, width)):
        # one unbalanced quote, closed by the opening quote of a later quoted cell that starts with a line break
        # (or the delimiter), no quote between: read naively, every line between is swallowed into one record with
        # no CSV error. The importer must reject the first line only; the later record is one record on two lines.
        at, later = rng.choice(pairs)
        lines[at] = '"' + lines[at]
        head, sep, rest = lines[later].partition(d)
        lines[later] = '"' + rng.choice([nl, d]) + head + '"' + sep + rest
        why.append("unbalanced quote closed by a later multi-line cell")
    # footers: a total with fewer cells, a signature block, a dated line
    if rng.random() < 0.3:
        lines.append(d.join(["Tổng cộng", str(n)]))
        lines.append("")
        lines.append("Người lập biểu")
        lines.append("Tây Ninh, ngày 01 tháng 10 năm 2026".replace(d, " "))
        rows += 4 + pending
        pending = 0
        why.append("footer")
    text = nl.join(lines)
    if rng.random() < 0.5:
        text += nl + nl * rng.randint(0, 2)  # trailing blank lines are not rows
    # a NUL after 10,000 characters (that record rejected), or inside them (the file refused)
    if rng.random() < 0.03 and n:
        if len(text) > 12000:
            cut = text.index(nl, 10001) if nl in text[10001:] else None
            if cut:
                text = text[:cut] + "\x00" + text[cut:]
                why.append("NUL after 10,000")
                # right after the closing quote that ends a multi-line record, the NUL makes that record invalid CSV
                # (text after a closing quote): by the importer's rule it costs its first line only and parsing
                # resumes on the next one, so each of its other lines is read as a row of its own (rejected too)
                hit = _record_ending_at(lines, nl, cut)
                if hit is not None and hit.endswith('"') and _breaks(hit):
                    rows += _breaks(hit)
                    why.append("NUL after a multi-line record's closing quote")
        else:
            text = text[: len(text) // 2] + "\x00" + text[len(text) // 2 :]
            expect = "refuse"
            why.append("NUL early")
    data = _encode(text, enc)
    corrupt = rng.random()
    if corrupt < 0.02 and enc == "utf-8-sig":
        data = data[:20] + b"\xff" + data[20:]
        expect, rows = "refuse", None
        why.append("BOM + invalid byte")
    elif corrupt < 0.04 and enc.startswith("utf-16"):
        data = data + b"\x00"
        expect, rows = "refuse", None
        why.append("UTF-16 odd bytes")
    if enc == "cp1258" or d == "|" or hostile > 0.2 and d != ",":
        expect = "any" if expect == "load" else expect  # a header the finder may not recognise: refusal allowed
    name = f"f{i:05d}" + rng.choice([".csv", ".csv", ".txt", "*.csv", " [a].csv", ".CSV"])
    return Case(name, data, rows, expect, why)


def xlsx_case(seed: int, i: int) -> Case:
    from openpyxl import Workbook

    rng = random.Random(seed * 1_000_003 + i)
    profile, kind, cols = rng.choice(LAYOUTS)
    hostile = rng.choice([0.0, 0.05, 0.3])
    wb = Workbook()
    why = [profile, "xlsx"]
    if rng.random() < 0.2:
        wb.active.title = "Ghi chú"
        wb.active["A1"] = "Trang không có bảng"
        ws = wb.create_sheet("Dữ liệu")
        why.append("second sheet")
    else:
        ws = wb.active
    titles = rng.choice([0, 1, 3])
    for t in range(titles):
        ws.append([rng.choice(["BÁO CÁO", "Đơn vị: Phường An Hòa", "Từ ngày 01/07/2026 đến ngày 30/09/2026"])])
        if rng.random() < 0.5:
            ws.merge_cells(start_row=t + 1, start_column=1, end_row=t + 1, end_column=max(1, len(cols)))
    ws.append([label for _, label in cols])
    rows = pending = 0
    n = rng.choice([0, 1, 5, 30])
    for r in range(n):
        cells: list = [_value(canon, rng, r, hostile) for canon, _ in cols]
        for j, (canon, _) in enumerate(cols):
            roll = rng.random()
            if canon.endswith("_at") and roll < 0.3:
                cells[j] = dt.datetime(2026, 7, 1 + r % 28, 9, 30)
            elif canon in ("year", "rank", "area", "statutory_days", "value", "score") and roll < 0.2:
                cells[j] = rng.choice([2026, 3.0, -1, 1e30, 1e300, 0.5, True])
            elif roll < 0.02:
                cells[j] = "=1/0"
        ws.append(cells)
        if any(str(c).strip() for c in cells if c is not None):
            rows += 1 + pending
            pending = 0
        else:
            pending += 1
        if rng.random() < 0.05:
            ws.append([])
            pending += 1
            why.append("empty row")
    if rng.random() < 0.3:
        ws.append(["Tổng cộng", n])
        ws.append(["Người lập biểu"])
        rows += 2 + pending
    buf = io.BytesIO()
    wb.save(buf)
    data = _frozen_zip(buf.getvalue())
    expect = "load"
    if rng.random() < 0.05:
        data = data[: len(data) // 2]  # a truncated download
        expect, rows = "refuse", None
        why.append("truncated")
    return Case(f"x{i:05d}" + rng.choice([".xlsx", ".xlsx", ".XLSX", "*.xlsx"]), data, rows, expect, why)


def _frozen_zip(data: bytes) -> bytes:
    """The workbook without the moment it was saved (openpyxl stamps the core properties and every zip entry with
    the clock): the same seed gives the same bytes, also when two calls straddle a second."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-10-01T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 10, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


SPECIALS = ["dir", "fifo", "devzero", "missing", "glob", "empty"]


def special_case(i: int) -> Case:
    kind = SPECIALS[(i // 50) % len(SPECIALS)]
    return Case(
        f"s{i:05d}-{kind}" + ("*.csv" if kind == "glob" else ".csv"),
        b"" if kind == "empty" else None,
        None,
        "refuse",
        [kind],
        special=kind,
    )


def generate(seed: int, i: int) -> Case:
    if i % 50 == 49:
        return special_case(i)
    if i % 7 == 3:
        return xlsx_case(seed, i)
    return csv_case(seed, i)


# ----------------------------------------------------------------------------- oracle
@dataclass
class Outcome:
    case: Case
    code: int
    stdout: str
    stderr: str
    problems: list[str]
    seconds: float


_LINE = re.compile(r"đọc ([\d.]+) dòng, nhận ([\d.]+), loại ([\d.]+)(?:, bỏ qua ([\d.]+))?")


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else ""


def _place(case: Case, folder: Path) -> Path:
    path = folder / case.name
    match case.special:
        case "dir":
            path.mkdir()
        case "fifo":
            os.mkfifo(path)
        case "devzero":
            path.symlink_to("/dev/zero")
        case "missing":
            pass
        case "glob":  # `s…*.csv` names no file, but two files match it as a pattern
            (folder / case.name.replace("*", "a")).write_text("unit_code,unit_name,unit_kind,parent_code,level\n")
            (folder / case.name.replace("*", "b")).write_text("unit_code,unit_name,unit_kind,parent_code,level\n")
        case _:
            path.write_bytes(case.data or b"")
    return path


def run_case(case: Case, base: Path, work: Path) -> Outcome:
    folder = work / "in"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = work / "c.duckdb"
    shutil.copyfile(base, db)
    for stale in work.glob(".c.duckdb.*"):
        stale.unlink(missing_ok=True)
    before = _sha(db)
    path = _place(case, folder)
    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    problems: list[str] = []
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["ingest", str(path), "--db", str(db), "--accept-partial"])
    except BaseException as exc:  # noqa: BLE001 - the oracle: no exception may escape the command
        code = -1
        problems.append(f"traceback: {type(exc).__name__}: {exc}"[:300])
        err.write(traceback.format_exc())
    seconds = time.perf_counter() - t0
    stderr = err.getvalue()
    if code == REFUSED:
        msg = [ln for ln in stderr.splitlines() if not ln.startswith("  cảnh báo:")]
        if len(msg) != 1:
            problems.append(f"refusal in {len(msg)} lines")
        elif case.name not in msg[0]:
            problems.append("refusal does not name the file")
        if _sha(db) != before:
            problems.append("database changed although the file was refused")
        if case.expect == "load":
            problems.append(f"refused, expected to load: {msg[0][:200] if msg else ''}")
    elif code == 0:
        if case.expect == "refuse":
            problems.append("loaded, expected a refusal")
        m = _LINE.search(out.getvalue())
        if not m:
            problems.append("no count line")
        else:
            read, acc, rej, skp = (int((g or "0").replace(".", "")) for g in m.groups())
            if acc + rej + skp != read:
                problems.append(f"accepted {acc} + rejected {rej} + skipped {skp} != read {read}")
            if case.rows is not None and read != case.rows:
                problems.append(f"read {read} rows, the file has {case.rows}")
    elif code != -1:
        problems.append(f"exit code {code}")
    leftovers = [p.name for p in work.glob(".c.duckdb.building-*")]
    if leftovers:
        problems.append(f"half-built database left: {leftovers}")
    return Outcome(case, code, out.getvalue(), stderr, problems, seconds)


def make_base(work: Path) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    (work / "units.csv").write_text(UNITS, encoding="utf-8")
    (work / "procedures.csv").write_text(PROCEDURES, encoding="utf-8")
    base = work / "base.duckdb"
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["ingest", str(work / "units.csv"), str(work / "procedures.csv"), "--db", str(base)])
    assert code == 0 and base.exists()
    return base


def _done(log: Path | None) -> set[int]:
    """Indices a log already holds (a run stopped early is resumed where it stopped)."""
    if not log or not log.exists():
        return set()
    return {json.loads(ln)["i"] for ln in log.read_text(encoding="utf-8").splitlines() if ln.strip()}


def run(
    seed: int, files: int, work: Path, start: int = 0, verbose: bool = False, log: Path | None = None
) -> list[Outcome]:
    base = make_base(work / "base")
    outcomes = []
    done = _done(log)
    for i in range(start, start + files):
        if i in done:
            continue
        o = run_case(generate(seed, i), base, work / "run")
        outcomes.append(o)
        if log:  # one JSON line per file: a run stopped early can still be summarised (--summarize) and resumed
            with log.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"i": i, **_record(o)}, ensure_ascii=False) + "\n")
        if verbose and o.problems:
            print(f"{o.case.name}: {o.problems} {o.case.why}", file=sys.stderr, flush=True)
        if verbose and (i - start + 1) % 250 == 0:
            bad = sum(bool(x.problems) for x in outcomes)
            print(f"… {i - start + 1} files, {bad} with a problem", file=sys.stderr, flush=True)
    return outcomes


def _record(o: Outcome) -> dict:
    c = o.case
    return {
        "name": c.name,
        "code": o.code,
        "rows": c.rows,
        "expect": c.expect,
        "why": c.why,
        "special": c.special,
        "problems": o.problems,
        "seconds": round(o.seconds, 3),
    }


def _from_record(r: dict) -> Outcome:
    case = Case(r["name"], None, r["rows"], r["expect"], r["why"], r["special"])
    return Outcome(case, r["code"], "", "", r["problems"], r["seconds"])


def summary(outcomes: list[Outcome]) -> str:
    codes = Counter(o.code for o in outcomes)
    kinds = Counter("xlsx" if o.case.name.lower().endswith("xlsx") else o.case.special or "csv" for o in outcomes)
    classes = Counter(
        w.split(" ")[0] if w.startswith(("title", "cell")) else w
        for o in outcomes
        for w in o.case.why[1:]
        if not w.startswith(("'", '"', "utf", "cp", "xlsx"))
    )
    bad = [o for o in outcomes if o.problems]
    total = sum(o.seconds for o in outcomes)
    lines = [
        f"files: {len(outcomes)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})",
        f"exit 0: {codes.get(0, 0)}, refused (exit {REFUSED}): {codes.get(REFUSED, 0)}, "
        f"tracebacks: {codes.get(-1, 0)}, other exits: {sum(v for k, v in codes.items() if k not in (0, 2, -1))}",
        f"rows counted independently and checked: {sum(o.code == 0 and o.case.rows is not None for o in outcomes)}",
        f"files with a problem: {len(bad)}",
        f"classes exercised: {', '.join(f'{k} {v}' for k, v in classes.most_common(30))}",
        f"time: {total:.0f} s ({total / max(1, len(outcomes)) * 1000:.0f} ms per file)",
    ]
    for o in bad[:30]:
        lines.append(f"  {o.case.name}: {'; '.join(o.problems)} [{', '.join(o.case.why)}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--work", default=None)
    ap.add_argument("--log", help="append one JSON line per file here")
    ap.add_argument("--summarize", nargs="+", help="only print the summary of these JSON-lines logs")
    ap.add_argument("--jobs", type=int, default=1, help="split the range over this many processes (needs --log)")
    args = ap.parse_args(argv)
    if args.jobs > 1:
        return _parallel(args)
    if args.summarize:
        recs = [json.loads(ln) for f in args.summarize for ln in Path(f).read_text(encoding="utf-8").splitlines() if ln]
        outcomes = [_from_record(r) for r in recs]
        print(summary(outcomes))
        return 1 if any(o.problems for o in outcomes) else 0
    import tempfile

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="cchc-fuzz-"))
    try:
        outcomes = run(args.seed, args.files, work, args.start, verbose=True, log=Path(args.log) if args.log else None)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(summary(outcomes))
    return 1 if any(o.problems for o in outcomes) else 0


def _parallel(args) -> int:
    """`--jobs N --log L`: N processes, each on its share of the range, logging to L.K (resumable: run the same
    command again and each share goes on from where it stopped), then one summary over every share."""
    import subprocess

    if not args.log:
        raise SystemExit("--jobs needs --log (each process appends to LOG.K)")
    share = -(-args.files // args.jobs)
    procs, logs = [], []
    for k in range(args.jobs):
        start = args.start + k * share
        n = min(share, args.start + args.files - start)
        if n <= 0:
            break
        log = Path(f"{args.log}.{k}")
        logs.append(log)
        cmd = [sys.executable, __file__, "--files", str(n), "--start", str(start), "--seed", str(args.seed)]
        procs.append(subprocess.Popen([*cmd, "--log", str(log)]))
    codes = [p.wait() for p in procs]
    main(["--summarize", *map(str, logs)])
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
