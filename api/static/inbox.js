/* Recruiter inbox: refresh the queue rows and the ticket thread every 2 seconds (no reload, no build step). */
(function () {
  "use strict";
  var INTERVAL_MS = 2000;

  function refresh(node) {
    if (document.hidden) return;
    fetch(node.getAttribute("data-refresh"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined && html !== node.innerHTML) node.innerHTML = html;
      })
      .catch(function () { /* offline for a moment: try again next tick */ });
  }

  document.querySelectorAll("[data-refresh]").forEach(function (node) {
    setInterval(function () { refresh(node); }, INTERVAL_MS);
  });
})();
