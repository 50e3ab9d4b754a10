"""The CSV reader's two ways (issue 12's speed with issue 15's line numbers): lines that are one plain record each
go to DuckDB as they are, every other record through the csv module. Both must give the same records on the same
lines, the same structure rejects and blank lines, as reading every line through the csv module; and an unbalanced
quote closed by a later quoted multi-line cell is a reject at its own line, never a silent merge of lines."""

from __future__ import annotations

import csv

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import HEADERS_VI, UNITS_CSV
from harness import examples, published

from dashboard.ingest.load import ingest
from dashboard.ingest.read import open_source

HEAD = "unit_code,unit_name,unit_kind,parent_code,level"


def records(src) -> dict[int, list[str]]:
    """line -> cells of every record the source hands to DuckDB (clean copy and plain lines), read here with the
    csv module, independently of DuckDB."""
    out: dict[int, list[str]] = {}
    with open(src.csv_path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            out[int(row[-1])] = row[:-1]
    if src.plain_path:
        with open(src.plain_path, encoding="utf-8", newline="") as fh:
            plain = list(csv.reader(fh, delimiter=src.plain_delimiter, strict=True))
        assert len(plain) == len(src.plain_lines)
        for line, row in zip(src.plain_lines.tolist(), plain):
            assert line not in out
            out[line] = row
    return out


def both(path, tmp_path):
    fast = open_source(path, tmp_path / "fast")
    slow = open_source(path, tmp_path / "slow", plain_ok=False)
    return fast, slow


def same(fast, slow) -> None:
    assert records(fast) == records(slow)
    assert fast.structure == slow.structure
    assert fast.oversize == slow.oversize
    assert fast.blank_lines == slow.blank_lines
    assert sorted(fast.short) == sorted(slow.short)
    assert slow.plain_path is None


def q(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _dirs(tmp_path):
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()


def test_a_plain_file_goes_to_duckdb_whole_and_lines_are_right(tmp_path):
    p = tmp_path / "units.csv"
    rows = [
        f'A{i},"Phường {i}, quận Một",phuong,,ward' if i % 3 else f"A{i},Phường {i},phuong,,ward" for i in range(1, 301)
    ]
    rows[149] = "A150,,phuong,,moon"  # bad level and no name: a reject on line 152 (title 1, header 2)
    p.write_text("DANH SÁCH ĐƠN VỊ\n" + HEAD + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    fast, slow = both(p, tmp_path)
    same(fast, slow)
    assert len(fast.plain_lines) == 300 and fast.records == 0  # no line needed the csv module
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected) == (300, 299, 1)
    assert q(tmp_path / "c.duckdb", "SELECT DISTINCT line FROM rejects") == [(152,)]
    assert q(tmp_path / "c.duckdb", "SELECT unit_name FROM units WHERE unit_code = 'A2'") == [("Phường 2, quận Một",)]


MIXED = [
    "A{i},Phường {i},phuong,,ward",  # plain
    'A{i},"Phường {i}, ""Một""",phuong,,ward',  # an escaped quote: the csv module
    'A{i},"Phường\n{i}",phuong,,ward',  # a multi-line cell
    "A{i},Phường {i},phuong,,ward,,",  # blank extra cells
    "A{i},Phường {i},phuong,,ward,x",  # an extra cell with text: rejected
    "A{i},Phường {i}",  # short: rejected
    "",  # blank
    " , ,,,",  # blank cells
    '"A{i},Phường {i},phuong,,ward',  # an unbalanced quote
    'A{i},"Phường" {i},phuong,,ward',  # text after a closing quote
    "A{i},Phường\x85{i}\u2028,phuong,,ward",  # line separators that are characters
    "A{i},Phường {i},phuong,,moon",  # plain, rejected by validation
    'A{i},"\nPhường {i}",phuong,,ward',  # a multi-line cell starting with a line break
    "A{i},Phường\x00{i},phuong,,ward",  # a NUL past the first 10,000 characters is its record's reject
]


@settings(max_examples=examples(40, 400), deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    shapes=st.lists(st.sampled_from(range(len(MIXED))), min_size=1, max_size=25),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_duckdb_and_the_csv_module_split_a_file_as_the_csv_module_alone_would(
    tmp_path_factory, shapes, ending, delimiter
):
    tmp = tmp_path_factory.mktemp("mix")
    (tmp / "fast").mkdir()
    (tmp / "slow").mkdir()
    body = [MIXED[s].format(i=i) for i, s in enumerate(shapes)]
    pad = "x" * 10_050  # keeps a NUL past the first 10,000 characters
    text = ending.join([f"BÁO CÁO {pad}", HEAD, *body]) + ending
    if delimiter != ",":
        text = text.replace(",", delimiter)
    p = tmp / "units.csv"
    p.write_bytes(text.encode("utf-8"))
    fast, slow = both(p, tmp)
    same(fast, slow)


def test_a_mixed_file_loads_every_line_with_its_number(tmp_path):
    p = tmp_path / "units.csv"
    body = [MIXED[s].format(i=i) for i, s in enumerate([0, 2, 0, 8, 0, 12, 0, 1, 4, 0, 5, 6, 0, 11, 0])]
    p.write_text("\n".join([HEAD, *body]) + "\n", encoding="utf-8")
    # lines: header 1; A0 2; A1 3-4; A2 5; A3 (unbalanced) 6; A4 7; A5 8-9; A6 10; A7 11; A8 12; A9 13; A10 14;
    # blank 15; A12 16; A13 17 (moon); A14 18
    r = ingest([p], tmp_path / "c.duckdb")[0]
    # read: A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A12 A13 A14 + the blank line = 15
    assert (r.rows_read, r.accepted, r.rejected, r.skipped) == (15, 10, 4, 1)
    got = q(tmp_path / "c.duckdb", "SELECT line FROM rejects ORDER BY line")
    assert [x[0] for x in got] == [6, 12, 14, 17]
    assert q(tmp_path / "c.duckdb", "SELECT line FROM skipped") == [(15,)]
    units = q(tmp_path / "c.duckdb", "SELECT unit_code, unit_name FROM units ORDER BY unit_code")
    assert ("A1", "Phường\n1") in units and ("A5", "\nPhường 5") in units and ("A7", 'Phường 7, "Một"') in units


# ----------------------------------------------------------------------------- issue 15: the silent merge
def test_an_unbalanced_quote_closed_by_a_later_multiline_cell_is_a_reject_not_a_merge(tmp_path):
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    db = published([tmp_path / "units.csv"], tmp_path / "c.duckdb")
    row = "H{n},X01,1.001612,Khai sinh,Hộ tịch,truc_tuyen,01/07/2021 08:00,06/07/2021 17:00,,dang_xu_ly,,,"
    lines = [
        ",".join(HEADERS_VI),  # 1
        row.format(n=1),  # 2
        '"' + row.format(n=2),  # 3: one unbalanced quote opening the first cell
        row.format(n=3),  # 4
        row.format(n=4),  # 5
        row.format(n=5).replace("Khai sinh", '"\nKhai sinh"'),  # 6-7: a quoted cell starting with a line break
        row.format(n=6),  # 8
    ]
    p = tmp_path / "hoso.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = ingest([p], db)[0]
    # the csv module alone would read lines 3-6 as ONE record whose first cell holds three lines: it must not
    assert (r.rows_read, r.accepted, r.rejected, r.skipped) == (6, 5, 1, 0)
    [(line, column, header, reason)] = q(
        db, "SELECT line, column_name, header, reason FROM rejects WHERE file_name = 'hoso.csv'"
    )
    assert line == 3 and column == "dossier_id" and header == "Mã hồ sơ" and "nháy kép không đóng" in reason
    ids = [x[0] for x in q(db, "SELECT dossier_id FROM dossiers ORDER BY 1")]
    assert ids == ["H1", "H3", "H4", "H5", "H6"]
    assert q(db, "SELECT procedure_name FROM dossiers WHERE dossier_id = 'H5'") == [("\nKhai sinh",)]


def test_a_multiline_cell_that_is_data_still_loads(tmp_path):
    """A real multi-line cell (an address, a note) holds line breaks but not whole records: it stays one record."""
    p = tmp_path / "units.csv"
    p.write_text(f'{HEAD}\nA1,"Phường Một,\nkhu phố 2",phuong,,ward\nA2,Phường Hai,phuong,,ward\n', encoding="utf-8")
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected) == (2, 2, 0)


# ----------------------------------------------------------------------------- issue 15: the long run's 3 mismatches
def test_a_multiline_cell_whose_first_line_holds_the_delimiter_is_one_record_in_a_two_column_file(tmp_path):
    """f00594 of the 5,000-file run: in a two-column file one delimiter is a whole record's, so `"1.245,5\\nline
    two"` was taken for an unbalanced quote and split in two rows (read 130, the file has 129)."""
    p = tmp_path / "holidays.csv"
    p.write_text('Ngày,Tên ngày lễ\n01/05/2026,Lễ\n11/04/2026,"1.245,5\nline two"\n02/09/2026,Quốc khánh\n', "utf-8")
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected, r.skipped) == (3, 3, 0, 0)
    assert ("1.245,5\nline two",) in q(tmp_path / "c.duckdb", "SELECT name FROM holidays")


def test_a_multiline_record_with_extra_cells_is_one_reject(tmp_path):
    """f02490: a quoted cell starting with a line break in a record that also has extra cells was taken for a
    merge: its first line rejected, its second read again as another record (read 44, the file has 43)."""
    p = tmp_path / "units.csv"
    p.write_text(f'{HEAD}\nA1,Một,phuong,,ward\n"\nA2",Hai,phuong,,ward,extra,cells\nA3,Ba,phuong,,ward\n', "utf-8")
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected, r.skipped) == (3, 2, 1, 0)
    [(line, reason)] = q(tmp_path / "c.duckdb", "SELECT line, reason FROM rejects")
    assert line == 3 and "thừa cột" in reason


def test_a_nul_after_a_multiline_records_closing_quote_costs_its_first_line_and_counts_each_line_once(tmp_path):
    """f00693: `…,"id\\nline two"` + NUL is not valid CSV (text after a closing quote), so by the rule it costs its
    first line and the next line is read as a record of its own (the generator's count was one short); that line,
    short and holding the NUL, was counted twice: as a NUL reject and as a short record (read 12, the file has 11)."""
    p = tmp_path / "units.csv"
    first = "".join(f"B{i},Phường {i},phuong,,ward\n" for i in range(600))  # the NUL after 10,000 characters
    p.write_text(f'{HEAD}\n{first}A2,Hai,phuong,,"ward\nline two"\x00\nA3,Ba,phuong,,ward\n', "utf-8")
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected, r.skipped) == (603, 601, 2, 0)
    got = q(tmp_path / "c.duckdb", "SELECT line, reason FROM rejects ORDER BY line")
    assert [x[0] for x in got] == [602, 603] and "NUL" in got[1][1]


def test_a_large_plain_file_needs_no_csv_module(tmp_path):
    """200,000 plain lines (quoted cells with a delimiter, quoted empty cells): all of them go to DuckDB as they are,
    the csv module's clean copy is empty."""
    p = tmp_path / "units.csv"
    with p.open("w", encoding="utf-8") as fh:
        fh.write(HEAD + "\n")
        for i in range(200_000):
            fh.write(f'A{i},"Phường {i}, Một",phuong,"",ward\n')
    src = open_source(p, tmp_path / "fast")
    assert len(src.plain_lines) == 200_000 and src.records == 0
    assert src.plain_lines[0] == 2 and src.plain_lines[-1] == 200_001
