/* The tablet's outbox: marks the server does not have yet, kept in IndexedDB on the tablet
   until it does. A marking form that cannot reach the server goes here whole (its fields, its
   client id, the revisions it saw); when the connection is back the outbox sends its forms in
   the order they were kept, one at a time, each to the URL it came from, with a fresh CSRF
   token. The server stores a form once whatever the number of replays (its client id), and
   what it refuses (an entry locked meanwhile, no longer assigned, a mark moved on) stays here
   with the reason until the judge settles it: nothing is dropped unless the judge says so.

   The outbox keeps who entered each form: marks kept under a judge since logged out wait for
   that judge to log in again. A form kept by an earlier version of this page (another FORMAT)
   is never sent as it is: the judge opens the entry, whose form shows the kept values again.

   The tablet also registers the service worker (sw.js: the judges' pages offline) and reports
   itself to the chief judge's tablet view every REPORT_MS while it is online. */

export const FORMAT = 1;
const DB_NAME = "gongjiang";
const STORE = "outbox";
const REPORT_MS = 1000 * (Number((document.querySelector("[data-outbox]") || { dataset: {} }).dataset.reportEvery) || 15);
const RETRY_MS = 10000;
const TIMEOUT_MS = 15000;
const KEPT_NOTE = "gj-kept";
const SENT_NOTE = "gj-sent";

const panel = document.querySelector("[data-outbox]");
const words = (function () {
  try { return JSON.parse(document.getElementById("outbox-text").textContent); } catch (e) { return {}; }
})();
const me = panel ? Number(panel.dataset.user) : null;

function say(template, values) {
  return String(template || "").replace(/\{(\w+)\}/g, function (_all, name) {
    return values && values[name] !== undefined ? values[name] : "";
  });
}

// --- IndexedDB: one store of kept forms, in the order they were kept (auto-increment id) ------

let opened = null;

function database() {
  if (!opened) {
    opened = new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  return opened;
}

// One transaction; resolves once it has committed (so a page may navigate away right after).
function transact(mode, work) {
  return database().then(function (db) {
    return new Promise(function (resolve, reject) {
      const tx = db.transaction(STORE, mode);
      let result;
      const request = work(tx.objectStore(STORE));
      if (request) request.onsuccess = function () { result = request.result; };
      tx.oncomplete = function () { resolve(result); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  });
}

export function kept() {
  return transact("readonly", function (store) { return store.getAll(); }).then(function (all) {
    return all || [];
  }, function () { return []; });
}

function save(item) { return transact("readwrite", function (store) { return store.put(item); }); }
function drop(id) { return transact("readwrite", function (store) { return store.delete(id); }); }

// Only one tab of the tablet sends or changes the outbox at a time.
function exclusive(work) {
  if (navigator.locks && navigator.locks.request) return navigator.locks.request("gj-outbox", work);
  return work();
}

function mine(item) { return item.user === me; }

/* Keep a form: replaces whatever this judge kept for the same form before (the newer values
   are the judge's), at the end of the queue. `form`: {formKey, url, label, fields, marks}. */
export function keep(form, state, reason) {
  return exclusive(function () {
    return kept().then(function (all) {
      const older = all.filter(function (item) { return mine(item) && item.formKey === form.formKey; });
      return Promise.all(older.map(function (item) { return drop(item.id); }));
    }).then(function () {
      return save({ v: FORMAT, user: me, userName: panel ? panel.dataset.userName : "",
        formKey: form.formKey, url: form.url, label: form.label, fields: form.fields,
        marks: form.marks, keptAt: Date.now(), state: state || "waiting", reason: reason || "" });
    });
  }).then(function () { render(); report(); });
}

/* The newest form this judge kept for a marking form, whatever its state or version. */
export function keptFor(formKey) {
  return kept().then(function (all) {
    const found = all.filter(function (item) { return mine(item) && item.formKey === formKey; });
    return found.length ? found[found.length - 1] : null;
  });
}

/* The server has this form's marks now (sent from the page itself): what was kept for it goes. */
export function settled(formKey) {
  return exclusive(function () {
    return kept().then(function (all) {
      return Promise.all(all.filter(function (item) { return mine(item) && item.formKey === formKey; })
        .map(function (item) { return drop(item.id); }));
    });
  }).then(function () { render(); report(); });
}

/* A page changed on the server (a form stored): the kept copy is fetched again. */
export function refreshKept(url) {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "keep", urls: [], again: [url] });
}

/* A note for the next page: "the marks for … are kept on this tablet". */
export function noteKept(label) {
  try { window.sessionStorage.setItem(KEPT_NOTE, label); } catch (e) { /* the outbox still shows it */ }
}

// --- sending --------------------------------------------------------------------------------

let status = "";      // what the summary says of the last attempt: sending, offline, sent, signedOut
let sending = null;   // the running attempt, shared by whoever asks meanwhile

function request(url, options) {
  const controller = window.AbortController ? new AbortController() : null;
  const timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
  if (controller) options.signal = controller.signal;
  options.credentials = "same-origin";
  options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
  return fetch(url, options).then(function (response) {
    if (timer) clearTimeout(timer);
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { status: response.status, type: response.type, body: body || {} };
    });
  }, function (error) {
    if (timer) clearTimeout(timer);
    throw error;
  });
}

function whyRefused(answer) {
  const body = answer.body || {};
  if (answer.status === 403 || answer.status === 404) return words.notAssigned;
  if (body.error && body.error.message) return body.error.message;        // locked, marking closed
  const errors = body.errors || {};
  const messages = Object.keys(errors).map(function (name) { return errors[name]; }).filter(Boolean);
  if (answer.status === 409 && body.seen !== undefined) return words.movedOn;
  return messages.length ? messages.join(" ") : words.invalid;
}

function sendKept() {
  return kept().then(function (all) {
    const queue = all.filter(function (item) { return item.v === FORMAT && item.state === "waiting"; });
    if (!queue.length) return "";
    if (!panel) return "";
    return request(panel.dataset.session, { method: "GET" }).then(function (answer) {
      const session = answer.body || {};
      if (answer.status !== 200) return "offline";
      if (!session.user) return "signedOut";
      const theirs = queue.filter(function (item) { return item.user === session.user; });
      let step = Promise.resolve("");
      theirs.forEach(function (item) {
        step = step.then(function (stopped) {
          if (stopped) return stopped;
          return sendOne(item, session.csrf_token);
        });
      });
      return step.then(function (stopped) { return stopped || (theirs.length ? "sent" : ""); });
    }, function () { return "offline"; });
  });
}

// One kept form, as its page would have sent it; "" to go on with the next, or why to stop.
let storedHere = 0;   // forms this page sent and the server stored

function sendOne(item, token) {
  const body = new FormData();
  item.fields.forEach(function (pair) { body.append(pair[0], pair[0] === "csrf_token" ? token : pair[1]); });
  return request(item.url, { method: "POST", body: body, redirect: "manual" }).then(function (answer) {
    if (answer.status === 200 && answer.body.ok) {
      storedHere += 1;
      return drop(item.id).then(function () { return ""; });
    }
    if (answer.type === "opaqueredirect" || answer.status === 400 || answer.status === 401) return "signedOut";
    if (answer.status >= 500 || answer.status === 429 || answer.status === 0) return "offline";
    item.state = "refused";
    item.reason = whyRefused(answer);
    item.refusedAt = Date.now();
    return save(item).then(function () { return ""; });
  }, function () { return "offline"; });
}

export function send() {
  if (sending) return sending;
  const previous = status;   // nothing to send: what the last attempt said still holds
  status = "sending";
  render();
  const before = storedHere;
  sending = exclusive(sendKept).then(function (outcome) { status = outcome || previous; },
                                      function () { status = "offline"; })
    .then(function () { sending = null; return render(); }).then(function () {
      report();
      // An entry list shown from before the marks went is out of date now: it is shown anew,
      // unless the judge is typing in it.
      const list = document.querySelector("[data-list]");
      const typing = document.activeElement && /INPUT|TEXTAREA/.test(document.activeElement.tagName);
      if (storedHere > before && list && !typing && navigator.onLine !== false) {
        try { window.sessionStorage.setItem(SENT_NOTE, "1"); } catch (e) { /* the list just says less */ }
        window.location.reload();
      }
    });
  return sending;
}

// --- the panel --------------------------------------------------------------------------------

function timeText(ms) {
  const d = new Date(ms);
  return d.toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
}

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content) node.textContent = content;
  return node;
}

function itemRow(item) {
  const li = element("li", "outbox-item");
  li.dataset.state = item.v !== FORMAT ? "old" : item.state;
  li.dataset.formKey = item.formKey || "";
  li.appendChild(element("strong", "outbox-label", item.label || item.formKey || ""));
  const marks = (item.marks || []).map(function (m) { return m.code + " " + m.value; }).join(" · ");
  if (marks) li.appendChild(element("span", "outbox-marks", marks));
  li.appendChild(element("span", "outbox-time", say(words.queuedAt, { time: timeText(item.keptAt || 0) })));
  let why = "";
  if (item.v !== FORMAT) why = words.oldVersion;
  else if (!mine(item)) why = say(words.otherUser, { name: item.userName || "?" });
  else if (item.state === "refused") why = say(words.reason, { reason: item.reason });
  if (why) li.appendChild(element("p", "outbox-reason", why));
  if (mine(item) && (item.state === "refused" || item.v !== FORMAT)) {
    const actions = element("span", "outbox-actions");
    if (item.url) {
      const open = element("a", "button", words.open);
      open.href = item.url;
      actions.appendChild(open);
    }
    const discard = element("button", "button danger", words.discard);
    discard.type = "button";
    discard.addEventListener("click", function () {
      if (!discard.dataset.sure) {  // a second tap, on a button that says what it does, discards
        discard.dataset.sure = "1";
        discard.textContent = words.discardSure;
        return;
      }
      exclusive(function () { return drop(item.id); }).then(function () { render(); report(); });
    });
    actions.appendChild(discard);
    li.appendChild(actions);
  }
  return li;
}

// Marks, not forms: a form kept for an entry holds the marks the judge gave on it.
function marksIn(items) {
  return items.reduce(function (sum, item) { return sum + Math.max(1, (item.marks || []).length); }, 0);
}

function counts(all) {
  return {
    waiting: marksIn(all.filter(function (i) { return mine(i) && i.v === FORMAT && i.state === "waiting"; })),
    refused: marksIn(all.filter(function (i) { return mine(i) && (i.state === "refused" || i.v !== FORMAT); })),
  };
}

function render() {
  if (!panel) return Promise.resolve();
  return kept().then(function (all) {
    const summary = panel.querySelector("[data-outbox-summary]");
    const list = panel.querySelector("[data-outbox-list]");
    const note = takeNote();
    const n = counts(all);
    const lines = [];
    if (note) lines.push(say(words.queued, { entry: note }));
    if (n.waiting) lines.push(say(words.waiting, { n: n.waiting }));
    if (n.refused) lines.push(say(words.refused, { n: n.refused }));
    const said = { sending: words.sending, offline: words.offline, signedOut: words.signedOut,
      sent: n.waiting || n.refused ? "" : words.sent }[status];
    if (said && (all.length || status === "sent")) lines.push(said);
    summary.textContent = lines.join(" ");
    list.replaceChildren.apply(list, all.map(itemRow));
    panel.dataset.waiting = String(n.waiting);
    panel.dataset.refused = String(n.refused);
    panel.dataset.status = status;
    panel.querySelector("[data-outbox-send]").hidden = !n.waiting;
    panel.hidden = !all.length && !note && status !== "sent";
    markEntries(all);
  });
}

// On the entry list: each entry whose marks wait here says so, next to its state.
function markEntries(all) {
  const waitingAt = {};
  all.filter(mine).forEach(function (item) { waitingAt[item.url] = item.state === "refused" ? "refused" : "waiting"; });
  document.querySelectorAll("a.entry-link").forEach(function (link) {
    const state = waitingAt[link.getAttribute("href")];
    let badge = link.querySelector("[data-kept]");
    if (!state) { if (badge) badge.remove(); return; }
    if (!badge) {
      badge = element("span", "state");
      badge.dataset.kept = "";
      const right = link.querySelector(".entry-right") || link;
      right.insertBefore(badge, right.firstChild);
    }
    badge.className = "state " + (state === "refused" ? "state-returned" : "state-kept");
    badge.textContent = state === "refused" ? words.badgeRefused : words.badgeWaiting;
  });
}

let note = null;
function takeNote() {
  if (note === null) {
    try {
      note = window.sessionStorage.getItem(KEPT_NOTE) || "";
      window.sessionStorage.removeItem(KEPT_NOTE);
    } catch (e) { note = ""; }
  }
  return note;
}

// --- the tablet's report to the chief judge ---------------------------------------------------

function deviceId() {
  let id = null;
  try { id = window.localStorage.getItem("gj-device"); } catch (e) { /* a private window */ }
  if (!id) {
    const bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    id = Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    try { window.localStorage.setItem("gj-device", id); } catch (e) { /* a new id per page then */ }
  }
  return id;
}

function battery() {
  if (!navigator.getBattery) return Promise.resolve(null);
  return navigator.getBattery().then(function (b) { return b; }, function () { return null; });
}

function csrfToken() {
  const input = document.querySelector("input[name=csrf_token]");
  return input ? input.value : "";
}

let reporting = false;

export function report() {
  if (!panel || !panel.dataset.report || reporting || navigator.onLine === false) return Promise.resolve();
  reporting = true;
  return Promise.all([kept(), battery()]).then(function (got) {
    const n = counts(got[0]);
    const b = got[1];
    const body = { device: deviceId(), version: panel.dataset.version, waiting: n.waiting, refused: n.refused,
      battery: b ? Math.round(b.level * 100) : null, charging: b ? !!b.charging : null,
      offline_pages: "serviceWorker" in navigator, event: panel.dataset.event || null,
      entry: panel.dataset.key || null };
    return request(panel.dataset.report, { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() } });
  }).then(function (answer) {
    const warning = document.querySelector("[data-twin-warning]");
    if (warning && answer && answer.status === 200) warning.hidden = !answer.body.twin;
  }, function () { /* offline: the chief judge sees the tablet's last report age */ })
    .then(function () { reporting = false; });
}

// --- pages offline: the service worker, and the pages worth keeping --------------------------

// The entries still to mark (the forms a judge will need offline; a correction of a finished
// one waits for the network), the way back, the next entry, and the files. At most KEEP_AT_MOST
// forms per page: thirty tablets opening their lists at once should not render the whole event
// thirty times.
const KEEP_AT_MOST = 40;

function pagesWorthKeeping() {
  const urls = [window.location.pathname + window.location.search, panel.dataset.offline, panel.dataset.scope];
  const forms = Array.prototype.slice.call(document.querySelectorAll("[data-list=left] a.entry-link, [data-found] a.entry-link"))
    .slice(0, KEEP_AT_MOST);
  forms.concat(Array.prototype.slice.call(document.querySelectorAll(".crumbs a, a.event-link, [data-next], [data-done]")))
    .forEach(function (node) {
      const url = node.getAttribute("href") || node.dataset.next || node.dataset.done;
      if (url) urls.push(url.split("#")[0]);
    });
  try { JSON.parse(panel.dataset.files || "[]").forEach(function (url) { urls.push(url); }); } catch (e) { /* pages only */ }
  return urls.filter(function (url, i) { return url && urls.indexOf(url) === i; });
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) {
    const notice = document.querySelector("[data-no-offline-pages]");
    if (notice) notice.hidden = false;
    return;
  }
  navigator.serviceWorker.register(panel.dataset.sw, { scope: panel.dataset.scope }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    if (navigator.onLine !== false && registration.active) {
      registration.active.postMessage({ type: "keep", urls: pagesWorthKeeping() });
    }
  }, function () { /* no worker: the outbox works without it */ });
}

// --- start ------------------------------------------------------------------------------------

if (panel) {
  if (navigator.onLine === false) {
    // A kept page shown offline: the success notes it carried are from another time.
    document.querySelectorAll(".flashes").forEach(function (node) { node.hidden = true; });
  }
  panel.querySelector("[data-outbox-send]").addEventListener("click", function () { send(); });
  window.addEventListener("online", function () { report().then(send); });
  window.addEventListener("offline", function () { status = "offline"; render(); });
  // Logging out forgets the pages kept for this judge; their kept marks stay, under their name.
  document.querySelectorAll("form[action$='/logout']").forEach(function (form) {
    form.addEventListener("submit", function () {
      const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) worker.postMessage({ type: "forget" });
    });
  });
  const back = document.querySelector("[data-history-back]");
  if (back) back.addEventListener("click", function () { window.history.back(); });
  try {
    if (window.sessionStorage.getItem(SENT_NOTE)) { status = "sent"; window.sessionStorage.removeItem(SENT_NOTE); }
  } catch (e) { /* no note */ }
  render().then(function () { return report(); }).then(function () { if (navigator.onLine !== false) send(); });
  setInterval(report, REPORT_MS);
  setInterval(function () {
    if (navigator.onLine === false) return;
    kept().then(function (all) { if (counts(all).waiting) send(); });
  }, RETRY_MS);
  registerWorker();
}
