"""Bad URLs and forged requests never answer 500: every page with hostile parameter values (impossible periods,
year 0, `auto=²`, a repeated unit, unknown choices, control characters, huge strings) answers the page with a
Vietnamese notice; every callback with forged values answers 400 (or its normal answer), over the app's real
request handling (signed-in Flask test client, role by role)."""

from __future__ import annotations

import itertools
import json
from urllib.parse import quote

import pytest

from test_security import form_download, grid_rows, late_download, page, sign_in

from dashboard.ui import ids

PAGES = (*ids.PAGE_PATHS, "/khong-co-trang")
BAD_PERIODS = [
    "2026-02-30..2026-03-01",
    "0000",
    "9999-12",
    "0001-Q1",
    "9999",
    "2026-13",
    "2026-W00",
    "2026-W99",
    "2026-03-01..2026-02-01",
    "２０２６-Q1",
    "2026-Q3\n",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "x" * 5000,
    "1969-12-31..2026-01-01",
]
BAD_OTHER = [
    ("year", "0"),
    ("year", "99999"),
    ("year", "-1"),
    ("year", "²"),
    ("year", "2026.0"),
    ("auto", "²"),
    ("auto", "-5"),
    ("auto", "9" * 40),
    ("auto", "1e3"),
    ("slide", "²"),
    ("slide", "-3"),
    ("slide", "9" * 40),
    ("slides", "²"),
    ("print", "x"),
    ("present", "²"),
    ("desc", "yes"),
    ("by", "xyz"),
    ("view", "xyz"),
    ("level", "province"),
    ("sort", "__class__"),
    ("kpi", "x; DROP"),
    ("unit", "' OR 1=1 --"),
    ("unit", "W03\x00"),
    ("field", "\x00"),
    ("handler", "a" * 300),
    ("event", "<b>x</b>"),
]


def q(**kw) -> str:
    return "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in kw.items())


def assert_page(r, notice: bool | None = None):
    assert r.status_code == 200, r.text[:500]
    text = json.dumps(r.json, ensure_ascii=False)
    assert "Traceback" not in text
    if notice:
        assert "param-notice" in text and "không hợp lệ" in text, text[:800]
    return text


@pytest.mark.parametrize("user", ["noivu", "phuong"])
def test_every_page_answers_hostile_parameters_with_a_notice_never_500(app, user, caplog):
    caplog.set_level("ERROR")
    c = sign_in(app, user)
    answered = 0
    for path in PAGES:
        for period in BAD_PERIODS:
            r = page(c, path, q(period=period))
            text = assert_page(r)
            # a page that reads a period says what was wrong (pages a role cannot open say that instead)
            if path not in ("/du-lieu", "/nhat-ky", "/khong-co-trang") and '"forbidden"' not in text:
                assert "param-notice" in text and "không hợp lệ" in text, (path, period)
            answered += 1
        for key, value in BAD_OTHER:
            assert_page(page(c, path, q(**{key: value})))
            answered += 1
        # the same parameter twice
        text = assert_page(page(c, path, "?unit=W03&unit=W08&period=2026-Q3&period=2026-Q2"))
        if path not in ("/du-lieu", "/nhat-ky", "/khong-co-trang") and '"forbidden"' not in text:
            assert "có 2 giá trị" in text, path
        answered += 1
    assert answered == len(PAGES) * (len(BAD_PERIODS) + len(BAD_OTHER) + 1)
    # the specific messages a reader sees
    t = assert_page(page(c, "/", q(period="2026-02-30..2026-03-01")), notice=True)
    assert "30/02/2026 không tồn tại" in t
    t = assert_page(page(c, "/chi-tieu", q(year="0")), notice=True)
    assert "1970–2100" in t
    t = assert_page(page(c, "/trinh-chieu", q(auto="²")), notice=True)
    assert "«auto»" in t
    t = assert_page(page(c, "/bao-cao-quy", q(by="xyz")), notice=True)
    assert "«by»" in t and "lựa chọn" in t
    # a valid URL has no notice
    assert "param-notice" not in assert_page(page(c, "/", q(period="2026-Q3")))
    # and no page fell back on the last-resort message: every value was handled where it is read
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records][:5]


GRID_REQUESTS = [
    {"startRow": -1, "endRow": 50},
    {"startRow": 10**30, "endRow": 10**30 + 50},
    {"startRow": "abc", "endRow": 50},
    {"startRow": 1.5, "endRow": 50},
    {"startRow": True, "endRow": 50},
    {"startRow": 50, "endRow": 10},
    {"startRow": 0, "endRow": None, "sortModel": "x"},
    {"startRow": 0, "endRow": 50, "sortModel": [1]},
    {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "x"}]},
    {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "handler", "sort": "sideways"}]},
    {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "handler; DROP TABLE dossiers", "sort": "asc"}]},
    {"startRow": 0, "endRow": 50, "sortModel": [{}]},
    "x",
    [1, 2],
    7,
]
BAD_STATES = [
    ["x"],
    "x",
    5,
    {"period": ["2026-Q3"]},
    {"period": {"a": 1}},
    {"unit": ["W03", "W08"]},
    {"view": 3},
    {"period": "2026-Q3\x00"},
    {"period": "9" * 5000},
]


def _post(c, output, outputs, inputs, state=(), changed=None):
    return c.post(
        "/_dash-update-component",
        json={
            "output": output,
            "outputs": outputs,
            "inputs": list(inputs),
            "state": list(state),
            "changedPropIds": changed or [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        },
    )


@pytest.mark.parametrize("user", ["noivu", "chutich"])
def test_every_callback_answers_forged_values_with_400_never_500(app, user, caplog):
    caplog.set_level("ERROR")
    c = sign_in(app, user)
    good = {"period": "2026-Q3", "view": "all"}
    ok = grid_rows(c, good)
    assert ok.status_code == 200 and ok.json["response"]["late-grid"]["getRowsResponse"]["rowCount"] > 0
    for req in GRID_REQUESTS:
        r = c.post(
            "/_dash-update-component",
            json={
                "output": "late-grid.getRowsResponse",
                "outputs": {"id": "late-grid", "property": "getRowsResponse"},
                "inputs": [{"id": "late-grid", "property": "getRowsRequest", "value": req}],
                "changedPropIds": ["late-grid.getRowsRequest"],
                "state": [{"id": "late-query", "property": "data", "value": good}],
            },
        )
        assert r.status_code == 400, (req, r.status_code, r.text[:300])
        assert "không hợp lệ" in r.json["error"]
    for st in BAD_STATES:
        for call in (lambda s: grid_rows(c, s), lambda s: late_download(c, s), lambda s: form_download(c, s)):
            r = call(st)
            assert r.status_code == 400, (st, r.status_code, r.text[:300])
    assert form_download(c, {"period": "2026-Q3", "by": "xyz"}).status_code == 400
    assert form_download(c, {"period": "0001-Q1", "by": "unit"}).status_code == 200  # the default period instead
    # a bar click of the late list is address arithmetic in the browser (07_clientside.js, lateBarClick): no
    # server callback takes clickData any more
    assert not [k for k, v in app.callback_map.items()
                if getattr(v.get("callback"), "__name__", "") == "chart_click"]
    # the shell: navigation and present mode from hostile search strings and paths
    for search, path in itertools.product(
        ["?a=%ZZ&&=&unit=W03&unit=W08", "?present=²", "?" + "x" * 5000, None, 5], ["/", None, 7, "/khong-co"]
    ):
        for out in ("nav.children", "..app-root.className...present-link.href.."):
            outputs = (
                {"id": "nav", "property": "children"}
                if out.startswith("nav")
                else [{"id": "app-root", "property": "className"}, {"id": "present-link", "property": "href"}]
            )
            r = _post(
                c,
                out,
                outputs,
                [
                    {"id": "_pages_location", "property": "pathname", "value": path},
                    {"id": "_pages_location", "property": "search", "value": search},
                ],
            )
            assert r.status_code in (200, 204, 400), (search, path, r.status_code)
    # a filter writing the URL, with values no filter sends
    for value in ([1, 2], {"a": 1}, "x" * 5000, None):
        r = _post(
            c,
            "url.href",
            {"id": "url", "property": "href"},
            [[{"id": {"type": "flt", "key": "period"}, "property": "value", "value": value}]],
            [
                {"id": "_pages_location", "property": "pathname", "value": "/"},
                {"id": "_pages_location", "property": "search", "value": "?period=2026-Q3"},
            ],
            changed=['{"key":"period","type":"flt"}.value'],
        )
        assert r.status_code in (200, 204, 400), (value, r.status_code, r.text[:300])
    # every forged value was refused where it is read, none reached the last-resort handler
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records][:5]
    # bodies that are not Dash callbacks at all
    for body in (
        {},
        [],
        "x",
        {"output": 5, "inputs": []},
        {"output": "late-grid.getRowsResponse", "inputs": "x"},
        {"output": "nope.children", "outputs": {"id": "nope", "property": "children"}, "inputs": [], "state": [1]},
    ):
        r = c.post("/_dash-update-component", json=body)
        assert r.status_code == 400, (body, r.status_code)
    r = c.post("/_dash-update-component", data=b"\xff\xfe not json", content_type="application/json")
    assert r.status_code == 400
