/* cchc_static.Html (dashboard/ui/static.py): a page's plain markup as one Dash component. Its `tree` is
   [tag, props, child, …] (a child: text, a number or another such list), drawn with React as the html components
   would draw it: the same elements, attributes and text, without one Dash component per element.
   A link that was a dcc.Link (data-dash-link) navigates as dcc.Link does: in the page (history.pushState and
   Dash's router), or by loading the address when it asked for a refresh; a modified click opens as usual. */
(function () {
  function cleanUrl(href) {
    var clean = window.dash_clientside && window.dash_clientside.clean_url;
    return clean ? clean(href) : href;
  }
  // the attributes Dash's html components pass through clean_url (a javascript: or vbscript: address becomes
  // about:blank): the same protection for the markup drawn here
  var URL_PROPS = ["href", "src", "action", "formAction", "data"];
  function build(React, node) {
    if (!Array.isArray(node)) return node;
    var props = node[1] || {};
    for (var k = 0; k < URL_PROPS.length; k++) {
      var name = URL_PROPS[k];
      if (typeof props[name] === "string") {
        var clean = cleanUrl(props[name]);
        if (clean !== props[name]) props = Object.assign({}, props, { [name]: clean });
      }
    }
    var args = [node[0], props];
    for (var i = 2; i < node.length; i++) args.push(build(React, node[i]));
    return React.createElement.apply(React, args);
  }
  function Html(props) {
    var React = window.React;
    return React.useMemo(function () { return build(React, props.tree); }, [props.tree]);
  }
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.metaKey || e.shiftKey || e.altKey || e.ctrlKey) return;
    var a = e.target && e.target.closest ? e.target.closest("a[data-dash-link]") : null;
    if (!a) return;
    var target = a.getAttribute("target");
    if (target && target !== "_self") return;
    e.preventDefault();
    var href = a.getAttribute("href");
    if (a.getAttribute("data-dash-link") === "refresh") { window.location = href; return; }
    window.history.pushState({}, "", href);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  });
  window.cchc_static = { Html: Html, build: build };
})();
