// Vigil dashboard: live feed over server-sent events, fragment refresh, acknowledge, silence,
// SLA countdowns. Plain JavaScript, no build step.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  function toast(text, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "toast" + (kind ? " toast-" + kind : "");
    item.textContent = text;
    box.appendChild(item);
    setTimeout(() => item.classList.add("toast-out"), 5000);
    setTimeout(() => item.remove(), 5600);
  }
  window.vigilToast = toast;

  async function refresh(el) {
    if (!el || !el.dataset.fragment) return;
    const response = await fetch(el.dataset.fragment, { credentials: "same-origin" });
    if (response.status === 401) { window.location = "/login?next=" + encodeURIComponent(location.pathname); return; }
    if (response.ok) { el.innerHTML = await response.text(); updateCountdowns(); }
  }
  function refreshAll() { document.querySelectorAll("[data-fragment]").forEach(refresh); }
  window.vigilRefreshAll = refreshAll;

  async function api(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { /* empty body */ }
    if (!response.ok) throw new Error((data && data.detail) || response.statusText);
    return data;
  }
  window.vigilApi = api;

  // --- live feed -------------------------------------------------------------------------------
  const status = document.getElementById("live-status");
  function setLive(state, text) {
    if (!status) return;
    status.dataset.state = state;
    status.querySelector(".live-text").textContent = text;
  }
  let timer = null;
  function scheduleRefresh() {
    // Several events often come together (an alert and its work order): refresh once.
    clearTimeout(timer);
    timer = setTimeout(refreshAll, 250);
  }
  // Only the operations pages show the live status (customer and engineer keys get no feed).
  if (window.EventSource && status) {
    const source = new EventSource("/api/v1/events");
    source.onopen = () => setLive("live", "Live");
    source.onerror = () => setLive("down", "Reconnecting…");
    source.addEventListener("alert", (message) => {
      const alert = JSON.parse(message.data);
      // The alert's own top metric says why, e.g. "(vibration rms 70 %)".
      const top = Object.entries(alert.contributions || {}).sort((a, b) => b[1] - a[1])[0];
      const why = top ? " (" + top[0].replace(/_/g, " ") + " " + Math.round(100 * top[1]) + " %)" : "";
      const what = alert.asset + " — " + alert.fault_code.replace(/_/g, " ") + why;
      if (alert.state === "firing" && !alert.acknowledged_at) {
        toast("Alert firing on " + what, "alert");
      } else if (alert.state === "pending") {
        toast("Alert pending on " + what);
      }
      scheduleRefresh();
    });
    source.addEventListener("presence", (message) => {
      const presence = JSON.parse(message.data);
      if (!presence.online) toast("Gateway of " + presence.asset + " offline", "alert");
      scheduleRefresh();
    });
    source.addEventListener("work_order", (message) => {
      const wo = JSON.parse(message.data);
      if (wo.version === 1) toast("Work order " + wo.number + " opened for " + wo.asset, "wo");
      scheduleRefresh();
    });
  }
  document.querySelectorAll("[data-refresh-s]").forEach((el) => {
    setInterval(() => refresh(el), 1000 * Number(el.dataset.refreshS));
  });

  // --- actions ---------------------------------------------------------------------------------
  document.addEventListener("click", async (event) => {
    const button = event.target.closest(".js-ack");
    if (!button) return;
    button.disabled = true;
    try {
      await api("POST", "/api/v1/alerts/" + button.dataset.alertId + "/acknowledge");
      toast("Alert acknowledged");
      button.replaceWith(Object.assign(document.createElement("span"), { className: "acked", textContent: "✓ Acknowledged" }));
      scheduleRefresh();
    } catch (error) {
      button.disabled = false;
      toast("Could not acknowledge: " + error.message, "error");
    }
  });

  const silence = document.getElementById("silence-form");
  if (silence) {
    silence.addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = new FormData(silence);
      try {
        await api("POST", "/api/v1/silences", {
          site: silence.dataset.site, asset: silence.dataset.asset,
          duration_minutes: Number(form.get("duration_minutes")), reason: String(form.get("reason")),
        });
        toast("Silenced " + silence.dataset.asset + " for planned work");
        silence.closest("details").open = false;
        setTimeout(() => window.location.reload(), 600);
      } catch (error) {
        toast("Could not silence: " + error.message, "error");
      }
    });
  }

  // --- SLA countdowns --------------------------------------------------------------------------
  function span(ms) {
    const m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    return d ? d + " d " + h + " h" : h ? h + " h " + (m % 60) + " min" : (m % 60) + " min";
  }
  function updateCountdowns() {
    const now = Date.now();
    document.querySelectorAll(".sla[data-deadline]").forEach((el) => {
      const left = Date.parse(el.dataset.deadline) - now;
      const late = left < 0;
      el.classList.toggle("sla-late", late);
      el.closest(".wo-card")?.classList.toggle("overdue", late);
      el.textContent = late ? "OVERDUE by " + span(left) + " (" + el.dataset.what + ")"
                            : el.dataset.what + " within " + span(left);
    });
  }
  updateCountdowns();
  setInterval(updateCountdowns, 15000);
})();
