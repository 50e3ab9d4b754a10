"""dashboard.ui.static: a page's plain markup sent as one component draws the same elements, attributes and text
(checked here by rendering both forms to HTML the same way; in Chromium by tests/browser/test_nav_work.py)."""

from __future__ import annotations

import html as h
import pickle

from dash import dcc, html
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ui.static import NOT_DOM, StaticHtml, compact, components


def _attrs(props: dict) -> str:
    return "".join(f' {k}="{h.escape(str(v))}"' for k, v in sorted(props.items()))


def render_dash(node) -> str:
    """HTML of a Dash layout as the browser's html components and dcc.Link draw it (StaticHtml by its tree)."""
    if node is None:
        return ""
    if isinstance(node, (list, tuple)):
        return "".join(render_dash(c) for c in node)
    if isinstance(node, (str, int, float)):
        return h.escape(str(node))
    if isinstance(node, StaticHtml):
        return render_tree(node.tree)
    props = {k: v for k, v in node.to_plotly_json()["props"].items() if k not in NOT_DOM and v is not None}
    tag = node._type.lower()
    if (node._namespace, node._type) == ("dash_core_components", "Link"):
        tag, props = "a", {k: v for k, v in props.items() if k in ("href", "className", "style", "title", "target",
                                                                     "id")}
    return f"<{tag}{_attrs(props)}>{render_dash(getattr(node, 'children', None))}</{tag}>"


def render_tree(node) -> str:
    if isinstance(node, (str, int, float)):
        return h.escape(str(node))
    tag, props, *children = node
    props = {k: v for k, v in props.items() if k != "data-dash-link"}
    return f"<{tag}{_attrs(props)}>{''.join(render_tree(c) for c in children)}</{tag}>"


def _table(rows: int) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th("Đơn vị", scope="col"), html.Th("Trễ", scope="col", className="num")])),
            html.Tbody([
                html.Tr([html.Th(f"Phường {i}", scope="row"),
                         html.Td(dcc.Link(str(i * 3), href=f"/ho-so-tre-han?unit=W{i:02d}"), className="num",
                                 **{"data-status": "missed", "aria-label": f"{i * 3} hồ sơ"})])
                for i in range(rows)
            ]),
        ],
        id="form-table",
        className="table",
    )


def test_a_table_becomes_two_components_with_the_same_html():
    page = html.Div([html.H1("Biểu", className="page-title"), _table(20)], className="page")
    before = render_dash(page)
    n_before = len(list(components(page)))
    out = compact(page)
    assert render_dash(out) == before
    # the table keeps its id (a Dash component); its head and body (with their 20 rows, 40 cells, 20 links) are
    # one component each; the title is too small to gain anything and stays
    kinds = [type(c).__name__ for c in components(out)]
    assert kinds == ["Div", "H1", "Table", "StaticHtml", "StaticHtml"], kinds
    assert n_before == 1 + 1 + 1 + (1 + 1 + 2) + (1 + 20 * 4)
    # the server still walks the original components (tests, the warmer); the browser gets the tree only
    body = out.children[1].children[1]
    assert [tr.children[0].children for tr in body.children][:2] == ["Phường 0", "Phường 1"]
    assert pickle.loads(pickle.dumps(out)).children[1].children[1].tree == body.tree
    sent = out.children[1].children[1].to_plotly_json()
    assert set(sent["props"]) == {"tree"} and sent["namespace"] == "cchc_static"
    link = sent["props"]["tree"][2][3][2]
    assert link == ["a", {"href": "/ho-so-tre-han?unit=W00", "data-dash-link": "1"}, "0"]


def test_components_with_an_id_or_not_html_stay_and_compact_is_idempotent():
    graph = dcc.Graph(id="g", figure={})
    page = html.Div([html.Div([html.Span("a"), html.Span("b"), html.Span("c")], id="keep"), graph,
                     html.Ul([html.Li("x"), html.Li(html.B("y"))])])
    out = compact(page)
    assert out is page and out.children[0].id == "keep" and out.children[1] is graph
    assert isinstance(out.children[0].children, StaticHtml) is False  # a list of 3 single spans: none worth it
    assert isinstance(out.children[2], StaticHtml)
    again = render_dash(compact(out))
    assert again == render_dash(out)
    refresh = compact(dcc.Link("x", href="/a", refresh=True), min_nodes=1)
    assert refresh.tree == ["a", {"href": "/a", "data-dash-link": "refresh"}, "x"]
    assert compact("text") == "text" and compact(None) is None


TEXT = st.text(alphabet="aăâbcđ <>&\"'1", max_size=6)
ATTRS = st.fixed_dictionaries({}, optional={"className": TEXT, "title": TEXT, "data-x": TEXT, "aria-label": TEXT})
TAGS = [html.Div, html.Span, html.Td, html.Tr, html.P, html.Strong]


def _node(children):
    return st.builds(lambda tag, attrs, kids, with_id: tag(kids, **attrs, **({"id": "i"} if with_id else {})),
                     st.sampled_from(TAGS), ATTRS, children, st.booleans())


TREES = st.recursive(st.one_of(TEXT, st.integers(0, 999)), lambda kids: _node(st.lists(kids, max_size=4)),
                     max_leaves=30)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(TREES)
def test_any_tree_draws_the_same_html_and_no_component_is_lost(tree):
    before = render_dash(tree)
    ids_before = [c.id for c in components(tree) if getattr(c, "id", None)]
    out = compact(tree)
    assert render_dash(out) == before
    # every component with an id is still one the browser gets
    assert [c.id for c in components(out) if getattr(c, "id", None)] == ids_before


def test_reserved_margins_hold_the_labels_and_the_axis():
    """A horizontal bar chart gets its left margin from its labels' widths in the shipped font and its bottom from
    the x axis (ticks and title lines); other charts are left as they are."""
    from dashboard.ui import figures

    fig = figures.count_bars(["Tư pháp", "Đất đai và môi trường"], [7, 3], "Theo lĩnh vực")
    out = figures.reserve_margins(fig)
    glyphs = figures._glyphs()
    widest = 15 * sum(glyphs[c] for c in "Đất đai và môi trường")
    assert out["layout"]["margin"]["l"] == round(widest + 12 + 3 + 3)
    assert out["layout"]["margin"]["b"] == round(12 + 1.2 * 15 + 1.2 * 15 + 3)  # ticks and "Số hồ sơ"
    assert out["layout"]["margin"]["r"] == 60  # what the chart set stays
    # two-line labels: the longer line counts; a chart with another kind of trace is untouched
    wrapped = figures.reserve_margins({"data": [{"type": "bar", "orientation": "h", "y": ["ab<br>abcd", "a"]}],
                                       "layout": {"font": {"size": 10}}})
    assert wrapped["layout"]["margin"]["l"] == round(10 * sum(glyphs[c] for c in "abcd") + 18)
    line = {"data": [{"type": "scatter", "y": [1, 2]}], "layout": {}}
    assert figures.reserve_margins(line) is line  # ticks not known here: as it is
    # a rate line: its widest tick ("100,0%") and the x title; a horizontal legend of two series gets its row
    rate = {"data": [{"type": "scatter", "name": "Năm 2025"}, {"type": "scatter", "name": "Năm 2026"}],
            "layout": {"yaxis": {"tickformat": ".1%", "dtick": 0.005, "tick0": 0, "range": [0.97, 1.0]},
                       "xaxis": {"title": {"text": "Tuần trong năm"}}}}
    m = figures.reserve_margins(rate)["layout"]["margin"]
    assert m["l"] == round(15 * sum(glyphs[c] for c in "100,0%") + 18)
    assert m["b"] == round(12 + 18 + 18 + 3) and m["t"] == round(32 / 14 * 14 + 5 + 15)
    assert figures._y_tick_labels({"range": [4.3, 0.5], "dtick": 1}) == ["1", "2", "3", "4"]
    assert figures.text_width("<b>ab</b>", 20) == 20 * (glyphs["a"] + glyphs["b"])
