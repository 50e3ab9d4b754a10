// When the session has expired (or the user was removed), Dash's requests answer 401:
// go to the sign-in page and come back here afterwards, instead of leaving a frozen page.
(function () {
  var origFetch = window.fetch;
  window.fetch = function () {
    return origFetch.apply(this, arguments).then(function (resp) {
      if (resp.status === 401 && resp.url.indexOf("/_dash-") !== -1) {
        var next = window.location.pathname + window.location.search;
        window.location.assign("/dang-nhap?next=" + encodeURIComponent(next));
      }
      return resp;
    });
  };
})();
