/* dash-ag-grid (1.3 MB) only on the pages that have a grid: the app removes it from the first load
   (app.py, LAZY_LIBRARIES) and this stand-in loads the real library the first time a grid is rendered. */
(function () {
  var SRC = "/_dash-component-suites/dash_ag_grid/dash_ag_grid.min.js";
  var loading = null, Real = null;
  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = SRC;
        s.onload = function () {
          // the library sets window.dash_ag_grid.AgGrid: the stand-in stays the component Dash draws, or the next
          // drawing of the page would find another component type there and build the grid a second time (a
          // second request for its rows)
          Real = window.dash_ag_grid.AgGrid;
          window.dash_ag_grid.AgGrid = LazyAgGrid;
          resolve(Real);
        };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }
  function LazyAgGrid(props) {
    var React = window.React;
    var st = React.useState(Real), comp = st[0], set = st[1];
    React.useEffect(function () { if (!comp) load().then(function (c) { set(function () { return c; }); }); }, []);
    if (!comp || comp === LazyAgGrid) {
      return React.createElement("div", { className: "grid-loading", role: "status", style: props.style }, "Đang tải bảng…");
    }
    return React.createElement(comp, props);
  }
  if (!window.dash_ag_grid) window.dash_ag_grid = { AgGrid: LazyAgGrid };
})();
