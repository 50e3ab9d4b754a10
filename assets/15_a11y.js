/* Accessibility fixes on third-party markup, applied as it appears:
   - Dash's dropdown takes the keyboard through a read-only <input> marked aria-hidden (axe: aria-hidden-focus):
     it stays the tab stop, is no longer hidden from screen readers and gets the filter's label as its name.
   - dcc.Upload's file <input> has no label: it gets the visible box's text as its name. */
(function () {
  /* the text as written (textContent: no layout, and a label shown in capitals by CSS is read as written) */
  function text(el) { return (el.textContent || "").replace(/\s+/g, " ").trim(); }
  var TARGETS = ".dash-dropdown-focus-target[aria-hidden='true'], input[type='file']:not([aria-label])";
  function fixOne(el) {
    if (!el.isConnected) return;
    if (el.matches(".dash-dropdown-focus-target[aria-hidden='true']")) {
      el.removeAttribute("aria-hidden");
      var col = el.closest("[class*='col'], .deck-unit");
      var label = col ? col.querySelector("label") : null;
      var value = el.parentElement ? text(el.parentElement) : "";
      el.setAttribute("aria-label", (label ? text(label) : "Chọn") + (value ? ": " + value : ""));
    } else if (el.matches("input[type='file']:not([aria-label])")) {
      var box = el.parentElement;
      var first = box ? (box.innerText || "").trim().split("\n")[0] : "";
      el.setAttribute("aria-label", first || "Chọn tệp dữ liệu để nạp");
    }
  }
  /* Only what was added is looked at (a page being drawn adds thousands of nodes in many batches: React, plotly,
     the grid), once per frame; a dropdown's name is read without laying the page out (textContent). */
  var found = [], queued = false;
  function flush() {
    queued = false;
    var els = found;
    found = [];
    els.forEach(fixOne);
  }
  function collect(node) {
    if (node.nodeType !== 1 || node.namespaceURI === "http://www.w3.org/2000/svg") return;
    if (node.matches(TARGETS)) found.push(node);
    if (node.firstElementChild) found.push.apply(found, node.querySelectorAll(TARGETS));
  }
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var added = records[i].addedNodes;
      for (var j = 0; j < added.length; j++) collect(added[j]);
      /* an attribute set again by React (aria-hidden on a dropdown drawn anew) */
      var t = records[i].target;
      if (records[i].type === "attributes" && t.matches(TARGETS)) found.push(t);
    }
    if (found.length && !queued) {
      queued = true;
      window.requestAnimationFrame(flush);
    }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true,
                                         attributeFilter: ["aria-hidden", "aria-label"] });
  document.addEventListener("DOMContentLoaded", function () { collect(document.body); flush(); });
})();
