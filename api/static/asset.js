// Asset page: telemetry and anomaly-score charts (uPlot) with alert and work-order times marked.
(function () {
  "use strict";
  const box = document.getElementById("telemetry-chart");
  if (!box || !window.uPlot) return;
  const asset = box.dataset.asset;
  const spanMs = Number(box.dataset.spanMs);
  const markers = JSON.parse(document.getElementById("markers").textContent || "[]");
  const COLORS = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#9f1239"];
  const MARK = { alert: "#c2410c", resolved: "#15803d", work_order: "#6d28d9" };

  function markerPlugin(list) {
    return {
      hooks: {
        draw: (u) => {
          const ctx = u.ctx;
          ctx.save();
          for (const m of list) {
            const x = u.valToPos(m.t / 1000, "x", true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = MARK[m.kind] || "#333";
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash(m.kind === "work_order" ? [6, 4] : []);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        },
      },
    };
  }

  async function load(path) {
    const end = new Date();
    const start = new Date(end.getTime() - spanMs);
    const url = "/api/v1/assets/" + encodeURIComponent(asset) + "/" + path +
      "?start=" + start.toISOString() + "&end=" + end.toISOString() + "&max_points=600";
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(response.statusText);
    return [await response.json(), start, end];
  }

  function draw(el, series, names, start, end, height, extra) {
    const xs = series.time.map((t) => t / 1000);
    const data = [xs, ...names.map((n) => series.fields[n])];
    const visible = markers.filter((m) => m.t >= start.getTime() && m.t <= end.getTime());
    const opts = {
      width: el.clientWidth || 800, height,
      scales: { x: { time: true, range: [start.getTime() / 1000, end.getTime() / 1000] } },
      series: [{}, ...names.map((n, i) => Object.assign({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false }, extra && extra[n]))],
      axes: [{}, { size: 56 }],
      plugins: [markerPlugin(visible)],
      legend: { live: true },
    };
    const plot = new uPlot(opts, data, el);
    el.dataset.points = String(xs.length);
    el.dataset.markers = String(visible.length);
    new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height })).observe(el);
    return visible;
  }

  function legend(visible) {
    const list = document.getElementById("marker-legend");
    list.innerHTML = "";
    for (const m of visible) {
      const item = document.createElement("li");
      item.className = "marker marker-" + m.kind;
      item.textContent = m.label + " · " + new Date(m.t).toISOString().replace("T", " ").slice(0, 16) + " UTC";
      list.appendChild(item);
    }
    if (!visible.length) list.innerHTML = '<li class="muted">No alert or work order in this range.</li>';
  }

  (async function () {
    try {
      const [telemetry, start, end] = await load("telemetry");
      // One small chart per metric: units differ (mm/s, °C, A), so one shared axis would flatten all.
      const names = Object.keys(telemetry.fields).sort();
      let visible = [];
      box.innerHTML = "";
      for (const [i, name] of names.entries()) {
        const el = document.createElement("div");
        el.className = "metric-chart";
        el.dataset.metric = name;
        box.appendChild(el);
        visible = draw(el, telemetry, [name], start, end, 150, { [name]: { stroke: COLORS[i % COLORS.length] } });
      }
      box.dataset.points = String(telemetry.time.length);
      box.dataset.markers = String(visible.length);
      const [scores] = await load("scores");
      const scoreEl = document.getElementById("score-chart");
      scoreEl.innerHTML = "";
      draw(scoreEl, scores, ["score", "threshold"].filter((n) => n in scores.fields), start, end, 180,
        { score: { stroke: "#b91c1c", fill: "rgba(185,28,28,0.08)" }, threshold: { stroke: "#6b7280", dash: [5, 5] } });
      const [life] = await load("remaining-life");
      const lifeEl = document.getElementById("rul-chart");
      lifeEl.innerHTML = "";
      if (life.fields.rul_days && life.fields.rul_days.some((v) => v !== null)) {
        draw(lifeEl, life, ["rul_days", "rul_low_days", "rul_high_days"].filter((n) => n in life.fields), start, end, 160,
          { rul_days: { stroke: "#1d4ed8", label: "remaining life" },
            rul_low_days: { stroke: "#93c5fd", dash: [4, 4], label: "90 % low" },
            rul_high_days: { stroke: "#93c5fd", dash: [4, 4], label: "90 % high" } });
        // Which estimate the latest point came from: the model learned from confirmed failures, or the trend.
        const learned = (life.fields.rul_learned || []).filter((v) => v !== null);
        if (learned.length) {
          const note = document.createElement("p");
          note.className = "muted rul-source";
          note.id = "rul-source";
          note.textContent = learned[learned.length - 1] >= 0.5
            ? "Estimate learned from confirmed failures."
            : "Estimate from the degradation trend.";
          lifeEl.appendChild(note);
        }
      } else {
        lifeEl.innerHTML = '<p class="muted">No failure predicted in this range.</p>';
      }
      legend(visible);
      if (!telemetry.time.length) box.insertAdjacentHTML("afterbegin", '<p class="muted">No telemetry in this range.</p>');
      box.dataset.ready = "true";
    } catch (error) {
      box.innerHTML = '<p class="error">Could not load the charts: ' + error.message + "</p>";
    }
  })();
})();
