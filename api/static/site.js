/* Demo career site: mounts the chat bubble and posts behaviour events (views with dwell time, apply
 * started/completed) to the events API. Config comes from JSON script tags written by the server. */
(function () {
  "use strict";

  var VISITOR_KEY = "career-site-visitor";
  var config = JSON.parse(document.getElementById("site-config").textContent || "{}");
  var page = JSON.parse(document.getElementById("page-config").textContent || "{}");

  /** Returns this browser's anonymous visitor id if it has one the server issued (signed, kept in localStorage). */
  function visitorId() {
    var id = null;
    try { id = localStorage.getItem(VISITOR_KEY); } catch (e) { /* storage off */ }
    return id && id.indexOf("v1-") === 0 ? id : null;
  }

  /** Resolves to the visitor id, asking the server for a new signed one (POST /api/visitor) when there is none
   * (or only an old, unsigned one the server would refuse); null when the server cannot be reached. */
  var visitorReady = visitorId() ? Promise.resolve(visitorId()) :
    fetch("/api/visitor", { method: "POST" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        var id = body && body.visitor_id;
        if (id) { try { localStorage.setItem(VISITOR_KEY, id); } catch (e) { /* storage off: this page only */ } }
        return id || null;
      })
      .catch(function () { return null; });

  /** Links to the production career site (privacy notice, help articles) open the same path on this site. */
  function mapUrl(url) {
    if (config.siteOrigin && typeof url === "string" && url.indexOf(config.siteOrigin + "/") === 0) {
      return window.location.origin + url.slice(config.siteOrigin.length);
    }
    return url;
  }

  /** Posts one behaviour event to the events API ({visitor_id, candidate_token?, events: [{kind, job_id, …}]})
   * once the visitor id is known; `leaving` uses a beacon so it survives the page being closed. */
  function postEvent(kind, extra, leaving) {
    visitorReady.then(function (visitor) { send(kind, extra, leaving, visitor); });
  }

  function send(kind, extra, leaving, visitor) {
    var event = Object.assign({ kind: kind, job_id: page.job_id }, extra || {});
    var body = { events: [event] };
    if (visitor) body.visitor_id = visitor;
    if (config.candidateToken) body.candidate_token = config.candidateToken;
    if (!body.visitor_id && !body.candidate_token) return;  /* no id yet: the server would refuse the event */
    var json = JSON.stringify(body);
    if (leaving && navigator.sendBeacon) {
      try {
        if (navigator.sendBeacon("/api/events", new Blob([json], { type: "application/json" }))) return;
      } catch (e) { /* fall back to fetch */ }
    }
    fetch("/api/events", { method: "POST", headers: { "Content-Type": "application/json" }, body: json, keepalive: true })
      .catch(function () { /* behaviour events are best effort */ });
  }

  Array.prototype.forEach.call(document.querySelectorAll("a[data-site-link]"), function (a) {
    a.setAttribute("href", mapUrl(a.getAttribute("href")));
  });

  /* job pages: dwell time counts only while the page is visible; sent once, when the visitor leaves */
  if (page.job_id) {
    if (new URLSearchParams(window.location.search).get("from") === "alert") {
      postEvent("alert_clicked");  /* opened from a job-alert e-mail */
    }
    var visibleMs = 0;
    var visibleSince = document.visibilityState === "visible" ? performance.now() : null;
    var sent = false;
    var leave = function () {
      if (visibleSince !== null) { visibleMs += performance.now() - visibleSince; visibleSince = null; }
      if (sent) return;
      sent = true;
      postEvent("job_viewed", { dwell_seconds: Math.round(visibleMs / 100) / 10 }, true);
    };
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") leave();
      else if (visibleSince === null) visibleSince = performance.now();
    });
    window.addEventListener("pagehide", leave);

    var start = document.getElementById("apply-start");
    var form = document.getElementById("apply-form");
    var done = document.getElementById("apply-done");
    if (start && form) {
      start.addEventListener("click", function () {
        postEvent("apply_started");
        start.hidden = true;
        form.hidden = false;
        document.getElementById("apply-note").focus();
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        postEvent("apply_completed");
        form.hidden = true;
        done.hidden = false;
        done.focus();
      });
    }
  }

  window.careerSiteChat = CandidateChat.mount(document.getElementById("candidate-chat"), {
    serverUrl: config.serverUrl,
    apiUrl: config.apiUrl || "",
    title: config.title,
    privacyUrl: config.privacyUrl,
    maxMessageChars: config.maxMessageChars,
    getCandidateToken: function () { return config.candidateToken || null; },
    visitorId: visitorId,
    pageContext: function () { return page.job_id ? { job_id: page.job_id, job_title: page.job_title } : {}; },
    jobUrl: function (job) { return "/jobs/" + encodeURIComponent(job.id); },
    mapUrl: mapUrl
  });
})();
