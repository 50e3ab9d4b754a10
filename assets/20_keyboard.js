/* Meeting mode: ← / → step through the deck, 1–9 jump, Esc leaves; optional auto-advance (data-auto seconds).
   Navigation goes through history.pushState + popstate, which Dash's router follows without a reload. */
(function () {
  function deck() { return document.getElementById("deck"); }
  function go(url) {
    if (!url) return;
    window.history.pushState({}, "", url);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }
  function slideUrl(d, n) {
    var base = d.getAttribute("data-base") || "/trinh-chieu";
    return base + (base.indexOf("?") >= 0 ? "&" : "?") + "slide=" + n;
  }
  function step(delta) {
    var d = deck(); if (!d) return;
    var n = parseInt(d.getAttribute("data-slide"), 10), count = parseInt(d.getAttribute("data-count"), 10);
    var next = n + delta;
    if (delta > 0 && next > count) next = 1;  // auto-advance loops; the arrows stop at the ends below
    if (next < 1 || next > count) return;
    go(slideUrl(d, next));
  }
  var PAGES = ["/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich"];
  function presentStep(delta) {  // ?present=1 on a page: ← / → go through the pages, filters kept
    var i = PAGES.indexOf(window.location.pathname);
    if (i < 0) return false;
    var j = i + delta;
    if (j < 0 || j >= PAGES.length) return false;
    go(PAGES[j] + window.location.search);
    return true;
  }
  /* Letters typed right after "U", before the picker's search box has the focus, are kept here and handed to the
     box when it takes the focus: on a busy projector laptop the box can take a few hundred milliseconds, and the
     dropdown's own button would drop the letters typed in between ("phuong 3" became "puong 3"). */
  var earlyText = null, forgetTimer = null;
  function searchBox() {
    var a = document.activeElement;
    return a && a.classList && a.classList.contains("dash-dropdown-search") ? a : null;
  }
  function handOver(box) {
    var text = earlyText;
    earlyText = null;
    if (!text) return;
    var setter = Object.getOwnPropertyDescriptor(window.HTMLInputElement.prototype, "value").set;
    setter.call(box, box.value + text);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function early(e) {  // a key to keep (and hide from the dropdown's button) while the search box is not there yet
    return earlyText !== null && !searchBox() && !e.ctrlKey && !e.altKey && !e.metaKey && e.key.length === 1;
  }
  document.addEventListener("keydown", function (e) {
    if (early(e)) { earlyText += e.key; e.preventDefault(); e.stopPropagation(); }
  }, true);
  document.addEventListener("keyup", function (e) {
    if (early(e)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  document.addEventListener("focusin", function (e) {
    if (earlyText !== null && searchBox() === e.target) handOver(e.target);
  }, true);
  function openUnitPicker() {
    var box = document.querySelector("#deck-unit .filter-dropdown");
    if (!box) return false;
    var trigger = box.querySelector("button, [role='combobox'], input:not([tabindex='-1'])") || box;
    earlyText = "";
    clearTimeout(forgetTimer);
    forgetTimer = setTimeout(function () { earlyText = null; }, 3000);  // the picker never opened: forget them
    trigger.focus();
    trigger.click();
    return true;
  }
  var pickerPending = false;
  document.addEventListener("keyup", function (e) {
    if (pickerPending && (e.key === "u" || e.key === "U")) { pickerPending = false; openUnitPicker(); }
  });
  document.addEventListener("keydown", function (e) {
    var d = deck();
    var tag0 = (e.target && e.target.tagName) || "";
    var typing = tag0 === "INPUT" || tag0 === "TEXTAREA" || (e.target && e.target.closest && e.target.closest(".filter-dropdown"));
    if (!d && !typing && !e.altKey && !e.ctrlKey && !e.metaKey && /present=1/.test(window.location.search)) {
      var pager = window.cchcPresent;  // 22_present_pager.js: the page's screens first, then the next page
      if (e.key === "ArrowRight" || e.key === "PageDown" || e.key === " ") {
        if (!(pager && pager.step(1))) presentStep(1);
        e.preventDefault(); return;
      }
      if (e.key === "ArrowLeft" || e.key === "PageUp") {
        if (!(pager && pager.step(-1)) && presentStep(-1) && pager) pager.backToLast();
        e.preventDefault(); return;
      }
      if (pager && e.key === "Home") { pager.jump(0); e.preventDefault(); return; }
      if (pager && e.key === "End") { pager.jump(-1); e.preventDefault(); return; }
    }
    if (d && !typing && (e.key === "u" || e.key === "U") && document.querySelector("#deck-unit")) {
      e.preventDefault();  // opened on key up, so the "u" is never typed into the search box
      pickerPending = true;
      return;
    }
    if (d && typing) return;
    if (!d || e.altKey || e.ctrlKey || e.metaKey) {
      if (e.key === "Escape" && /present=1/.test(window.location.search)) {
        go(window.location.pathname + window.location.search.replace(/[?&]present=1/, "").replace(/^&/, "?"));
      }
      return;
    }
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA") return;
    var n = parseInt(d.getAttribute("data-slide"), 10), count = parseInt(d.getAttribute("data-count"), 10);
    if (e.key === "ArrowRight" || e.key === "PageDown" || e.key === " ") { if (n < count) go(slideUrl(d, n + 1)); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "PageUp") { if (n > 1) go(slideUrl(d, n - 1)); e.preventDefault(); }
    else if (/^[1-9]$/.test(e.key)) { var k = parseInt(e.key, 10); if (k <= count) go(slideUrl(d, k)); }
    else if (e.key === "Home") { go(slideUrl(d, 1)); }
    else if (e.key === "End") { go(slideUrl(d, count)); }
    else if (e.key === "Escape") { go(d.getAttribute("data-exit") || "/"); }
  });
  var timer = null, armedFor = null;
  setInterval(function () {  // (re)arm auto-advance whenever the rendered slide changes
    var d = deck();
    var key = d ? d.getAttribute("data-slide") + "|" + d.getAttribute("data-auto") + "|" + d.getAttribute("data-base") : null;
    if (key === armedFor) return;
    armedFor = key;
    if (timer) { clearTimeout(timer); timer = null; }
    var secs = d ? parseInt(d.getAttribute("data-auto") || "0", 10) : 0;
    if (secs >= 5) timer = setTimeout(function () { step(1); }, secs * 1000);
  }, 500);
})();
