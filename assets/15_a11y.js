/* Accessibility fixes on third-party markup, applied as it appears:
   - Dash's dropdown takes the keyboard through a read-only <input> marked aria-hidden (axe: aria-hidden-focus):
     it stays the tab stop, is no longer hidden from screen readers and gets the filter's label as its name.
   - dcc.Upload's file <input> has no label: it gets the visible box's text as its name. */
(function () {
  function fix(root) {
    root.querySelectorAll(".dash-dropdown-focus-target[aria-hidden='true']").forEach(function (el) {
      el.removeAttribute("aria-hidden");
      var col = el.closest("[class*='col'], .deck-unit");
      var label = col ? col.querySelector("label") : null;
      var value = el.parentElement ? (el.parentElement.innerText || "").trim() : "";
      el.setAttribute("aria-label", (label ? label.innerText.trim() : "Chọn") + (value ? ": " + value : ""));
    });
    root.querySelectorAll("input[type='file']:not([aria-label])").forEach(function (el) {
      var box = el.parentElement;
      var text = box ? (box.innerText || "").trim().split("\n")[0] : "";
      el.setAttribute("aria-label", text || "Chọn tệp dữ liệu để nạp");
    });
  }
  /* Once per frame, not once per DOM change: a page being drawn (React, plotly) changes the DOM in many batches,
     and each fix reads innerText, which lays the whole page out; in the frame's callback that layout is the one
     the browser needs to paint anyway. */
  var queued = false;
  function queue() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () { queued = false; fix(document); });
  }
  new MutationObserver(queue).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { fix(document); });
})();
