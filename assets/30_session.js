// The app's requests to the server go through here:
// - when the session has expired (or the user was removed), Dash's requests answer 401: go to the sign-in page and
//   come back here afterwards, instead of leaving a frozen page;
// - a callback asked again with the very same request while the first is still on its way is not sent twice:
//   the copy gets the first one's answer (a clone). Dash's renderer sends the late list grid's first
//   getRowsRequest twice on the grid's first drawing (one setProps of the grid, two identical requests): two
//   queries for the same rows, whose answers landed while the next page was drawn.
(function () {
  var origFetch = window.fetch, inFlight = Object.create(null);
  function callbackBody(input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    if (url.indexOf("/_dash-update-component") === -1 || !init || typeof init.body !== "string") return null;
    return String(init.method || "GET").toUpperCase() === "POST" ? init.body : null;
  }
  function signedOut(resp) {
    if (resp.status === 401 && resp.url.indexOf("/_dash-") !== -1) {
      var next = window.location.pathname + window.location.search;
      window.location.assign("/dang-nhap?next=" + encodeURIComponent(next));
    }
    return resp;
  }
  window.fetch = function (input, init) {
    var body = callbackBody(input, init);
    if (body === null) return origFetch.apply(this, arguments).then(signedOut);
    var waiting = inFlight[body];
    if (waiting) {  // the same question on its way: wait for its answer
      return new Promise(function (resolve, reject) { waiting.push([resolve, reject]); }).then(signedOut);
    }
    waiting = inFlight[body] = [];
    return origFetch.apply(this, arguments).then(function (resp) {
      delete inFlight[body];
      waiting.forEach(function (w) { w[0](resp.clone()); });  // before the first caller reads the body
      return resp;
    }, function (err) {
      delete inFlight[body];
      waiting.forEach(function (w) { w[1](err); });
      throw err;
    }).then(signedOut);
  };
})();
