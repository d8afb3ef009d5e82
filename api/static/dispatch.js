// Dispatch board: send the engineer of a suggestion (POST /api/v1/work-orders/{ref}/dispatch).
(function () {
  "use strict";
  document.addEventListener("click", async (event) => {
    const button = event.target.closest(".js-dispatch");
    if (!button) return;
    button.disabled = true;
    try {
      await window.vigilApi("POST", "/api/v1/work-orders/" + encodeURIComponent(button.dataset.ref) + "/dispatch",
        { engineer_id: Number(button.dataset.engineerId) });
      window.vigilToast(button.dataset.ref + " dispatched to " + button.dataset.engineer);
      window.vigilRefreshAll();
    } catch (error) {
      button.disabled = false;
      window.vigilToast("Could not dispatch: " + error.message, "error");
    }
  });
})();
