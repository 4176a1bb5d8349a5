/* The marking form, enhanced: marks go out with fetch (POST /api/v1/marks, or the form's own
   URL when judging is blind, so a bib never reaches the page), one client id per criterion
   derived from the form's. When the network fails, a banner says so and the values stay on
   the tablet (also in localStorage) to be sent again with the same ids: a retry never stores
   twice. Without this script the form posts normally and the server does all of it. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-marking]");
  if (!form || !window.fetch || !window.JSON) return;

  var text = JSON.parse(document.getElementById("judging-text").textContent);
  var banner = document.getElementById("net-banner");
  var bannerText = banner.querySelector("[data-net-text]");
  var retryButton = banner.querySelector("[data-retry]");
  var submitButton = form.querySelector("[data-submit]");
  var clientIdInput = form.querySelector("input[name=client_id]");
  var csrfInput = form.querySelector("input[name=csrf_token]");
  var reasonBox = form.querySelector("[data-reason]");
  var reasonInput = reasonBox ? reasonBox.querySelector("textarea") : null;
  var sets = Array.prototype.slice.call(form.querySelectorAll("[data-criterion]"));
  var draftKey = form.dataset.draft;
  var sending = false;
  var TIMEOUT_MS = 15000;

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function messages(set) {
    try { return JSON.parse(set.dataset.messages || "{}"); } catch (e) { return {}; }
  }

  function textInput(set) { return set.querySelector("input.mark-input"); }

  function valueOf(set) {
    var checked = set.querySelector("input[type=radio]:checked");
    if (checked) return checked.value;
    var input = textInput(set);
    return input ? input.value : "";
  }

  function setValue(set, value) {
    var input = textInput(set);
    if (input) { input.value = value; return; }
    Array.prototype.forEach.call(set.querySelectorAll("input[type=radio]"), function (radio) {
      radio.checked = radio.value === value;
    });
  }

  // "８．５", " 8.50 " and "8.5" are the same mark; anything else is compared as typed.
  function canonical(value) {
    var v = String(value).replace(/[０-９．]/g, function (c) {
      return c === "．" ? "." : String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).trim();
    if (!/^(\d+\.?\d*|\.\d+)$/.test(v)) return v;
    if (v.indexOf(".") >= 0) v = v.replace(/0+$/, "").replace(/\.$/, "");
    v = v.replace(/^0+(?=\d)/, "");
    return v === "" || v === "." ? "0" : (v.charAt(0) === "." ? "0" + v : v);
  }

  function decimals(text) {
    var dot = text.indexOf(".");
    return dot < 0 ? 0 : text.length - dot - 1;
  }

  // The server decides (scoring.parse_mark); this only spares a round trip for what it would
  // refuse anyway, so that every field's refusal shows at once and nothing half-goes out.
  function localRefusal(set) {
    var raw = String(valueOf(set)).trim();
    if (raw === "") return "empty";
    var v = canonical(raw);
    if (/^[-－]/.test(raw)) return /^[-－](\d+\.?\d*|\.\d+)$/.test(v.replace("－", "-")) ? "negative" : "not_a_number";
    if (!/^(\d+\.?\d*|\.\d+)$/.test(v)) return "not_a_number";
    var input = textInput(set);
    var max = input ? input.dataset.max : "3";
    var step = input ? input.dataset.step : "1";
    if (parseFloat(v) > parseFloat(max)) return "over_max";
    var places = Math.max(decimals(v), decimals(step));
    if (places > 12) return "too_many_decimals";
    var scale = Math.pow(10, places);
    if (Math.round(parseFloat(v) * scale) % Math.round(parseFloat(step) * scale) !== 0) return "not_a_step";
    return null;
  }

  function isCorrection(set) { return set.dataset.current !== "" && !set.dataset.returned; }

  function changed(set) {
    return set.dataset.current === "" || !!set.dataset.returned ||
      canonical(valueOf(set)) !== canonical(set.dataset.current);
  }

  function errorOf(id) { return document.getElementById(id + "-error"); }

  function showError(set, message) {
    var p = errorOf(set.dataset.field);
    set.classList.add("has-error");
    if (p) { p.textContent = message; p.hidden = false; }
  }

  function showReasonError(message) {
    if (!reasonBox) return;
    reasonBox.hidden = false;
    reasonBox.classList.add("has-error");
    var p = errorOf(reasonInput.id);
    if (p) { p.textContent = message; p.hidden = false; }
    reasonInput.focus();
  }

  function clearErrors() {
    sets.forEach(function (set) {
      set.classList.remove("has-error");
      var p = errorOf(set.dataset.field);
      if (p) { p.textContent = ""; p.hidden = true; }
    });
    if (reasonBox) {
      reasonBox.classList.remove("has-error");
      var p = errorOf(reasonInput.id);
      if (p) { p.textContent = ""; p.hidden = true; }
    }
  }

  function showBanner(message, canRetry, info) {
    bannerText.textContent = message;
    retryButton.hidden = !canRetry;
    banner.classList.toggle("is-info", !!info);
    banner.hidden = false;
  }

  function hideBanner() { banner.hidden = true; }

  function saveDraft() {
    var s = store();
    if (!s) return;
    var values = {};
    sets.forEach(function (set) { values[set.dataset.field] = valueOf(set); });
    try {
      s.setItem(draftKey, JSON.stringify({ clientId: clientIdInput.value, values: values,
        reason: reasonInput ? reasonInput.value : "", savedAt: Date.now() }));
    } catch (e) { /* storage full or forbidden: the values are still in the form */ }
  }

  function dropDraft() {
    var s = store();
    if (s) s.removeItem(draftKey);
  }

  function restoreDraft() {
    var s = store();
    var raw = s && s.getItem(draftKey);
    if (!raw) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { dropDraft(); return; }
    if (!draft || !draft.values) return;
    sets.forEach(function (set) {
      if (Object.prototype.hasOwnProperty.call(draft.values, set.dataset.field)) {
        setValue(set, draft.values[set.dataset.field]);
      }
    });
    if (reasonInput && draft.reason) { reasonInput.value = draft.reason; reasonBox.hidden = false; }
    // The same ids again: whatever reached the server before is answered, not stored twice.
    if (draft.clientId) clientIdInput.value = draft.clientId;
    showBanner(text.restored, true, true);
  }

  function criterionClientId(set, index) {
    var id = clientIdInput.value + ":" + set.dataset.criterion;
    return id.length <= 64 ? id : clientIdInput.value + ":#" + index;
  }

  function post(url, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    if (controller) options.signal = controller.signal;
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      if (timer) clearTimeout(timer);
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }, function (error) {
      if (timer) clearTimeout(timer);
      throw error;
    });
  }

  function offline() {
    saveDraft();
    showBanner(text.offline, true);
  }

  function locked() {
    dropDraft();
    showBanner(text.locked, false, true);
    setTimeout(function () { window.location.reload(); }, 2500);
  }

  function done(url) {
    dropDraft();
    window.location.assign(url || form.dataset.done);
  }

  // Through the tablet API: one POST per criterion that changed.
  function sendToApi(pending) {
    var reason = reasonInput ? reasonInput.value.trim() : "";
    var failed = false;
    var chain = Promise.resolve();
    pending.forEach(function (item) {
      chain = chain.then(function (state) {
        if (state === "stop") return "stop";
        var set = item.set;
        var body = { contest: form.dataset.contest, event: form.dataset.event, entry: form.dataset.entry,
          criterion: set.dataset.criterion, value: valueOf(set), client_id: criterionClientId(set, item.index) };
        if (set.dataset.current !== "") body.reason = reason;
        return post(form.dataset.api, { method: "POST", body: JSON.stringify(body),
          headers: { "Content-Type": "application/json", "Accept": "application/json",
                     "X-CSRFToken": csrfInput ? csrfInput.value : "" } })
          .then(function (answer) {
            var error = (answer.body && answer.body.error) || {};
            if (answer.status === 200 || answer.status === 201) {
              set.dataset.current = answer.body.mark ? answer.body.mark.value : canonical(valueOf(set));
              set.dataset.returned = "";
              return;
            }
            if (answer.status === 409 && (error.code === "locked" || error.code === "not_judging")) {
              locked();
              return "stop";
            }
            if (answer.status === 400 || answer.status === 401) {
              saveDraft();
              showBanner(text.expired, true);
              return "stop";
            }
            if (answer.status >= 500 || answer.status === 429) {
              offline();
              return "stop";
            }
            failed = true;
            if (error.code === "reason_required") {
              showReasonError(text.reason);
            } else {
              showError(set, messages(set)[error.code] || error.message || text.failed);
            }
          });
      });
    });
    return chain.then(function (state) {
      if (state === "stop") return;
      if (failed) { dropDraft(); return; }
      done();
    });
  }

  // Blind judging: the form's own URL answers in JSON (the page carries no bib for the API).
  function sendForm() {
    var url = form.getAttribute("action") || window.location.pathname;
    return post(url, { method: "POST", body: new FormData(form), headers: { "Accept": "application/json" } })
      .then(function (answer) {
        var body = answer.body || {};
        if (answer.status === 200 && body.ok) { done(body.redirect); return; }
        if (answer.status === 409 && body.error) { locked(); return; }
        if (answer.status === 400 || answer.status === 401) { saveDraft(); showBanner(text.expired, true); return; }
        if (answer.status >= 500 || answer.status === 429) { offline(); return; }
        if (body.client_id) clientIdInput.value = body.client_id;
        var errors = body.errors || {};
        sets.forEach(function (set) {
          if (errors[set.dataset.field]) showError(set, errors[set.dataset.field]);
        });
        if (reasonInput && errors[reasonInput.name]) showReasonError(errors[reasonInput.name]);
        dropDraft();
      });
  }

  function send() {
    if (sending) return;  // a double tap sends once
    clearErrors();
    hideBanner();
    // What the server would refuse at once is told at once, next to its field.
    var empty = false;
    sets.forEach(function (set) {
      var refusal = localRefusal(set);
      if (refusal) { showError(set, messages(set)[refusal] || text.failed); empty = true; }
    });
    var pending = [];
    sets.forEach(function (set, index) { if (changed(set)) pending.push({ set: set, index: index }); });
    var needsReason = pending.some(function (item) { return isCorrection(item.set); });
    if (needsReason && reasonInput && !reasonInput.value.trim()) {
      showReasonError(text.reason);
      empty = true;
    }
    if (empty) {
      var first = form.querySelector(".has-error");
      if (first) first.scrollIntoView({ block: "center" });
      return;
    }
    if (!pending.length) { done(); return; }
    sending = true;
    submitButton.disabled = true;
    submitButton.dataset.label = submitButton.dataset.label || submitButton.textContent;
    submitButton.textContent = text.sending;
    saveDraft();
    var work = form.dataset.entry ? sendToApi(pending) : sendForm();
    work.catch(offline).then(function () {
      sending = false;
      submitButton.disabled = false;
      submitButton.textContent = submitButton.dataset.label;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  retryButton.addEventListener("click", send);

  form.addEventListener("input", function (event) {
    var set = event.target.closest("[data-criterion]");
    if (set && reasonBox && isCorrection(set) && changed(set)) reasonBox.hidden = false;
    if (set && set.classList.contains("has-error")) {
      set.classList.remove("has-error");
      var p = errorOf(set.dataset.field);
      if (p) p.hidden = true;
    }
    var s = store();
    if (s && s.getItem(draftKey)) saveDraft();  // keep an unsent draft up to date
  });

  restoreDraft();
})();
