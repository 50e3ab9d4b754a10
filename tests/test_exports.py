"""Every CSV and XLSX export is injection-safe for every cell: the page's form CSV and Excel (the subtitle built from
the city's name), the late-dossier Excel, and the CLI's CSVs (`report quarterly`, `lateness --dossiers`, `kpi`,
`at-risk`, `rejects`). The demo city is poisoned with hostile text (formula starts, bare CR/LF, tabs, full-width
signs, control characters) in every text column an export carries; each written file is then read back with
Python's csv module / openpyxl and every single cell is checked."""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil

import duckdb
import openpyxl
import pytest

from conftest import cchc, live_server
from dashboard.exports import csv_text, safe_cell

WARD = "W08"
DANGER = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    'ok\r=HYPERLINK("x")',
    "ok\n@x",
    "＝1+1",
    "c\x07d\x00e",
    'quote " inside, comma; semi',
    "ok\r\n-1",
]
CITY = "=cmd|'/C calc'!A0\r@x"
UNIT_NAME = '=HYPERLINK("http://x","W")\rPhường độc'
FIELD = "-Chứng\rthực"


@pytest.fixture(scope="module")
def poisoned(demo_db, tmp_path_factory):
    from dashboard.auth import UserStore, ensure_demo_users, users_path

    db = tmp_path_factory.mktemp("poison") / "demo.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    ids = [
        r[0]
        for r in con.execute(
            "SELECT dossier_id FROM dossiers WHERE unit_code = ? AND received_at >= '2026-06-01' ORDER BY dossier_id",
            [WARD],
        ).fetchall()
    ]
    for i, d in enumerate(ids):
        h = HOSTILE[i % len(HOSTILE)]
        con.execute(
            "UPDATE dossiers SET handler = ?, late_reason = CASE WHEN late_reason IS NULL THEN NULL ELSE ? END, "
            "procedure_name = ?, applicant_name = ? WHERE dossier_id = ?",
            [h, h, h, h, d],
        )
    for d, h in zip(ids[:3], ("=1+2", "@id", "+id")):
        con.execute("UPDATE dossiers SET dossier_id = ? || dossier_id WHERE dossier_id = ?", [h, d])
    con.execute("UPDATE units SET unit_name = ? WHERE unit_code = ?", [UNIT_NAME, WARD])
    con.execute("UPDATE dossiers SET field = ? WHERE field = 'Chứng thực'", [FIELD])
    con.execute("UPDATE daily SET field = ? WHERE field = 'Chứng thực'", [FIELD])
    con.execute("UPDATE settings SET value = ? WHERE key = 'city_name'", [CITY])
    con.execute(
        "INSERT INTO rejects VALUES (1, ?, 7, 'dossiers', ?, 'handler', ?, ?, ?, NULL)",
        ["=evil.csv", "@key", "\r-Cán bộ", "=lý do\rx", json.dumps({"a": "=1", "b": "\r@x"})],
    )
    con.close()
    ensure_demo_users(UserStore(users_path(db)), WARD, "Xã Bình Minh")
    return db


def check_csv(text: str, min_rows: int) -> list[list[str]]:
    """Parse as a spreadsheet-minded reader would: every row as wide as the header, no cell a formula."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) >= min_rows
    assert all(len(r) == len(rows[0]) for r in rows), {len(r) for r in rows}
    for r in rows:
        for cell in r:
            assert not cell.startswith(DANGER), cell
    # no bare CR or LF outside a quoted cell: split on the row terminator only, rebuild the rows
    assert text.endswith("\r\n")
    return rows


def check_xlsx(data: bytes) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert cells
    for c in cells:
        assert c.data_type != "f", (c.coordinate, c.value)
        if isinstance(c.value, str):
            assert not c.value.startswith(DANGER), (c.coordinate, c.value)
    return [r for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]


def test_safe_cell_and_csv_text_units():
    for h in HOSTILE:
        out = safe_cell(h)
        assert not out.startswith(DANGER) and "\x00" not in out and "\x07" not in out
    assert safe_cell("Hộ tịch") == "Hộ tịch" and safe_cell(12) == 12 and safe_cell(None) is None
    assert safe_cell("-5") == "'-5"  # text that merely looks like a number is still text
    text = csv_text(["a", "b"], [[h, 1] for h in HOSTILE])
    rows = check_csv(text, len(HOSTILE) + 1)
    assert [r[0] for r in rows[1:]] == [safe_cell(h) for h in HOSTILE]  # exact round trip, CR and LF kept in the cell
    # the old bug: a bare CR written unquoted; now every cell holding CR/LF is quoted
    assert '"\'\r=1+1"' in text and '"ok\r=HYPERLINK(""x"")"' in text


def test_cli_csv_exports(poisoned):
    db = poisoned
    form = check_csv(cchc("report", "quarterly", "--period", "2026-Q3", "--format", "csv", db=db).stdout.decode(), 3)
    assert [safe_cell(UNIT_NAME)] == [r[2] for r in form if r[1] == WARD]
    by_field = check_csv(
        cchc("report", "quarterly", "--period", "2026-Q3", "--by", "field", "--format", "csv", db=db).stdout.decode(), 3
    )
    assert safe_cell(FIELD) in {r[1] for r in by_field}
    as_json = json.loads(cchc("lateness", "--period", "2026-Q3", "--unit", WARD, "--dossiers", db=db).stdout)
    rows = check_csv(
        cchc("lateness", "--period", "2026-Q3", "--unit", WARD, "--dossiers", "--format", "csv", db=db).stdout.decode(),
        2,
    )
    assert len(rows) == len(as_json) + 1 and len(as_json) > 0
    reasons = {r["late_reason"] for r in as_json if r["late_reason"]}
    assert reasons & set(HOSTILE)
    col = rows[0].index("late_reason")
    assert {r[col] for r in rows[1:] if r[col]} == {safe_cell(x) for x in reasons}
    at_risk = json.loads(cchc("at-risk", "--as-of", "2026-11-20T08:00", "--days", "30", "--unit", WARD, db=db).stdout)
    rows = check_csv(
        cchc(
            "at-risk", "--as-of", "2026-11-20T08:00", "--days", "30", "--unit", WARD, "--format", "csv", db=db
        ).stdout.decode(),
        1,
    )
    assert len(rows) == len(at_risk) + 1
    check_csv(cchc("kpi", "--period", "2026-Q3", "--by", "unit", "--format", "csv", db=db).stdout.decode(), 2)
    rej = check_csv(cchc("rejects", "--format", "csv", "--all", db=db).stdout.decode(), 2)
    assert any(r[rej[0].index("file_name")] == "'=evil.csv" for r in rej[1:])


def test_cli_xlsx_form_with_a_hostile_city_name(poisoned, tmp_path):
    out = tmp_path / "f.xlsx"
    cchc("report", "quarterly", "--period", "2026-Q3", "--format", "xlsx", "--out", str(out), db=poisoned)
    rows = check_xlsx(out.read_bytes())
    # the city's name is the reporting unit (top right) and in the title, always inside text, never a formula
    assert any(isinstance(c, str) and c.startswith("Đơn vị báo cáo: =cmd") for r in rows for c in r)
    # (XML turns a CR into LF when the file is read back)
    assert any(len(r) > 1 and r[1] == safe_cell(UNIT_NAME).replace("\r", "\n") for r in rows)


def _callback(s, base, body) -> dict:
    r = s.post(base + "/_dash-update-component", json=body, timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.json()["response"]


def _form(s, base, button: str, query: dict) -> dict:
    return _callback(
        s,
        base,
        {
            "output": "form-download.data",
            "outputs": {"id": "form-download", "property": "data"},
            "inputs": [
                {"id": "form-xlsx-btn", "property": "n_clicks", "value": 1 if button == "xlsx" else None},
                {"id": "form-csv-btn", "property": "n_clicks", "value": 1 if button == "csv" else None},
            ],
            "changedPropIds": [f"form-{button}-btn.n_clicks"],
            "state": [{"id": "form-query", "property": "data", "value": query}],
        },
    )["form-download"]["data"]


def test_web_downloads_over_http(poisoned):
    """The page's CSV and Excel downloads and the late-dossier Excel, from the real server."""
    import re

    import requests

    with live_server(poisoned) as base:
        s = requests.Session()
        tok = re.search(r'name="csrf" value="([^"]+)"', s.get(base + "/dang-nhap").text)[1]
        s.post(base + "/dang-nhap", data={"csrf": tok, "username": "noivu", "password": "demo-noivu", "next": "/"})
        for by in ("unit", "field"):
            check_csv(_form(s, base, "csv", {"period": "2026-Q3", "by": by, "unit": None})["content"], 3)
            rows = check_xlsx(
                base64.b64decode(_form(s, base, "xlsx", {"period": "2026-Q3", "by": by, "unit": None})["content"])
            )
            assert any(isinstance(c, str) and c.startswith("Đơn vị báo cáo: =cmd") for r in rows for c in r)
        d = _callback(
            s,
            base,
            {
                "output": "late-download.data",
                "outputs": {"id": "late-download", "property": "data"},
                "inputs": [{"id": "late-download-btn", "property": "n_clicks", "value": 1}],
                "changedPropIds": ["late-download-btn.n_clicks"],
                "state": [
                    {
                        "id": "late-query",
                        "property": "data",
                        "value": {"period": "2026-Q3", "view": "all", "unit": WARD},
                    }
                ],
            },
        )
        rows = check_xlsx(base64.b64decode(d["late-download"]["data"]["content"]))
    header_i = next(i for i, row in enumerate(rows) if row and row[0] == "Mã hồ sơ")
    handlers = {row[rows[header_i].index("Cán bộ xử lý")] for row in rows[header_i + 1 :]}
    assert handlers & {safe_cell(h).replace("\r\n", "\n").replace("\r", "\n") for h in HOSTILE}


def test_the_illegal_characters_are_openpyxls():
    """exports spells openpyxl's ILLEGAL_CHARACTERS_RE (so CSV answers need not import openpyxl): the same."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from dashboard.exports import ILLEGAL_CHARACTERS

    assert ILLEGAL_CHARACTERS.pattern == ILLEGAL_CHARACTERS_RE.pattern
    every = "".join(map(chr, range(0x20000)))
    assert ILLEGAL_CHARACTERS.findall(every) == ILLEGAL_CHARACTERS_RE.findall(every)
