/* dcc.Graph asks plotly to fit its container once more after every first drawing (Plotly.Plots.resize, always,
   whatever `responsive` says), and plotly then draws the whole chart again 100 ms later — though the chart was
   just drawn at its container's size. Measured in Chromium: every chart of a page drawn twice per navigation.
   A resize that would not change the chart's size (its container's computed size, read as plotly reads it, within
   plotly's own 1 px) is answered at once; a real one (the window or the card changed size) goes to plotly. */
(function () {
  var P = window.Plotly, resize = P && P.Plots && P.Plots.resize;
  if (!resize || resize.__sameSize) return;
  function sameSize(gd) {
    var full = gd && gd._fullLayout, set = gd && gd.layout;
    if (!full || !set || (set.width && set.height)) return false;  // both given: plotly answers at once itself
    var cs = window.getComputedStyle(gd), w = parseFloat(cs.width), h = parseFloat(cs.height);
    return w > 0 && h > 0 && (set.width || Math.abs(full.width - w) <= 1) && (set.height || Math.abs(full.height - h) <= 1);
  }
  P.Plots.resize = function (gd) {
    var el = typeof gd === "string" ? document.getElementById(gd) : gd;
    if (sameSize(el)) return Promise.resolve(el);
    return resize.apply(this, arguments);
  };
  P.Plots.resize.__sameSize = true;
})();
