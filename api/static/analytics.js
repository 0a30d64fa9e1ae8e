/* Analytics page: draws the charts from the page's JSON block with Chart.js (tables beside them hold the numbers). */
(function () {
  "use strict";
  var node = document.getElementById("analytics-data");
  if (!node || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  var now = data.current, before = data.baseline;
  var colours = { now: "#1f5fbf", before: "#9aa7bd" };

  function bars(id, labels, current, baseline) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [
        { label: "This period", data: current, backgroundColor: colours.now },
        { label: "Baseline", data: baseline, backgroundColor: colours.before }
      ] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  bars("chart-conversations", ["Contained", "Abandoned", "Escalated"],
       [now.contained, now.abandoned, now.escalated], [before.contained, before.abandoned, before.escalated]);
  var reasons = Object.keys(Object.assign({}, before.escalation_by_reason, now.escalation_by_reason));
  bars("chart-reasons", reasons.map(function (r) { return r.replace(/_/g, " "); }),
       reasons.map(function (r) { return now.escalation_by_reason[r] || 0; }),
       reasons.map(function (r) { return before.escalation_by_reason[r] || 0; }));
  bars("chart-funnel", now.funnel.map(function (s) { return s.stage.replace(/_/g, " "); }),
       now.funnel.map(function (s) { return s.applications; }), before.funnel.map(function (s) { return s.applications; }));
  document.body.setAttribute("data-charts", "drawn");
})();
