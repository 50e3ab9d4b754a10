"""A page's plain markup sent to the browser as one component instead of one Dash component per element.

Dash's renderer costs the browser per component (each is wrapped, tracked in the store and re-checked on every
store change): the units matrix was 606 components, the quarterly form 365, the analysis page 824, most of them
`html.Td`/`html.Span`/`html.A` without an id. `compact(layout)` replaces every largest subtree made only of such
markup — `html.*` components and `dcc.Link`s without an `id`, text and numbers — by one `StaticHtml`, which the
browser draws with React directly (assets/08_static_html.js): the same elements, attributes, text and order, so the
same DOM. A component with an `id` (a callback may read or write it), any other component (charts, dropdowns,
dbc layout) and what it holds stay Dash components; their plain children are compacted in turn.

On the server a `StaticHtml` stands for the component it replaced (its children, its attributes), so code walking
a layout (tests, the warmer) still finds the original components; only the JSON sent to the browser is `tree`:
`[tag, props, child, …]` with a child a string, a number or another such list."""

from __future__ import annotations

from collections.abc import Iterable

from dash.development.base_component import Component

HTML = "dash_html_components"
LINK = ("dash_core_components", "Link")
# Dash props of html components that are not DOM attributes (the html components leave them out too)
NOT_DOM = frozenset({"n_clicks", "n_clicks_timestamp", "disable_n_clicks", "loading_state", "children"})
LINK_PROPS = ("href", "className", "style", "title", "target")
MIN_NODES = 3  # fewer components than this: nothing to gain


class StaticHtml(Component):
    """Plain markup drawn by the browser in one component. On the server it stands for the original component:
    `children` and any other attribute (className, data-*, …) are the original's, so code walking a layout finds
    the same tree; to the browser it sends only `tree`."""

    _namespace = "cchc_static"
    _type = "Html"
    _prop_names = ["tree"]
    _valid_wildcard_attributes: list[str] = []
    available_properties = ["tree"]
    available_wildcard_properties: list[str] = []
    _base_nodes = ["children"]

    def __init__(self, original=None, tree=None, **kwargs):
        super().__init__(tree=tree, **kwargs)
        self._original = original
        self.children = getattr(original, "children", None)

    def __getattr__(self, name):
        if name.startswith("__") or name == "_original":  # pickle's probes, before the state is set
            raise AttributeError(name)
        return getattr(self._original, name)


class _NotStatic(Exception):
    pass


def _children(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _tree(node, count: list[int]):
    """The compact form of plain markup (counting its components); _NotStatic for anything else."""
    if node is None or isinstance(node, bool):
        return None
    if isinstance(node, (str, int, float)):
        return node
    if not isinstance(node, Component) or getattr(node, "id", None) is not None:
        raise _NotStatic
    kind = (node._namespace, node._type)
    if kind == LINK:
        props = {k: getattr(node, k) for k in LINK_PROPS if getattr(node, k, None) is not None}
        props["data-dash-link"] = "1" if not getattr(node, "refresh", False) else "refresh"
        tag = "a"
    elif node._namespace == HTML:
        props = {k: v for k, v in node.to_plotly_json()["props"].items() if k not in NOT_DOM and v is not None}
        if any(isinstance(v, Component) for v in props.values()):
            raise _NotStatic
        tag = node._type.lower()
    else:
        raise _NotStatic
    count[0] += 1
    out = [tag, props]
    for child in _children(getattr(node, "children", None)):
        t = _tree(child, count)
        if t is not None:
            out.append(t)
    return out


def compact(layout, min_nodes: int = MIN_NODES):
    """`layout` with every largest plain-markup subtree of at least `min_nodes` components as one `StaticHtml`
    (in place for the components that stay; returns the new root)."""
    if isinstance(layout, (list, tuple)):
        return type(layout)(compact(c, min_nodes) for c in layout)
    if not isinstance(layout, Component) or isinstance(layout, StaticHtml):
        return layout
    count = [0]
    try:
        tree = _tree(layout, count)
    except _NotStatic:
        tree = None
    if tree is not None and count[0] >= min_nodes:
        return StaticHtml(layout, tree)
    kids = getattr(layout, "children", None)
    if isinstance(kids, (list, tuple, Component)):
        layout.children = compact(kids, min_nodes)
    return layout


def components(layout) -> Iterable[Component]:
    """Every Dash component the browser gets for `layout` (a StaticHtml counts once, its markup not at all)."""
    if isinstance(layout, (list, tuple)):
        for c in layout:
            yield from components(c)
    elif isinstance(layout, Component):
        yield layout
        if not isinstance(layout, StaticHtml):
            for name in getattr(layout, "_base_nodes", ["children"]):
                yield from components(getattr(layout, name, None))
