// KPIs page: the last 12 months of the KPIs drawn with uPlot from /api/v1/kpis/trend.
(function () {
  "use strict";
  const box = document.getElementById("kpi-trend");
  if (!box || !window.uPlot) return;
  const PCT = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  const RAW = (v) => (v === undefined ? null : v);
  // Each chart: its series (KPI key, label, colour, how to scale, which axis) and its axes.
  const CHARTS = {
    response: {
      series: [
        { key: "response_median_h", label: "median response (h)", stroke: "#1d4ed8", f: RAW },
        { fixed: 2, label: "excellent (2 h)", stroke: "#067647", dash: [5, 5] },
        { fixed: 6, label: "to improve (6 h)", stroke: "#b42318", dash: [5, 5] },
      ],
      axes: [{ label: "hours" }],
    },
    shares: {
      series: [
        { key: "first_time_fix", label: "first-time fix %", stroke: "#1d4ed8", f: PCT },
        { key: "sla_respond", label: "SLA respond %", stroke: "#059669", f: PCT },
        { key: "on_time_completion", label: "on time %", stroke: "#7c3aed", f: PCT },
        { key: "repeat_repair", label: "repeat repair %", stroke: "#b42318", f: PCT },
        { key: "availability", label: "availability %", stroke: "#0891b2", f: PCT },
      ],
      axes: [{ label: "%" }],
    },
    predictive: {
      series: [
        { key: "false_alarm", label: "false alarms %", stroke: "#b54708", f: PCT },
        { key: "warning_time_median_h", label: "warning time (h)", stroke: "#5925dc", f: RAW, scale: "h" },
      ],
      axes: [{ label: "%" }, { label: "hours", scale: "h", side: 1 }],
    },
    satisfaction: {
      series: [
        { key: "csat", label: "CSAT (1-5)", stroke: "#059669", f: RAW },
        { key: "nps", label: "NPS", stroke: "#d97706", f: RAW, scale: "nps" },
      ],
      axes: [{ label: "CSAT" }, { label: "NPS", scale: "nps", side: 1 }],
    },
  };

  function draw(el, spec, months) {
    const xs = months.map((m) => Date.parse(m.period.start) / 1000);
    const data = [xs];
    const series = [{}];
    for (const s of spec.series) {
      data.push(months.map((m) => (s.fixed !== undefined ? s.fixed : s.f(m.kpis[s.key] ? m.kpis[s.key].value : null))));
      series.push({ label: s.label, stroke: s.stroke, width: 2, dash: s.dash, scale: s.scale || "y", spanGaps: false, points: { show: true, size: 6 } });
    }
    const scales = { x: { time: true } };
    const axes = [{ values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(0, 7)) }];
    for (const a of spec.axes) {
      axes.push({ label: a.label, scale: a.scale || "y", side: a.side === 1 ? 1 : 3, size: 56, grid: { show: a.side !== 1 } });
      if (a.scale) scales[a.scale] = { auto: true };
    }
    const opts = { width: el.clientWidth || 480, height: 220, scales, axes, series, legend: { live: false } };
    const plot = new uPlot(opts, data, el);
    el.dataset.points = String(xs.length);
    new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 220 })).observe(el);
  }

  (async function () {
    try {
      const url = "/api/v1/kpis/trend?months=12&until=" + encodeURIComponent(box.dataset.until);
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      const trend = await response.json();
      let drawn = 0;
      for (const el of box.querySelectorAll(".kpi-chart")) {
        draw(el, CHARTS[el.dataset.chart], trend.months);
        drawn += 1;
      }
      box.dataset.charts = String(drawn);
      box.dataset.ready = "true";
    } catch (error) {
      box.insertAdjacentHTML("afterbegin", '<p class="error">Could not load the trend: ' + error.message + "</p>");
      box.dataset.ready = "error";
    }
  })();
})();
