/* ?present=1 on a page (not the deck): the page is cut into screens that fit the projector, like slides.
   The page's blocks (sections, then their parts, then a long table's rows) are packed in order into screens no
   taller than the window; one screen is shown at a time, the rest hidden (never lost: every block is on exactly
   one screen). A block that alone is taller or wider than the window (a tall chart) is shown scaled down (CSS
   zoom) rather than cut. The footer (#present-foot) always shows the page, period, data date and n/N.
   ← / → / PageUp / PageDown step screens (20_keyboard.js), then pages; the screen is kept in the URL's hash
   (#man-2), which Dash's router ignores. */
(function () {
  var ATOMIC = ".dash-graph, .js-plotly-plot, .ag-theme-quartz, .ag-theme-alpine, .grid-loading, .kpi-card, " +
               "svg, img, canvas, thead, .count-box, .big-tile, .fact-box, .alert";
  var SKIP = ".page-header, .filter-bar, .filter-card";
  var st = { page: null, path: null, title: null, screens: [], n: 0, touched: [], zoom: 1, startLast: false };

  function root() { return document.querySelector(".app-root"); }
  function pageEl() { return document.querySelector("#_pages_content .page"); }
  function active() {
    var r = root();
    return !!(r && r.classList.contains("present") && !document.getElementById("deck") && pageEl() &&
              /(?:^|[?&])present=1(?:&|$)/.test(window.location.search));
  }
  function foot() {
    var f = document.getElementById("present-foot");
    if (!f) {
      f = document.createElement("div");
      f.id = "present-foot";
      f.className = "present-foot";
      f.setAttribute("role", "contentinfo");
      document.body.appendChild(f);
    }
    return f;
  }
  function shown(el) { return getComputedStyle(el).display !== "none"; }
  function hide(el) { st.touched.push([el, el.style.display]); el.style.display = "none"; }
  function reset() {
    for (var i = st.touched.length - 1; i >= 0; i--) st.touched[i][0].style.display = st.touched[i][1];
    st.touched = [];
    var p = pageEl();
    if (p) p.style.zoom = "";
    document.documentElement.classList.remove("present-paged");
  }

  /* Blocks no taller than `avail`, in document order: {el, h, table?, head?}; containers split on the way. */
  function outer(el) {  // height with its margins: what it takes on the screen
    var cs = getComputedStyle(el);
    return el.getBoundingClientRect().height + (parseFloat(cs.marginTop) || 0) + (parseFloat(cs.marginBottom) || 0);
  }
  /* An element's visible children as the lines they are drawn on (columns side by side make one line). */
  function lines(el, parent) {
    var out = [];
    [].slice.call(el.children).forEach(function (k) {
      if (!shown(k) || k.matches(SKIP)) return;
      var r = k.getBoundingClientRect(), h = outer(k), last = out[out.length - 1];
      if (last && Math.abs(r.top - last.top) < 2 && r.left >= last.right - 2) {
        last.els.push(k); last.h = Math.max(last.h, h); last.right = r.right;
      } else {
        out.push({ els: [k], h: h, top: r.top, right: r.right, parent: parent });
      }
    });
    return out;
  }
  function splittable(b) {
    if (b.els.length !== 1 || b.table) return false;
    var el = b.els[0];
    if (el.matches(ATOMIC)) return false;
    return el.tagName === "TABLE" ? !!el.querySelector(":scope > tbody > tr") : lines(el, null).length > 0;
  }
  function split(b) {
    var el = b.els[0];
    if (el.tagName === "TABLE") {
      var head = el.tHead ? el.tHead.getBoundingClientRect().height : 0;
      return [].slice.call(el.querySelectorAll(":scope > tbody > tr, :scope > tfoot > tr")).map(function (r) {
        return { els: [r], h: outer(r), table: el, head: head, parent: b };
      });
    }
    return lines(el, b);
  }

  /* In order, as many blocks a screen as fit. A block that does not fit is split into its lines (a section into
     its parts, a table into its rows) when that fills the screen, else it opens the next screen; a heading (or a
     lead line) is never the last block of a screen. A table's rows on a screen count its header row once. */
  var HEADING = ".card-header, h1, h2, h3, h4, .sub-title, .lead-line, .section-head";
  function pack(items, budget) {
    var queue = items.slice(), screens = [], cur = [], used = 0, table = null, containers = [];
    function cost(b, t) { return b.h + (b.table && b.table !== t ? b.head : 0); }
    while (queue.length) {
      var b = queue.shift(), c = cost(b, table), rest = budget - used;
      if (c > rest && splittable(b) && (c > budget || rest >= budget * 0.3)) {
        containers.push(b);
        queue = split(b).concat(queue);
        continue;
      }
      if (c > rest && cur.length) { screens.push(cur); cur = []; used = 0; table = null; c = cost(b, null); }
      cur.push(b); used += c;
      if (b.table) table = b.table;
    }
    if (cur.length) screens.push(cur);
    for (var k = 0; k < screens.length - 1; k++) {  // headings left at a screen's end go to the next one
      var s = screens[k];
      while (s.length && s[s.length - 1].els[0].matches(HEADING)) screens[k + 1].unshift(s.pop());
      if (!s.length) { screens.splice(k, 1); k--; }
    }
    return { screens: screens, containers: containers };
  }

  function fillFoot() {
    var p = pageEl(), f = foot();
    var title = p.querySelector(".page-title"), sub = p.querySelector(".page-subtitle"), date = p.querySelector(".data-date");
    f.innerHTML = "";
    var left = document.createElement("span");
    left.textContent = [title && title.textContent, sub && sub.textContent].filter(Boolean).join(" · ");
    var right = document.createElement("span");
    right.className = "present-foot-right";
    right.textContent = (date ? date.textContent + "  ·  " : "") + "Màn " + (st.n + 1) + "/" + st.screens.length;
    right.title = "← / → để chuyển màn hình";
    f.appendChild(left);
    f.appendChild(right);
    f.setAttribute("data-screen", String(st.n + 1));
    f.setAttribute("data-screens", String(st.screens.length));
    f.setAttribute("data-path", window.location.pathname);
    f.hidden = false;
  }

  var plan = null;  // {leaves, containers} of the current page at the current window size

  function layout() {
    var f = document.getElementById("present-foot");
    if (!active()) { if (st.page) { reset(); st.page = null; st.path = null; } if (f) f.hidden = true; return; }
    var p = pageEl(), title = p.querySelector(".page-title"), text = title ? title.textContent : "";
    if (st.path && st.path !== window.location.pathname && text === st.title) return;  // the old page, still shown
    var key = window.location.pathname + "|" + text;  // a new page, not a new filter
    st.path = window.location.pathname;
    st.title = text;
    if (key !== st.page) {  // a new page: its screen from the hash, or the last one when stepping back
      var m = /^#man-(\d+)$/.exec(window.location.hash);
      st.n = st.startLast ? 1e9 : (m ? parseInt(m[1], 10) - 1 : 0);
      st.startLast = false;
      st.page = key;
    }
    reset();
    document.documentElement.classList.add("present-paged");
    fillFoot();
    var footH = foot().getBoundingClientRect().height;
    document.documentElement.style.setProperty("--present-foot-h", Math.ceil(footH) + "px");
    var items = lines(p, null);
    var top = items.length ? items[0].top + window.scrollY : 0;
    var avail = window.innerHeight - footH - top - 12;
    var packed = pack(items, avail);
    st.screens = packed.screens.length ? packed.screens : [[]];
    plan = { containers: packed.containers, avail: avail, footH: footH };
    show();
  }

  function show() {
    var p = pageEl();
    if (!plan || !p) return;
    reset();
    document.documentElement.classList.add("present-paged");
    st.n = Math.max(0, Math.min(st.n, st.screens.length - 1));
    var on = new Set(st.screens[st.n]), live = new Set();
    st.screens.forEach(function (sc) {
      sc.forEach(function (b) {
        if (on.has(b)) { for (var q = b.parent; q; q = q.parent) live.add(q); } else b.els.forEach(hide);
      });
    });
    plan.containers.forEach(function (c) { if (!live.has(c)) c.els.forEach(hide); });
    fillFoot();
    // what still does not fit (paddings, a block taller or wider than the window) is scaled, never cut
    var z = 1, de = document.documentElement;
    for (var i = 0; i < 4; i++) {
      var overH = de.scrollHeight - window.innerHeight, needW = de.scrollWidth;
      if (overH <= 0 && needW <= window.innerWidth) break;
      var ph = p.getBoundingClientRect().height;
      z = z * Math.min(1, (ph - Math.max(overH, 0)) / Math.max(ph, 1), window.innerWidth / Math.max(needW, 1)) * 0.98;
      p.style.zoom = String(z);
    }
    st.zoom = z;
    foot().setAttribute("data-zoom", z.toFixed(3));
    var hash = st.n ? "#man-" + (st.n + 1) : "";
    if (window.location.hash !== hash) {
      window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search + hash);
    }
    window.dispatchEvent(new Event("resize"));  // charts that were hidden take their width again
  }

  /* A step within the page: true if it moved; false at either end (the caller goes to the next page). */
  function step(delta) {
    if (!active() || !plan) return false;
    var n = st.n + delta;
    if (n < 0 || n >= st.screens.length) return false;
    st.n = n;
    show();
    return true;
  }
  function jump(n) {
    if (!active() || !plan) return false;
    st.n = n < 0 ? st.screens.length - 1 : n;
    show();
    return true;
  }

  var timer = null, busy = false;
  function later() {  // the page changed: lay it out again once it stops changing (data-pending while waiting)
    if (timer) clearTimeout(timer);
    var f = document.getElementById("present-foot");
    if (f) f.setAttribute("data-pending", "1");
    timer = setTimeout(function () {
      timer = null; busy = true;
      try { layout(); } finally {
        busy = false;
        var g = document.getElementById("present-foot");
        if (g && !timer) g.setAttribute("data-pending", "0");
      }
    }, 150);
  }
  function ours(rec) {
    var t = rec.target;
    return t.closest && t.closest(".js-plotly-plot, .ag-root-wrapper, .dash-dropdown, .Select, #present-foot");
  }
  new MutationObserver(function (recs) {
    if (busy) return;
    if (recs.some(function (r) { return !ours(r); })) later();
  }).observe(document.documentElement, { childList: true, subtree: true });
  var lastSize = "";
  window.addEventListener("resize", function () {
    var size = window.innerWidth + "x" + window.innerHeight;
    if (size !== lastSize) { lastSize = size; later(); }
  });
  window.addEventListener("popstate", later);
  /* The previous page opens on its last screen (← from a page's first screen, as in a deck). */
  function backToLast() { st.startLast = true; }
  window.cchcPresent = {
    step: step, jump: jump, active: active, backToLast: backToLast,
    screens: function () {  // what each screen holds: [[tag.class, height]…] (tests and the curious)
      return st.screens.map(function (s) {
        return s.map(function (b) {
          return [b.els.map(function (e) { return e.tagName + "." + (e.className || "").toString().split(" ")[0]; }).join("+"),
                  Math.round(b.h)];
        });
      });
    },
    avail: function () { return plan && Math.round(plan.avail); }
  };
})();
