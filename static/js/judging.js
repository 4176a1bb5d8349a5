/* The marking form, enhanced: the whole form goes out with fetch to its own URL, which stores
   all of it or none of it (marking.services.submit_marks) and answers in JSON, every refused
   field with its reason. Values the server would refuse anyway are told at once, by the same
   rule (marks.js). When the network fails, the whole form goes into the tablet's outbox
   (outbox.js), which sends it when the connection is back with the same form id, so that a
   retry never stores twice, and the judge goes on to the next entry. A form the outbox kept
   for this entry fills the form again when it opens. Without this script the form posts
   normally and the server does all of it. */
import { canonical, refusal } from "./marks.js";
import { keep, keptFor, noteKept, refreshKept, settled, FORMAT } from "./outbox.js";

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
  var seenInput = form.querySelector("input[name=seen]");
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

  // The server decides (scoring.parse_mark); this only spares a round trip for what it would
  // refuse anyway, so that every field's refusal shows at once and nothing half-goes out.
  function localRefusal(set) {
    var rule;
    try { rule = JSON.parse(set.dataset.rule); } catch (e) { return null; }  // the server will say
    return refusal(valueOf(set), rule);
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

  // Drafts in localStorage are what an earlier version of this page kept; this one keeps forms
  // in the outbox, and only reads (and then forgets) those.
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

  // What the outbox kept for this form: its values again, and why they are not stored yet.
  function restoreKept(item) {
    if (!item) return;
    var values = {};
    (item.fields || []).forEach(function (pair) { values[pair[0]] = pair[1]; });
    sets.forEach(function (set) {
      if (Object.prototype.hasOwnProperty.call(values, set.dataset.field)) setValue(set, values[set.dataset.field]);
    });
    if (reasonInput && values[reasonInput.name]) { reasonInput.value = values[reasonInput.name]; reasonBox.hidden = false; }
    if (item.v !== FORMAT) showBanner(text.keptOld, false, true);
    else if (item.state === "refused") showBanner(text.keptRefused.replace("{reason}", item.reason || ""), false);
    else showBanner(text.kept, false, true);
  }

  function snapshot(then) {
    var fields = [];
    new FormData(form).forEach(function (value, name) { if (typeof value === "string") fields.push([name, value]); });
    if (then && then.name) fields.push([then.name, then.value]);
    var marks = [];
    sets.forEach(function (set) {
      if (changed(set)) marks.push({ code: set.dataset.criterion, value: canonical(valueOf(set)) });
    });
    var heading = document.querySelector(".mark-head h1");
    return { formKey: draftKey, url: form.getAttribute("action") || window.location.pathname,
      label: heading ? heading.textContent.replace(/\s+/g, " ").trim() : draftKey, fields: fields, marks: marks };
  }

  // The server cannot be reached: the form waits in the outbox and the judge goes on.
  function keepAndGoOn(then) {
    var kept = snapshot(then);
    return keep(kept).then(function () {
      dropDraft();
      noteKept(kept.label);
      window.location.assign((then && then.dataset.next) || formHome());
    }, function () { showBanner(text.offline, true); });  // no IndexedDB: the values stay in the form
  }

  function formHome() { return form.dataset.home || form.dataset.done; }

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

  function locked(then, message) {
    // Refused now, kept for the judge to settle once the chief judge unlocks the entry.
    keep(snapshot(then), "refused", message || text.locked).catch(function () { return null; }).then(function () {
      dropDraft();
      showBanner(text.locked, false, true);
      setTimeout(function () { window.location.reload(); }, 2500);
    });
  }

  function done(url) {
    dropDraft();
    refreshKept(form.getAttribute("action") || window.location.pathname);  // the kept page shows the stored marks
    settled(draftKey).catch(function () { return null; }).then(function () {
      window.location.assign(url || form.dataset.done);
    });
  }

  // The form's own URL: one transaction for the whole form, answered in JSON.
  // `then`: the button that sent it ("save and next" names itself; FormData leaves it out).
  function sendForm(then) {
    var url = form.getAttribute("action") || window.location.pathname;
    var body = new FormData(form);
    if (then && then.name) body.set(then.name, then.value);
    return post(url, { method: "POST", body: body, headers: { "Accept": "application/json" } })
      .then(function (answer) {
        var body = answer.body || {};
        if (answer.status === 200 && body.ok) { done(body.redirect); return; }
        if (answer.status === 409 && body.error) { locked(then, body.error.message); return; }
        if (answer.status === 400 || answer.status === 401) {
          // Kept under this judge: sent once they have logged in again.
          return keep(snapshot(then)).then(function () { showBanner(text.expired, true); },
                                           function () { showBanner(text.expired, true); });
        }
        if (answer.status >= 500 || answer.status === 429) { return keepAndGoOn(then); }
        if (body.client_id) clientIdInput.value = body.client_id;
        if (body.seen && seenInput) seenInput.value = body.seen;  // a mark moved on meanwhile
        var errors = body.errors || {};
        sets.forEach(function (set) {
          if (errors[set.dataset.field]) showError(set, errors[set.dataset.field]);
        });
        if (reasonInput && errors[reasonInput.name]) showReasonError(errors[reasonInput.name]);
        dropDraft();
      });
  }

  var lastSubmitter = null;  // what the retry sends again with

  function send(then) {
    if (sending) return;  // a double tap sends once
    clearErrors();
    hideBanner();
    // What the server would refuse at once is told at once, next to its field.
    var empty = false;
    sets.forEach(function (set) {
      var code = localRefusal(set);
      if (code) { showError(set, messages(set)[code] || text.failed); empty = true; }
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
    if (!pending.length) { done(then && then.dataset.next); return; }
    sending = true;
    submitButton.disabled = true;
    submitButton.dataset.label = submitButton.dataset.label || submitButton.textContent;
    submitButton.textContent = text.sending;
    var sent = navigator.onLine === false ? keepAndGoOn(then)
      : sendForm(then).catch(function () { return keepAndGoOn(then); });
    sent.then(function () {
      sending = false;
      submitButton.disabled = false;
      submitButton.textContent = submitButton.dataset.label;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    lastSubmitter = event.submitter || null;
    send(lastSubmitter);
  });
  retryButton.addEventListener("click", function () { send(lastSubmitter); });

  form.addEventListener("input", function (event) {
    var set = event.target.closest("[data-criterion]");
    if (set && reasonBox && isCorrection(set) && changed(set)) reasonBox.hidden = false;
    if (set && set.classList.contains("has-error")) {
      set.classList.remove("has-error");
      var p = errorOf(set.dataset.field);
      if (p) p.hidden = true;
    }
  });

  restoreDraft();
  keptFor(draftKey).then(restoreKept, function () { return null; });
})();
