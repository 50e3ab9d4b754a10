// The app's requests to the server go through here:
// - when the session has expired (or the user was removed), Dash's requests answer 401: go to the sign-in page and
//   come back here afterwards, instead of leaving a frozen page;
// - an infinite grid's request for rows (a callback whose output is a grid's getRowsResponse: a read of the same
//   rows) asked again with the very same body while the first is on its way or within a second of its answer is
//   not sent again: the copy gets the first one's answer. Dash's renderer sends the late list grid's first
//   getRowsRequest twice on the grid's first drawing (one setProps of the grid, two identical requests 0–35 ms
//   apart; the class of ag-grid issues #6274 / #3561): two queries for the same rows, whose answers landed while
//   the next page was drawn. Other callbacks are never answered from another request (a page may be asked again
//   on purpose: a new data version answers differently).
(function () {
  var origFetch = window.fetch, asked = Object.create(null), KEEP_MS = 1000;
  function rowsRequestBody(input, init) {  // the body of a grid's rows request, else null
    var url = typeof input === "string" ? input : (input && input.url) || "";
    if (url.indexOf("/_dash-update-component") === -1 || !init || typeof init.body !== "string") return null;
    if (String(init.method || "GET").toUpperCase() !== "POST") return null;
    try {
      var output = JSON.parse(init.body).output;
      return typeof output === "string" && /\.getRowsResponse$/.test(output) ? init.body : null;
    } catch (e) {
      return null;
    }
  }
  function signedOut(resp) {
    if (resp.status === 401 && resp.url.indexOf("/_dash-") !== -1) {
      var next = window.location.pathname + window.location.search;
      window.location.assign("/dang-nhap?next=" + encodeURIComponent(next));
    }
    return resp;
  }
  window.fetch = function (input, init) {
    var body = rowsRequestBody(input, init);
    if (body === null) return origFetch.apply(this, arguments).then(signedOut);
    var entry = asked[body];
    if (entry) {  // the same question: its answer, now or when it comes
      if (entry.answer) return Promise.resolve(entry.answer.clone()).then(signedOut);
      return new Promise(function (resolve, reject) { entry.waiting.push([resolve, reject]); }).then(signedOut);
    }
    entry = asked[body] = { waiting: [], answer: null };
    return origFetch.apply(this, arguments).then(function (resp) {
      if (resp.ok) {  // kept a moment for a copy of the question (before the first caller reads the body)
        entry.answer = resp.clone();
        window.setTimeout(function () { if (asked[body] === entry) delete asked[body]; }, KEEP_MS);
      } else {
        delete asked[body];
      }
      entry.waiting.forEach(function (w) { w[0](resp.clone()); });
      return resp;
    }, function (err) {
      delete asked[body];
      entry.waiting.forEach(function (w) { w[1](err); });
      throw err;
    }).then(signedOut);
  };
})();
