/* Accessibility fixes on third-party markup, applied as it appears:
   - Dash's dropdown keeps a read-only, aria-hidden <input> that is still in the tab order (axe: aria-hidden-focus);
     the dropdown's own button takes the focus, so that input leaves the tab order.
   - dcc.Upload's file <input> has no label: it gets the visible box's text as its name. */
(function () {
  function fix(root) {
    root.querySelectorAll(".dash-dropdown-focus-target[aria-hidden='true']:not([tabindex='-1'])").forEach(function (el) {
      el.setAttribute("tabindex", "-1");
    });
    root.querySelectorAll("input[type='file']:not([aria-label])").forEach(function (el) {
      var box = el.parentElement;
      var text = box ? (box.innerText || "").trim().split("\n")[0] : "";
      el.setAttribute("aria-label", text || "Chọn tệp dữ liệu để nạp");
    });
  }
  new MutationObserver(function () { fix(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { fix(document); });
})();
