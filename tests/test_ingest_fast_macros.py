"""The import's cell parsers made cheaper for issue 12's 1 M rows ≤ 10 s, each checked against its plain definition:
`_ts` tries the three shapes nearly every export uses by their length alone before the full parser (`_ts_core`) and
must give exactly what the full parser gives, for every text (a value that parses on the fast path can have no
2-digit year and no earlier format that parses it); `_text` and `_bool` trim once and look words up without a join."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import examples

from dashboard import db as dbq

FULL = "CASE WHEN _blank(s) THEN NULL ELSE _ts_core(trim(s)) END"


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.register("_enum_alias", pd.DataFrame({"kind": ["x"], "alias": ["x"], "value": ["x"]}))
    dbq.run_script(c, "ingest_macros")
    # the plain definitions the cheaper ones must agree with
    c.execute("CREATE TEMP MACRO _text_ref(s) AS CASE WHEN _blank(s) THEN NULL ELSE trim(s) END")
    c.execute("""CREATE TEMP MACRO _bool_ref(s) AS CASE WHEN _blank(s) THEN NULL
        WHEN lower(trim(s)) IN ('1', 'true', 't', 'có', 'co', 'c', 'x', 'yes', 'y', 'đúng', 'dung', '1.0') THEN true
        WHEN lower(trim(s)) IN ('0', 'false', 'f', 'không', 'khong', 'k', 'no', 'n', 'sai', '0.0') THEN false END""")
    yield c
    c.close()


def both(con, values: list[str | None]) -> list[tuple]:
    con.register("_v", pd.DataFrame({"s": pd.Series(values, dtype="object")}))
    return con.execute(f"SELECT s, _ts(s), {FULL} FROM _v").fetchall()


EXAMPLES = [
    "02/01/2024 07:00", "2/1/2024 07:00", "02/01/2024 7:00", "02/01/2024 07:00:59", "02/01/2024", "2/1/2024",
    "09/03/26", "09/03/26 08:05", "09/03/26 08:05:00", "9/3/26 8:05 SA", "09/03/2026 08:05 CH", "1/1/11 1:1",
    " 02/01/2024 07:00", "02/01/2024 07:00 ", "02/01/2024\t07:00", "31/02/2024 07:00", "02/01/2024 25:00",
    "2024-01-02 07:00:00", "2024-01-02T07:00", "2024-01-02", "02-01-2024", "02.01.2024", "45000", "45000.5",
    "1/1/202612 1:01", "01/01/0026 07:00", "00/00/0000", "99/99/9999 99:99", "", " ", None, "2024-01-02T07:00:00Z",
    "2024-01-02 07:00:00+07:00", "abcdefghijklmnop", "12/12/2024 12:12:1", "12/12/2024 12:12:12",
]


def test_the_fast_path_gives_what_the_full_parser_gives_on_known_shapes(con):
    rows = both(con, EXAMPLES)
    assert [(s, fast) for s, fast, full in rows if fast != full] == []
    got = {s: fast for s, fast, _ in rows}
    assert str(got["02/01/2024 07:00"]) == "2024-01-02 07:00:00" and str(got["09/03/26 08:05"]) == "2026-03-09 08:05:00"
    assert str(got["02/01/2024 07:00:59"]) == "2024-01-02 07:00:59" and str(got["02/01/2024"]) == "2024-01-02 00:00:00"
    assert got["31/02/2024 07:00"] is None and got[""] is None


PIECES = st.sampled_from(["0", "1", "2", "9", "12", "26", "31", "2024", "2026", "/", "/", ":", " ", "-", "T", "Z", "SA",
                          "CH", ".", "+07:00", "\t"])


DIGITS = st.text("0123456789", min_size=1, max_size=7)
# dd/mm/yyyy[ HH:MM[:SS]] with any number of digits per part (a 2-digit year of the same length included)
SPACE, COLON = st.sampled_from(["", " "]), st.sampled_from(["", ":"])
SHAPED = st.tuples(DIGITS, DIGITS, DIGITS, SPACE, DIGITS, DIGITS, COLON, DIGITS).map(
    lambda p: f"{p[0]}/{p[1]}/{p[2]}" + (f"{p[3]}{p[4]}:{p[5]}" + (f"{p[6]}{p[7]}" if p[6] else "") if p[3] else "")
)


@settings(max_examples=examples(60, 2000), deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.lists(PIECES, min_size=1, max_size=12).map("".join), SHAPED), min_size=1, max_size=40))
def test_the_fast_path_gives_what_the_full_parser_gives_on_any_text(con, values):
    rows = both(con, values)
    assert [(s, fast, full) for s, fast, full in rows if fast != full] == []


WORDS = st.sampled_from(
    ["", " ", "  ", "\t", "1", "0", "x", "X", "Có", "có", "KHÔNG", "không", "khong", "Đúng", "sai", "yes", "No", "1.0",
     "0.0", "2", "c", "k", "true", "FALSE", "abc", "\u00a0"]
)
CELLS = st.one_of(st.none(), st.lists(WORDS, min_size=1, max_size=3).map("".join), st.text(max_size=6))


@settings(max_examples=examples(50, 1000), deadline=None, derandomize=True)
@given(st.lists(CELLS, max_size=30))
def test_text_and_bool_give_what_their_plain_definitions_give(con, values):
    con.register("_v", pd.DataFrame({"s": pd.Series(values, dtype="object")}))
    rows = con.execute("SELECT s, _text(s), _text_ref(s), _bool(s), _bool_ref(s) FROM _v").fetchall()
    assert [r for r in rows if r[1] != r[2] or r[3] != r[4]] == []
    got = con.execute("SELECT _bool(' Có '), _bool('KHÔNG'), _bool(''), _text('  a b '), _text(' ')").fetchall()
    assert got == [(True, False, None, "a b", None)]
