/* The shell's callbacks that only rewrite the address or a class, run in the browser (app.py registers them as
   clientside callbacks): no round trip to the server on any navigation for them. */
(function () {
/* The URL's query with the filters' values set (an empty value removes its parameter). */
function withFilters(search, specs, values) {
  var q = new URLSearchParams(typeof search === "string" ? search : "");
  (specs || []).forEach(function (spec, i) {
    var key = spec && spec.id && spec.id.key, v = values[i];
    if (typeof key !== "string") return;
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) q.delete(key);
    else q.set(key, String(v));
  });
  return q;
}
/* The part of an address's query that follows the reader from page to page: the filters of config.NAV_KEEP,
   which the server writes on the app's root (data-nav-keep), as "?period=…&unit=…" or "". */
function keptQuery(search) {
  var root = document.getElementById("app-root");
  var keys = ((root && root.getAttribute("data-nav-keep")) || "period,unit").split(",");
  var q = new URLSearchParams(typeof search === "string" ? search : ""), keep = new URLSearchParams();
  keys.forEach(function (k) { var v = q.get(k); if (v) keep.set(k, v); });
  return keep.toString() ? "?" + keep.toString() : "";
}
/* Whether the filter of `propId` holds the value its page was drawn with (its label's data-drawn). */
function sameAsDrawn(propId, specs, values) {
  var id = {};
  try { id = JSON.parse(propId.split(".value")[0]); } catch (e) { return false; }
  var label = typeof id.key === "string" && document.querySelector('label[data-flt="' + CSS.escape(id.key) + '"]');
  if (!label || !label.hasAttribute("data-drawn")) return false;
  for (var i = 0; i < (specs || []).length; i++) {
    if (specs[i] && specs[i].id && specs[i].id.key === id.key) {
      var v = values[i];
      return (v === null || v === undefined ? "" : String(v)) === label.getAttribute("data-drawn");
    }
  }
  return false;
}
/* The navigation's links for an address's query: each page's path with the kept filters. */
function navHrefs(specs, search) {
  var tail = keptQuery(search);
  return (specs || []).map(function (s) { return s.id.path + tail; });
}
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  cchc: {
    /* ?present=1 on any page (and the deck itself): no navigation chrome, large type; the navbar's deck link
       keeps the period and unit (config.NAV_KEEP). */
    presentMode: function (pathname, search) {
      var q = new URLSearchParams(typeof search === "string" ? search : "");
      var deck = "/trinh-chieu" + keptQuery(search);
      var present = pathname === "/trinh-chieu" || q.get("present") === "1";
      return [present ? "app-root present" : "app-root", deck];
    },
    /* Any filter writes its value into the URL; the page renders again from the URL. When a page has just been
       drawn, Dash reports every filter of it at once: the URL then only records the values shown (defaults
       included, so the link reproduces the view) without drawing the page a second time. */
    filtersToUrl: function (values, pathname, search) {
      var cc = window.dash_clientside, ctx = cc.callback_context, trig = ctx.triggered || [];
      var none = [cc.no_update, cc.no_update];
      if (!trig.length || trig[0].prop_id === ".") return none;
      var path = typeof pathname === "string" && pathname.charAt(0) === "/" ? pathname : "/";
      var old = path + (typeof search === "string" ? search : "");
      var q = withFilters(search, ctx.inputs_list[0], values);
      /* drawn: Dash reports every filter of a page just drawn; with one filter, it reports the value the page was
         drawn with (its label's data-drawn), which a reader's change never is */
      var drawn = trig.length > 1 || (trig.length === 1 && sameAsDrawn(trig[0].prop_id, ctx.inputs_list[0], values));
      if (!drawn) {
        var id = {};
        try { id = JSON.parse(trig[0].prop_id.split(".value")[0]); } catch (e) { id = {}; }
        if (id.key !== "page") q.delete("page");  // a new filter starts the list again
      }
      var url = path + (q.toString() ? "?" + q.toString() : "");
      if (url === old) return none;
      if (drawn) {
        window.history.replaceState(window.history.state, "", url + window.location.hash);
        return [cc.no_update, navHrefs(ctx.outputs_list[1], "?" + q.toString())];
      }
      return [url, cc.no_update];  // a navigation: the links follow the new address (navLinks)
    },
    /* A page drawn with the shell (the first screen after sign-in, a reload): its filters' values, defaults
       included, go into the address as when the router draws a page (filtersToUrl), without a navigation. */
    drawnDefaults: function (path, values) {
      var cc = window.dash_clientside, ctx = cc.callback_context;
      if (typeof path !== "string" || path !== window.location.pathname) return cc.no_update;
      var q = withFilters(window.location.search, (ctx.states_list || [])[0], values);
      var url = path + (q.toString() ? "?" + q.toString() : "");
      if (url === path + window.location.search) return cc.no_update;
      window.history.replaceState(window.history.state, "", url + window.location.hash);
      return navHrefs(ctx.outputs_list, "?" + q.toString());
    },
    /* The navigation's links keep the period and unit (config.NAV_KEEP) and mark the current page. */
    navLinks: function (pathname, search) {
      var specs = window.dash_clientside.callback_context.outputs_list[0] || [];
      return [navHrefs(specs, search), specs.map(function (s) { return s.id.path === pathname; })];
    },
    /* The phone's menu button opens and closes the navigation. */
    navToggle: function (n, open) {
      return typeof n === "number" ? !open : window.dash_clientside.no_update;
    },
    /* The phone's filter card (components.filter_card): the one-line summary opens and closes the filters. A
       filter change draws the page again (closed, from the server): the card the reader left open on this page
       opens again, so changing three filters is not three more taps. Another page, or a reload, starts closed
       (the memory is this window's, not stored). */
    filterToggle: function (n, open) {
      var cc = window.dash_clientside, path = window.location.pathname;
      if (!n) {  // the page was just drawn (the new button: n_clicks 0)
        if (window.cchcFiltersOpenOn === path) return [true, "true"];
        window.cchcFiltersOpenOn = null;
        return [cc.no_update, cc.no_update];
      }
      window.cchcFiltersOpenOn = open ? null : path;
      return [!open, open ? "false" : "true"];
    },
    /* The late list: a bar of the field or handler chart filters the list to it (the other filters kept, the
       list from its first page); the "(…)" rows (others, none) and anything but a name do nothing. */
    lateBarClick: function (fieldClick, handlerClick, search) {
      var cc = window.dash_clientside, trig = (cc.callback_context.triggered || [])[0];
      if (!trig) return cc.no_update;
      var key = trig.prop_id.indexOf("late-handler-chart.") === 0 ? "handler" : "field";
      var click = key === "handler" ? handlerClick : fieldClick;
      var pt = click && click.points && click.points[0], value = pt && (pt.customdata || pt.y);  // the full name
      if (typeof value !== "string" || !value || value.length > 300 || value.charAt(0) === "(") return cc.no_update;
      var q = new URLSearchParams(typeof search === "string" ? search : "");
      q.set(key, value);
      q.delete("page");
      return "/ho-so-tre-han?" + q.toString();
    },
    /* The overview: a bar of the worst units opens that unit's page (on-time rate, same period). */
    worstBarClick: function (click, search) {
      var cc = window.dash_clientside, pt = click && click.points && click.points[0];
      var code = pt && pt.customdata;
      if (typeof code !== "string" || !/^[A-Za-z0-9_.-]{1,40}$/.test(code)) return cc.no_update;
      var period = new URLSearchParams(typeof search === "string" ? search : "").get("period");
      var q = new URLSearchParams({ unit: code, kpi: "on_time_rate" });
      if (period) q.set("period", period);
      return "/don-vi?" + q.toString();
    }
  }
});
})();
