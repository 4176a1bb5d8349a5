// Gongjiang live boards (DESIGN.md §4): one Socket.IO connection to /live, each board's state
// kept from its snapshot and patches, rows re-rendered in place keyed by bib with a FLIP
// animation of rank moves. Shared by the board, screen, standings and organiser live pages;
// the page's body class says which one boots here (the screen boots from screen.js).

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const MOVE_MS = 500;
const POLL_AFTER_MS = 15000; // socket down this long: fetch the JSON snapshot instead
const POLL_EVERY_MS = 20000;
const HTTP_ONLY_EVERY_MS = 5000; // a public board the socket cannot give (see Live.watch)

export function readJSON(id) {
  const el = document.getElementById(id);
  if (!el) return null;
  try { return JSON.parse(el.textContent); } catch { return null; }
}

const STRINGS = readJSON("gj-i18n") || {};

/** A translated string from the page's catalogue, with {name} placeholders filled in. */
export function t(key, vars = {}) {
  let text = STRINGS[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** Rows in board order: ranked first by rank, then unranked, ties by bib (as the server). */
export function byRank(a, b) {
  const ra = a.rank ?? Infinity, rb = b.rank ?? Infinity;
  if (ra !== rb) return ra - rb;
  return a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0;
}

// --- board state ------------------------------------------------------------------------

export class BoardState {
  constructor(contest, event) {
    this.contest = contest;
    this.event = event;
    this.seq = -1;
    this.frozen = false;
    this.view = "public"; // "jury": the live board organisers and chief judges keep while frozen
    this.revealed = 0;
    this.resultStatus = "live"; // DESIGN.md §2: live → signed_off → announced → protested → official
    this.columns = [];
    this.rows = new Map();
  }

  load(snapshot) {
    this.seq = snapshot.seq;
    this.frozen = Boolean(snapshot.frozen);
    this.view = snapshot.view || "public";
    this.revealed = snapshot.revealed || 0;
    this.resultStatus = snapshot.result_status || "live";
    this.columns = snapshot.columns || [];
    this.rows = new Map((snapshot.rows || []).map((row) => [row.entry, row]));
    // The jury's rank ranges come with the snapshot, then as `ranges` events of their own.
    const ranged = (snapshot.rows || []).some((r) => "range" in r);
    this.ranges = snapshot.view === "jury" || ranged
      ? Object.fromEntries((snapshot.rows || []).filter((r) => r.range).map((r) => [r.entry, r.range])) : null;
  }

  /** "old" (already applied), "gap" (ask for a snapshot again) or "applied". Removals come
   *  first, then upserts (DESIGN.md §4). New columns (the scheme changed) need a snapshot. */
  apply(patch) {
    if (patch.seq <= this.seq) return "old";
    if (patch.base !== this.seq || patch.columns) return "gap";
    for (const bib of patch.remove || []) this.rows.delete(bib);
    for (const row of patch.upsert || []) {
      // A patched row keeps the range the last `ranges` event gave it.
      this.rows.set(row.entry, this.ranges ? { ...row, range: this.ranges[row.entry] || null } : row);
    }
    if ("frozen" in patch) this.frozen = Boolean(patch.frozen);
    if (patch.result_status) this.resultStatus = patch.result_status;
    if (patch.reveal) this.revealed = this.frozen ? patch.reveal.revealed : 0;
    if (!this.frozen) this.revealed = 0;
    this.seq = patch.seq;
    return "applied";
  }

  /** The jury's projected rank ranges: a whole replacement, null for every row not named. */
  setRanges(ranges) {
    this.ranges = ranges;
    for (const [bib, row] of this.rows) {
      const range = ranges[bib] || null;
      if (!same(row.range ?? null, range)) this.rows.set(bib, { ...row, range });
    }
  }

  ordered() {
    return [...this.rows.values()].sort(byRank);
  }
}

/** "Possible rank 2–5" (or "Rank will be 4") for a jury row whose rank is still open. */
export function rankRange(range) {
  if (!Array.isArray(range) || range.length !== 2) return "";
  const [best, worst] = range;
  return best === worst ? t("rank_will_be", { rank: best }) : t("possible_rank", { best, worst });
}

// --- the connection ---------------------------------------------------------------------

/**
 * One Socket.IO connection to /live for the page. `board()` keeps a BoardState up to date:
 * watch on every (re)connect, buffer patches while a watch is in flight, re-watch on a gap,
 * and fall back to fetching the JSON snapshot while the socket is down. `feed()` does the
 * same for whole-replacement feeds (standings, progress).
 */
export class Live {
  constructor({ indicator } = {}) {
    this.indicator = indicator;
    this.boards = new Map();
    this.feeds = [];
    this.socket = null;
    this.downSince = Date.now();
    this.setState("connecting");
    if (typeof window.io !== "function") {
      this.setState("offline");
    } else {
      const params = new URLSearchParams(location.search);
      // Polling first, then upgrade (Socket.IO's default): works where websockets are blocked.
      const transports = params.get("transport") === "polling" ? ["polling"] : ["polling", "websocket"];
      this.socket = window.io(location.origin + "/live", { transports });
      this.socket.on("connect", () => {
        this.downSince = null;
        this.setState("live");
        const engine = this.socket.io.engine;
        this.setTransport(engine.transport.name);
        engine.once("upgrade", (transport) => this.setTransport(transport.name));
        for (const b of this.boards.values()) this.watch(b);
        for (const feed of this.feeds) this.subscribe(feed);
      });
      this.socket.on("disconnect", () => { this.downSince = Date.now(); this.setState("offline"); });
      this.socket.on("connect_error", () => {
        if (this.downSince === null) this.downSince = Date.now();
        this.setState("offline");
      });
      this.socket.on("patch", (patch) => this.onPatch(patch));
      this.socket.on("ranges", (message) => this.onRanges(message));
      this.socket.on("board_state", (state) => this.onBoardState(state));
    }
    setInterval(() => this.poll(), 1000);
  }

  setState(state) {
    this.state = state;
    const ind = this.indicator;
    if (!ind) return;
    ind.dataset.state = state;
    const label = ind.querySelector(".label");
    if (label) label.textContent = t(state);
  }

  setTransport(name) {
    if (this.indicator) this.indicator.dataset.transport = name;
  }

  /** `view: "public"` asks for the public board even when the viewer is of the jury. */
  board(contest, event, onChange, initial, { view } = {}) {
    const b = { state: new BoardState(contest, event), onChange, pending: null, view };
    if (initial) b.state.load(initial);
    this.boards.set(`${contest}/${event}`, b);
    if (this.socket && this.socket.connected) this.watch(b);
    return b.state;
  }

  watch(b) {
    const { contest, event } = b.state;
    const pending = [];
    b.pending = pending;
    const request = b.view ? { contest, event, view: b.view } : { contest, event };
    this.socket.timeout(10000).emit("watch", request, (err, snapshot) => {
      if (b.pending !== pending) return; // a newer watch took over
      b.pending = null;
      if (err || !snapshot || snapshot.error) {
        if (err && this.socket.connected) setTimeout(() => this.socket.connected && this.watch(b), 3000);
        return;
      }
      if (b.view && snapshot.view && snapshot.view !== b.view) {
        // The big screen of a hall must never show a frozen board's live ranks, even when an
        // organiser is logged in on the venue PC: read the public board over HTTP without
        // the session cookie; the jury's patches only say when to read it again.
        b.httpOnly = true;
        this.fetchBoard(b);
        return;
      }
      b.httpOnly = false;
      b.state.load(snapshot);
      if (b.recheck) { b.recheck = false; return this.watch(b); } // the board changed state meanwhile
      // Patches that came while the snapshot was on its way: those beyond it still apply.
      for (const patch of pending) if (b.state.apply(patch) === "gap") return this.watch(b);
      b.onChange(b.state, null);
    });
  }

  onPatch(patch) {
    const b = this.boards.get(`${patch.contest}/${patch.event}`);
    if (!b) return;
    if (b.httpOnly) { this.refetch(b); return; }
    if (b.pending) { b.pending.push(patch); return; }
    const outcome = b.state.apply(patch);
    if (outcome === "gap") this.watch(b);
    else if (outcome === "applied") b.onChange(b.state, patch);
  }

  /** The jury's projected rank ranges of a board, computed after the marks that moved them. */
  onRanges(message) {
    const b = this.boards.get(`${message.contest}/${message.event}`);
    // The jury's always; the public's when the contest shows them (the server decides).
    if (!b || !message.ranges || (b.state.view !== "jury" && b.state.frozen)) return;
    if ((b.rangesSeq ?? -1) > message.seq) return; // an older computation
    b.rangesSeq = message.seq;
    b.state.setRanges(message.ranges);
    b.onChange(b.state, null);
  }

  /** Frozen, revealed or live again: a new seq means a snapshot is due. */
  onBoardState(update) {
    const b = this.boards.get(`${update.contest}/${update.event}`);
    if (!b) return;
    if (b.httpOnly) { this.refetch(b); return; }
    if (b.pending) { b.recheck = true; return; }
    if (typeof update.seq === "number" && update.seq !== b.state.seq) { this.watch(b); return; }
    b.state.frozen = Boolean(update.frozen);
    b.state.revealed = update.frozen ? update.revealed || 0 : 0;
    b.onChange(b.state, null);
  }

  /** HTTP instead of the socket: for boards the socket cannot give, and while it is down. */
  poll() {
    const now = Date.now();
    const down = this.downSince !== null && now - this.downSince >= POLL_AFTER_MS;
    for (const b of this.boards.values()) {
      const every = b.httpOnly ? HTTP_ONLY_EVERY_MS : down ? POLL_EVERY_MS : Infinity;
      if (now - (b.polledAt || 0) >= every) this.fetchBoard(b);
    }
    if (down && now - (this.feedsPolledAt || 0) >= POLL_EVERY_MS) {
      this.feedsPolledAt = now;
      for (const feed of this.feeds) if (feed.url) this.fetchFeed(feed);
    }
  }

  refetch(b) {
    clearTimeout(b.refetchTimer);
    b.refetchTimer = setTimeout(() => this.fetchBoard(b), 150);
  }

  async fetchBoard(b) {
    const { contest, event } = b.state;
    b.polledAt = Date.now();
    try {
      const response = await fetch(`/api/v1/contests/${encodeURIComponent(contest)}/events/${encodeURIComponent(event)}/board`,
                                   { headers: { Accept: "application/json" }, cache: "no-store",
                                     credentials: b.view === "public" ? "omit" : "same-origin" });
      if (!response.ok) return;
      const snapshot = await response.json();
      if (snapshot.seq !== b.state.seq || Boolean(snapshot.frozen) !== b.state.frozen
          || (snapshot.revealed || 0) !== b.state.revealed) {
        const revealedBefore = b.state.revealed;
        b.state.load(snapshot);
        // A reveal step seen over HTTP: revealed rows are the bottom ones of the public board.
        const rows = b.state.ordered();
        const step = b.state.frozen && b.state.revealed > revealedBefore && rows[rows.length - b.state.revealed];
        b.onChange(b.state, step ? { upsert: [], remove: [], reveal: { entry: step.entry, revealed: b.state.revealed, of: rows.length } } : null);
      }
    } catch { /* still offline */ }
  }

  /** A feed the server may not have yet: `request` answers with the data, `event` replaces it. */
  feed({ request, payload, event, url, onData, onMissing }) {
    const feed = { request, payload, url, onData, onMissing };
    this.feeds.push(feed);
    if (this.socket) {
      this.socket.on(event, (data) => onData(data));
      if (this.socket.connected) this.subscribe(feed);
    } else if (url) {
      this.fetchFeed(feed);
    }
    return feed;
  }

  subscribe(feed) {
    this.socket.timeout(10000).emit(feed.request, feed.payload, (err, data) => {
      if (!err && data && !data.error) return feed.onData(data);
      // An older server answers no ack to an unknown event: try the HTTP form, if any.
      if (feed.url) this.fetchFeed(feed);
      else if (feed.onMissing) feed.onMissing(err || data.error);
    });
  }

  async fetchFeed(feed) {
    try {
      const response = await fetch(feed.url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) return feed.onData(await response.json());
    } catch { /* offline */ }
    if (feed.onMissing) feed.onMissing(null);
  }
}

// --- rendering --------------------------------------------------------------------------

/** Key order differs between the page's JSON and the socket's: compare values, not text. */
export function same(a, b) {
  if (a === b) return true;
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
}

export function dash(value) {
  return value === null || value === undefined || value === "" ? "–" : value;
}

/** The cells of a board row, shared by the phone board and the big screen. */
export function boardCells(columns, { screen = false } = {}) {
  const cells = [
    { cls: "num rank", fill: (td, r) => { td.textContent = dash(r.rank); } },
    { cls: "bib", fill: (td, r) => { td.textContent = r.entry; } },
    { cls: "name", fill: (td, r) => {
      td.replaceChildren(el("span", "name-text", dash(r.name)), el("span", "sub", r.delegation || ""));
    } },
    { cls: "delegation hide-narrow", fill: (td, r) => { td.textContent = r.delegation || ""; } },
  ];
  for (const col of columns) {
    cells.push({ cls: "num section hide-narrow", fill: (td, r) => { td.textContent = dash((r.sections || {})[col.code]); } });
  }
  cells.push({ cls: "num total", fill: (td, r) => {
    td.replaceChildren(el("strong", null, dash(r.total)), el("span", "sub", `${r.progress[0]}/${r.progress[1]}`));
    // On a phone the progress column is hidden: its possible rank shows here instead.
    const range = !screen && rankRange(r.range);
    if (range) td.append(el("span", "rank-range show-narrow", range));
  } });
  cells.push({ cls: "num progress hide-narrow", fill: (td, r) => {
    const [marked, expected] = r.progress;
    if (!screen) {
      td.replaceChildren(`${marked}/${expected}`);
      const range = rankRange(r.range); // only when the contest shows ranges on its public board
      if (range) td.append(el("span", "rank-range", range));
    } else if (r.status === "final") {
      // The big screen says "final" here, and nothing for provisional rows: every row is
      // provisional until it is final, as the side panel says.
      td.replaceChildren(el("span", "badge status-final", t("final")));
    } else {
      const bar = el("span", "bar");
      bar.style.setProperty("--done", expected ? Math.min(1, marked / expected) : 0);
      td.replaceChildren(bar, el("span", "count", `${marked}/${expected}`));
    }
  } });
  cells.push({ cls: "state", fill: (td, r) => {
    if (r.status === "final" && r.award) td.replaceChildren(el("span", "award", r.award));
    else if (screen) td.replaceChildren();
    else if (r.provisional_award) td.replaceChildren(provisionalAward(r.provisional_award));
    else td.replaceChildren(el("span", `badge status-${r.status}`, t(r.status)));
  } });
  return cells;
}

/** An award not decided yet, as the jury sees it: labelled 暂定, never on a public surface. */
export function provisionalAward(award) {
  return el("span", "award provisional", t("provisional_award", { award }));
}

/** The event's result status in words (实时 / 已签字确认 / 公示中，截至 … / 复核中 / 正式成绩). */
export function showResultStatus(node, status) {
  if (!node) return;
  node.dataset.status = status;
  node.textContent = t(`result_${status}`);
}

/**
 * A <tbody> whose rows are kept keyed by bib: render(rows) updates changed cells, reorders
 * the rows, and slides the moved ones from where they were (FLIP), unless the reader
 * prefers reduced motion.
 */
export class RowsView {
  /** `quiet`: row fields whose change alone re-fills the cells without the highlight. */
  constructor(tbody, cells, { emptyText, colspan, quiet = [] } = {}) {
    this.tbody = tbody;
    this.cells = cells;
    this.emptyText = emptyText;
    this.colspan = colspan;
    this.quiet = quiet;
    this.trs = new Map();
    this.data = new Map();
  }

  setCells(cells) {
    this.cells = cells;
    this.data.clear(); // every row re-fills its cells
    for (const tr of this.trs.values()) tr.replaceChildren();
  }

  quietly(old, row) {
    if (!this.quiet.length) return false;
    const loud = (r) => Object.fromEntries(Object.entries(r).filter(([k]) => !this.quiet.includes(k)));
    return same(loud(old), loud(row));
  }

  /** `highlight`: the bib of a row to mark (the one a reveal step just showed). */
  render(rows, { animate = true, highlight = null } = {}) {
    const motion = animate && !reducedMotion.matches && this.trs.size > 0;
    const before = new Map();
    if (motion) for (const [bib, tr] of this.trs) before.set(bib, tr.getBoundingClientRect().top);
    const keep = new Set(rows.map((r) => r.entry));
    for (const [bib, tr] of this.trs) {
      if (!keep.has(bib)) { tr.remove(); this.trs.delete(bib); this.data.delete(bib); }
    }
    for (const node of [...this.tbody.children]) if (!node.dataset.key) node.remove();
    const changed = [];
    rows.forEach((row, index) => {
      let tr = this.trs.get(row.entry);
      const fresh = !tr;
      if (fresh) {
        tr = el("tr");
        tr.dataset.key = row.entry;
        tr.dataset.entry = row.entry;
        this.trs.set(row.entry, tr);
      }
      const old = this.data.get(row.entry);
      if (!same(old, row) || tr.children.length !== this.cells.length) {
        if (tr.children.length !== this.cells.length) tr.replaceChildren(...this.cells.map((c) => el("td", c.cls)));
        this.cells.forEach((cell, i) => cell.fill(tr.children[i], row));
        tr.className = `status-row-${row.status}${row.rank !== null && row.rank <= 3 ? ` top top-${row.rank}` : ""}`;
        if (old && !fresh && !this.quietly(old, row)) changed.push([tr, old, row]);
        this.data.set(row.entry, row);
      }
      if (this.tbody.children[index] !== tr) this.tbody.insertBefore(tr, this.tbody.children[index] || null);
    });
    if (!rows.length && this.emptyText) {
      const tr = el("tr", "empty-row");
      const td = el("td", "empty", this.emptyText);
      td.colSpan = this.colspan ? this.colspan() : this.cells.length;
      tr.append(td);
      this.tbody.append(tr);
    }
    for (const [tr, old, row] of changed) {
      const up = old.rank === null ? row.rank !== null : row.rank !== null && row.rank < old.rank;
      const down = row.rank !== old.rank && !up;
      tr.dataset.move = up ? "up" : down ? "down" : "";
      tr.classList.remove("flash");
      void tr.offsetWidth; // restart the highlight
      tr.classList.add("flash");
      clearTimeout(tr._moveTimer);
      tr._moveTimer = setTimeout(() => { tr.classList.remove("flash"); tr.dataset.move = ""; }, 4000);
    }
    if (highlight !== null) {
      for (const [bib, tr] of this.trs) tr.classList.toggle("revealed", bib === highlight);
    }
    if (!motion) return;
    const moved = [];
    for (const [bib, top] of before) {
      const tr = this.trs.get(bib);
      if (!tr) continue;
      const dy = top - tr.getBoundingClientRect().top;
      if (Math.abs(dy) > 1) { tr.style.transition = "none"; tr.style.transform = `translateY(${dy}px)`; moved.push(tr); }
    }
    if (!moved.length) return;
    void this.tbody.offsetHeight;
    for (const tr of moved) {
      tr.classList.add("moving");
      tr.style.transition = `transform ${MOVE_MS}ms cubic-bezier(.2,.7,.3,1)`;
      tr.style.transform = "";
      setTimeout(() => { tr.classList.remove("moving"); tr.style.transition = ""; }, MOVE_MS + 50);
    }
  }
}

/** Tells screen readers about rank changes, at most once every 20 seconds. */
export class Announcer {
  constructor(node, gapMs = 20000) {
    this.node = node;
    this.gapMs = gapMs;
    this.last = 0;
    this.timer = null;
    this.next = null;
  }

  say(text, { now = false } = {}) {
    if (!this.node || !text) return;
    this.next = text;
    const wait = now ? 0 : this.last + this.gapMs - Date.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    this.timer = null;
    if (!this.next) return;
    this.node.textContent = this.next;
    this.next = null;
    this.last = Date.now();
  }

  /** The best new rank among the rows a patch moved up, in one sentence. */
  rankChange(patch, previous) {
    let best = null;
    for (const row of patch.upsert || []) {
      const old = previous.get(row.entry);
      if (row.rank === null || (old && old.rank !== null && old.rank <= row.rank)) continue;
      if (!best || row.rank < best.rank) best = row;
    }
    if (best) this.say(t("moved", { name: best.name || best.entry, bib: best.entry, rank: best.rank }));
  }
}

// --- the phone board ----------------------------------------------------------------------

/** The banner of a frozen board: frozen, being revealed, or (for the jury) live behind it. */
/**
 * The contest's announcement (DESIGN.md §4 `announcement`): shown in `node` (its
 * [data-announcement-text]) until it is cleared; over HTTP while the socket is down.
 */
export function followAnnouncements(live, node, onChange = null) {
  if (!node) return;
  const contest = node.dataset.contest;
  const text = node.querySelector("[data-announcement-text]");
  live.feed({
    request: "watch_announcements", event: "announcement", payload: { contest },
    url: `/api/v1/contests/${encodeURIComponent(contest)}/announcement`,
    onData: (data) => {
      if (!data || data.contest !== contest || !("announcement" in data)) return;
      const shown = data.announcement;
      node.hidden = !shown;
      node.dataset.id = shown ? String(shown.id) : "";
      text.textContent = shown ? shown.text : "";
      if (onChange) onChange(shown);
    },
  });
}

/** "1:02:03" or "02:03": what is left of `ms` milliseconds, never below zero. */
export function formatLeft(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

export function showFrozen(banner, state) {
  if (!banner) return;
  banner.hidden = !state.frozen;
  if (!state.frozen) return;
  banner.textContent = state.view === "jury" ? t("frozen_jury")
    : state.revealed ? t("revealing", { revealed: state.revealed, total: state.rows.size }) : t("frozen");
}

function bootBoard() {
  const table = document.querySelector("[data-board]");
  const snapshot = readJSON("gj-board");
  if (!table || !snapshot) return;
  const banner = document.querySelector("[data-frozen-banner]");
  const resultStatus = document.querySelector("[data-result-status]");
  const revealNote = document.querySelector("[data-reveal-note]");
  const announcer = new Announcer(document.querySelector("[data-announcer]"));
  const view = new RowsView(table.tBodies[0], boardCells(snapshot.columns),
                            { emptyText: t("no_entries") });
  let previous = new Map();
  const live = new Live({ indicator: document.querySelector("[data-live-indicator]") });
  followAnnouncements(live, document.querySelector("[data-announcement]"));
  const render = (state, patch) => {
    if (!same(state.columns, snapshot.columns)) { location.reload(); return; } // the scheme changed
    const revealed = patch && patch.reveal ? state.rows.get(patch.reveal.entry) : null;
    if (revealed) {
      // A reveal step at the ceremony: said at once, and shown above the board.
      const text = t("just_revealed", { name: revealed.name || revealed.entry, bib: revealed.entry, rank: dash(revealed.rank) });
      announcer.say(text, { now: true });
      if (revealNote) revealNote.textContent = text;
    } else if (patch) {
      announcer.rankChange(patch, previous);
    }
    view.render(state.ordered(), { animate: Boolean(patch), highlight: revealed ? revealed.entry : null });
    previous = new Map(state.rows);
    table.dataset.seq = state.seq;
    showFrozen(banner, state);
    showResultStatus(resultStatus, state.resultStatus);
    if (revealNote) revealNote.hidden = !(state.frozen && state.revealed && revealNote.textContent);
  };
  const state = live.board(snapshot.contest, snapshot.event, render, snapshot);
  previous = new Map(state.rows);
  view.render(state.ordered(), { animate: false });
}

// --- delegation standings -----------------------------------------------------------------

function standingsCells(awardNames) {
  const cells = [
    { cls: "num rank", fill: (td, r) => { td.textContent = dash(r.rank); } },
    { cls: "name", fill: (td, r) => {
      const won = awardNames.filter((a) => (r.awards || {})[a]).map((a) => `${a} ${r.awards[a]}`).join(" · ");
      td.replaceChildren(el("span", "name-text", r.delegation), el("span", "sub", won));
    } },
  ];
  for (const award of awardNames) {
    cells.push({ cls: "num award-count hide-narrow", fill: (td, r) => { td.textContent = (r.awards || {})[award] || 0; } });
  }
  cells.push({ cls: "num entries hide-narrow", fill: (td, r) => { td.textContent = dash(r.entries); } });
  cells.push({ cls: "num total", fill: (td, r) => { td.replaceChildren(el("strong", null, dash(r.total))); } });
  return cells;
}

function bootStandings() {
  const table = document.querySelector("[data-standings]");
  const config = readJSON("gj-standings");
  if (!table || !config) return;
  const head = table.tHead.rows[0];
  const hiddenNote = document.querySelector("[data-standings-hidden]");
  const bestN = document.querySelector("[data-best-n]");
  const announcer = new Announcer(document.querySelector("[data-announcer]"));
  let awardNames = null;
  let view = null;
  let seq = -1;
  const show = (data, { animate = true } = {}) => {
    if (!data || data.contest !== config.contest || !Array.isArray(data.rows)) return;
    if (typeof data.seq === "number" && data.seq < seq) return; // an older state
    seq = data.seq ?? seq;
    // Keyed by delegation (the row view keys rows by `entry`).
    const rows = data.rows.map((row) => ({ ...row, entry: row.delegation, status: "" }));
    const names = data.awards || [];
    if (!view || !same(names, awardNames)) {
      awardNames = names;
      head.querySelectorAll(".award-count").forEach((th) => th.remove());
      const before = head.querySelector(".entries");
      for (const name of awardNames) {
        const th = el("th", "num award-count hide-narrow", name);
        th.scope = "col";
        head.insertBefore(th, before);
      }
      if (view) view.setCells(standingsCells(awardNames));
      else view = new RowsView(table.tBodies[0], standingsCells(awardNames), { emptyText: t("no_standings") });
    }
    if (hiddenNote) hiddenNote.hidden = !data.hidden;
    for (const [code, status] of Object.entries(data.result_status || {})) {
      showResultStatus(document.querySelector(`[data-standings-status] [data-event="${CSS.escape(code)}"]`), status);
    }
    if (bestN && data.best_n) bestN.textContent = t("best_n", { count: data.best_n });
    const old = view.data;
    const up = rows.find((r) => r.rank !== null && old.has(r.entry) && (old.get(r.entry).rank ?? Infinity) > r.rank);
    if (animate && up) announcer.say(t("moved", { delegation: up.delegation, rank: up.rank }));
    view.render(rows, { animate });
  };
  show(config.initial, { animate: false });
  const live = new Live({ indicator: document.querySelector("[data-live-indicator]") });
  live.feed({ request: "watch_standings", event: "standings", payload: { contest: config.contest }, url: config.url,
              onData: (data) => show(data) });
  followAnnouncements(live, document.querySelector("[data-announcement]"));
}

// --- organiser live view --------------------------------------------------------------------

function bootOrganiser() {
  const config = readJSON("gj-organiser");
  if (!config) return;
  const feed = document.querySelector("[data-activity]");
  const live = new Live({ indicator: document.querySelector("[data-live-indicator]") });
  // Progress comes from `watch_progress`; only a server without it makes the boards count.
  let progressFromBoards = false;
  const card = (code) => document.querySelector(`[data-event-card="${CSS.escape(code)}"]`);
  const boardsByCode = new Map();

  const setProgress = (code, marked, expected) => {
    const c = card(code);
    if (!c) return;
    c.querySelector("[data-marked]").textContent = `${marked}/${expected}`;
    const meter = c.querySelector("progress");
    meter.max = Math.max(1, expected);
    meter.value = marked;
    c.querySelector("[data-percent]").textContent = expected ? `${Math.floor((100 * marked) / expected)}%` : "–";
  };

  const addActivity = (text) => {
    if (!feed) return;
    const li = el("li");
    li.append(el("time", null, new Date().toLocaleTimeString(document.documentElement.lang, { hour12: false })), " ", text);
    feed.prepend(li);
    while (feed.children.length > 30) feed.lastElementChild.remove();
    const empty = document.querySelector("[data-activity-empty]");
    if (empty) empty.hidden = true;
  };

  const events = config.events.map((code) => ({ code, name: (card(code) && card(code).dataset.eventName) || code }));
  for (const ev of events) {
    const c = card(ev.code);
    const tbody = c && c.querySelector("tbody");
    const view = tbody ? new RowsView(tbody, [
      { cls: "num rank", fill: (td, r) => { td.textContent = dash(r.rank); } },
      { cls: "bib", fill: (td, r) => { td.textContent = r.entry; } },
      { cls: "name", fill: (td, r) => { td.textContent = dash(r.name); } },
      { cls: "num total", fill: (td, r) => { td.textContent = dash(r.total); } },
      { cls: "num progress", fill: (td, r) => {
        const range = rankRange(r.range);
        td.replaceChildren(`${r.progress[0]}/${r.progress[1]}`);
        if (range) td.append(el("span", "rank-range", range));
      } },
      { cls: "award-cell", fill: (td, r) => {
        if (r.award) td.replaceChildren(el("span", "award", r.award));
        else if (r.provisional_award) td.replaceChildren(provisionalAward(r.provisional_award));
        else td.replaceChildren();
      } },
    ], { emptyText: t("no_entries"), quiet: ["range"] }) : null;
    let previous = new Map();
    let wasFrozen = null;
    let wasRevealed = 0;
    const render = (state, patch) => {
      if (progressFromBoards) {
        let marked = 0, expected = 0;
        for (const r of state.rows.values()) { marked += r.progress[0]; expected += r.progress[1]; }
        setProgress(ev.code, marked, expected);
      }
      if (c) {
        c.querySelector("[data-frozen]").hidden = !state.frozen;
        showResultStatus(c.querySelector("[data-result-status]"), state.resultStatus);
        for (const form of c.querySelectorAll("[data-when]")) {
          form.hidden = form.dataset.when === "live" ? state.frozen : form.dataset.when === "frozen" ? !state.frozen : false;
        }
        const revealed = c.querySelector("[data-revealed]");
        if (revealed) {
          revealed.hidden = !state.frozen;
          revealed.textContent = t("revealed_of", { revealed: state.revealed, total: state.rows.size });
        }
      }
      if (wasFrozen !== null && wasFrozen !== state.frozen) addActivity(t(state.frozen ? "froze" : "unfroze", { event: ev.name }));
      if (wasFrozen && state.frozen && state.revealed !== wasRevealed) {
        addActivity(t("event_revealed", { event: ev.name, revealed: state.revealed, total: state.rows.size }));
      }
      wasFrozen = state.frozen;
      wasRevealed = state.revealed;
      if (view) view.render(state.ordered().slice(0, config.top || 5), { animate: Boolean(patch) });
      if (patch) {
        for (const row of patch.upsert || []) {
          const old = previous.get(row.entry);
          if (old && old.progress[0] !== row.progress[0]) {
            addActivity(t("marks_in", { event: ev.name, bib: row.entry, marked: row.progress[0], expected: row.progress[1] }));
          }
          if (old && old.status !== "final" && row.status === "final") addActivity(t("entry_final", { event: ev.name, bib: row.entry }));
        }
      }
      previous = new Map(state.rows);
    };
    const state = live.board(config.contest, ev.code, render, config.boards[ev.code]);
    boardsByCode.set(ev.code, state);
    render(state, null);
  }

  let lastProgress = null;
  live.feed({
    request: "watch_progress", event: "progress", payload: { contest: config.contest },
    onMissing: () => { progressFromBoards = true; },
    onData: (data) => {
      if (!data || data.contest !== config.contest || !Array.isArray(data.events)) return;
      progressFromBoards = false;
      for (const ev of data.events) {
        const c = card(ev.event);
        if (!c) continue;
        setProgress(ev.event, ev.marked, ev.expected);
        const old = lastProgress && lastProgress.get(ev.event);
        c.querySelector("[data-locked]").textContent = ev.entries === undefined ? dash(ev.locked) : `${ev.locked}/${ev.entries}`;
        if (ev.entries !== undefined) c.querySelector("[data-entries]").textContent = ev.entries;
        const flags = c.querySelector("[data-flags]");
        flags.textContent = dash(ev.flags);
        flags.closest(".stat").classList.toggle("alert", Number(ev.flags) > 0);
        const name = (events.find((e) => e.code === ev.event) || {}).name || ev.event;
        if (old && ev.locked > old.locked) addActivity(t("locked_now", { event: name, count: ev.locked }));
        if (old && ev.flags > old.flags) addActivity(t("flags_now", { event: name, count: ev.flags }));
      }
      lastProgress = new Map(data.events.map((e) => [e.event, e]));
    },
  });

  // Freeze and reveal without leaving the page: the forms post as JSON; what they change
  // comes back over the socket like any other update. Without script they post and return.
  const error = document.querySelector("[data-action-error]");
  for (const form of document.querySelectorAll("form.board-action")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const response = await fetch(form.action, { method: "POST", body: new FormData(form),
                                                    headers: { Accept: "application/json" } });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error((body.error && body.error.message) || t("action_failed"));
        if (error) error.hidden = true;
      } catch (failure) {
        if (error) { error.textContent = failure.message || t("action_failed"); error.hidden = false; }
      } finally {
        button.disabled = false;
      }
    });
  }
}

const boots = { "page-board": bootBoard, "page-standings": bootStandings, "page-organiser-live": bootOrganiser };
for (const [cls, boot] of Object.entries(boots)) if (document.body.classList.contains(cls)) boot();
