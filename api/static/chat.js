/* The full-page chat: mounts the widget inline with the configuration the page carries as JSON (no inline
 * script, so the page runs under a strict Content-Security-Policy). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  window.fullPageChat = CandidateChat.mount(document.getElementById("chat-root"), config);
})();
