/* The chief judge's tablet view stays current: the table is fetched again every few seconds
   and swapped in whole (the server renders it; this only saves pressing reload). */
(function () {
  "use strict";
  var REFRESH_MS = 5000;
  var holder = document.querySelector("[data-tablets]");
  if (!holder || !window.fetch || !window.DOMParser) return;
  setInterval(function () {
    fetch(holder.dataset.refresh, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-tablets]");
        if (fresh) holder.replaceChildren.apply(holder, Array.prototype.slice.call(fresh.childNodes));
      }, function () { /* the chief judge's own connection dropped: the table stays as it was */ });
  }, REFRESH_MS);
})();
