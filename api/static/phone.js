// The engineer's work-order page on a phone: check-in/out with the browser's position, the
// checklist, parts typed or scanned (a scanner types the code and Enter), photos, notes, the
// customer's signature drawn with a finger (pointer events, exported as PNG) and resolve.
// Plain JS, no library; every call goes to the visit API with the session's CSRF token.
(function () {
  "use strict";
  var page = document.getElementById("wo-page");
  if (!page) return;
  var wo = page.getAttribute("data-wo");
  var base = "/api/v1/work-orders/" + encodeURIComponent(wo) + "/visit";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var message = document.getElementById("visit-message");

  function say(text, bad) {
    message.textContent = text;
    message.className = "message" + (bad ? " message-bad" : " message-ok");
  }

  function call(method, path, body, contentType) {
    var headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
    var payload = body;
    if (body !== undefined && !(body instanceof Blob)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    } else if (body instanceof Blob) {
      headers["Content-Type"] = contentType || body.type || "application/octet-stream";
    }
    return fetch(base + path, {
      method: method, headers: headers, body: payload, credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname); }
      if (response.status === 204) return null;
      return response.json().then(function (data) {
        if (!response.ok) {
          var detail = data && data.detail;
          if (Array.isArray(detail)) detail = detail.map(function (d) { return d.msg; }).join("; ");
          throw new Error(detail || ("HTTP " + response.status));
        }
        return data;
      });
    });
  }

  function fail(error) { say(error.message, true); }

  // --- check-in / check-out, with the position when the phone gives one ---
  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve({}); return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy_m: p.coords.accuracy });
      }, function () { resolve({}); }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  function onClick(id, handler) {
    var el = document.getElementById(id);
    if (el) el.addEventListener("click", handler);
  }

  function visitMove(path, done) {
    return function (event) {
      event.target.disabled = true;
      say("Finding your position…");
      position().then(function (where) {
        return call("POST", path, where);
      }).then(function () {
        say(done);
        window.location.reload();
      }).catch(function (error) { event.target.disabled = false; fail(error); });
    };
  }
  onClick("check-in", visitMove("/check-in", "Checked in."));
  onClick("check-out", visitMove("/check-out", "Checked out."));

  // --- checklist ---
  document.querySelectorAll(".js-step").forEach(function (box) {
    box.addEventListener("change", function () {
      var id = box.getAttribute("data-step");
      call("PUT", "/steps/" + id, { done: box.checked }).then(function (step) {
        var who = document.getElementById("step-who-" + id);
        who.textContent = step.done_at ? step.done_by.split(" (")[0] + " " + step.done_at.slice(11, 16) + " UTC" : "";
        say(step.done_at ? "Step ticked." : "Step unticked.");
      }).catch(function (error) { box.checked = !box.checked; fail(error); });
    });
  });

  // --- parts: the field takes typing or a scanner's code + Enter ---
  var partForm = document.getElementById("part-form");
  if (partForm) {
    partForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = document.getElementById("part-code");
      var qty = document.getElementById("part-qty");
      if (!code.value.trim()) { say("Type or scan a part first.", true); return; }
      call("POST", "/parts", { code: code.value.trim(), quantity: parseInt(qty.value, 10) || 1 })
        .then(function (used) {
          var li = document.createElement("li");
          li.textContent = used.quantity + " × " + used.part_number + " " + used.name + " from " + used.warehouse;
          document.getElementById("parts-used").appendChild(li);
          say("Added " + used.quantity + " × " + used.part_number + " (" + used.name + ").");
          code.value = ""; qty.value = "1"; code.focus();
        }).catch(fail);
    });
  }

  // --- photos ---
  var photo = document.getElementById("photo-input");
  if (photo) {
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file) return;
      say("Uploading " + file.name + "…");
      call("POST", "/photos?filename=" + encodeURIComponent(file.name), file).then(function (saved) {
        var link = document.createElement("a");
        link.href = saved.url;
        var img = document.createElement("img");
        img.src = saved.url; img.alt = "photo " + saved.id;
        link.appendChild(img);
        document.getElementById("photos").appendChild(link);
        say("Photo saved.");
        photo.value = "";
      }).catch(function (error) { photo.value = ""; fail(error); });
    });
  }

  // --- notes ---
  onClick("notes-save", function () {
    call("PUT", "/notes", { text: document.getElementById("notes").value })
      .then(function () { say("Notes saved."); }).catch(fail);
  });

  // --- the signature pad ---
  var canvas = document.getElementById("signature");
  var drawn = false;
  if (canvas) {
    var ctx = canvas.getContext("2d");
    var last = null;
    var blank = function () {
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.strokeStyle = "#111"; ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round";
      drawn = false;
    };
    blank();
    var at = function (event) {
      var box = canvas.getBoundingClientRect();
      return { x: (event.clientX - box.left) * canvas.width / box.width,
               y: (event.clientY - box.top) * canvas.height / box.height };
    };
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = at(event);
      ctx.beginPath(); ctx.arc(last.x, last.y, 1.5, 0, 2 * Math.PI); ctx.fillStyle = "#111"; ctx.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) return;
      event.preventDefault();
      var here = at(event);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(here.x, here.y); ctx.stroke();
      last = here;
    });
    var stop = function () { last = null; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    onClick("sign-clear", blank);
    onClick("sign-save", function () {
      var signer = document.getElementById("signer").value.trim();
      if (!signer) { say("Write the customer's name first.", true); return; }
      if (!drawn) { say("The customer has not signed yet.", true); return; }
      canvas.toBlob(function (png) {
        call("POST", "/signature?signer=" + encodeURIComponent(signer), png, "image/png")
          .then(function () { say("Signature saved."); window.location.reload(); })
          .catch(fail);
      }, "image/png");
    });
  }

  // --- resolve ---
  var resolveForm = document.getElementById("resolve-form");
  if (resolveForm) {
    resolveForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var notes = document.getElementById("notes");
      var reason = document.getElementById("no-acceptance").value.trim();
      call("POST", "/resolve", {
        code: document.getElementById("resolve-code").value,
        notes: notes ? notes.value : null,
        no_acceptance_reason: reason || null
      }).then(function (doc) {
        say("Resolved: " + doc.number + ".");
        window.location.reload();
      }).catch(fail);
    });
  }
})();
