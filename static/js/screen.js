// The big screen (/c/<contest>/screen): every event's board kept live over one connection;
// shows one page of one event at a time, pages through long boards and rotates the events
// every `interval` seconds. Only ranked entries get rows; the entries nobody has marked yet
// are one line under the board ("64 still to be marked"), so no page is a list of dashes.
// Names, bibs and delegations are never cut: they wrap to a second line or get smaller until
// they fit their cell. Rows per page follow the viewport and the screen's layout (its font
// scale and rows per page, see screen_layout.js): no scrollbars, no mouse.
// A named screen of the hall (?name=大屏一) shows what the organiser's console sets it to show
// (`watch_screen`, then `screen` events, DESIGN.md §4): the event being marked, a fixed event,
// the delegation standings, the announcement, a countdown or an event's winners card. Every
// screen shows the contest's current announcement in a strip above the board.
import { Announcer, Live, RowsView, dash, el, followAnnouncements, formatLeft, readJSON, same, showFrozen,
  showResultStatus, t } from "./board.js";
import { screenLayout } from "./screen_layout.js";

const config = readJSON("gj-screen");
const frame = document.querySelector("[data-frame]");
const table = document.querySelector("[data-screen-board]");
const banner = document.querySelector("[data-frozen-banner]");
const resultStatus = document.querySelector("[data-result-status]");
const pending = document.querySelector("[data-pending]");
const pager = document.querySelector("[data-pager]");
const dots = document.querySelector("[data-dots]");
const qr = document.querySelector("[data-qr]");
const qrUrl = document.querySelector("[data-qr-url]");
const eventName = document.querySelector("[data-event-name]");
const announcer = new Announcer(document.querySelector("[data-announcer]"), 30000);
const REVEAL_HOLD_MS = 90000; // after a reveal step the screen stays on that board
const BASE_ROW_VH = 7.4; // a row's height at scale 1, in hundredths of the viewport's height
const MISSING = "—"; // a section nobody has scored yet: never "0.00"

function startClock() {
  const clock = document.querySelector("[data-clock]");
  const tick = () => {
    clock.textContent = new Date().toLocaleTimeString(document.documentElement.lang || "zh-Hans", {
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  };
  tick();
  setInterval(tick, 1000);
}

/**
 * A section's score as the screen shows it. A row carries every section's score once the entry
 * has any mark, a section without a scored criterion counting 0.00; so while the entry is not
 * fully marked, a zero is a section still to be marked and shows "—". A zero on a fully marked
 * entry is a real zero.
 */
export function sectionText(row, code) {
  const value = (row.sections || {})[code];
  if (value === null || value === undefined || value === "") return MISSING;
  const [marked, expected] = row.progress || [0, 0];
  if (Number(value) === 0 && marked < expected) return MISSING;
  return value;
}

/** The cells of a screen row. Every text sits in a span.fit, which fitCells makes fit its cell. */
function screenCells(columns) {
  const fit = (td, content, cls = "") => {
    const box = el("span", `fit ${cls}`.trim());
    if (typeof content === "string") box.textContent = content; else box.append(content);
    td.replaceChildren(box);
    return box;
  };
  const cells = [
    { cls: "num rank", fill: (td, r) => fit(td, String(dash(r.rank))) },
    { cls: "bib", fill: (td, r) => fit(td, r.entry) },
    { cls: "name", fill: (td, r) => fit(td, dash(r.name)) },
    { cls: "delegation", fill: (td, r) => fit(td, r.delegation || "") },
  ];
  for (const col of columns) {
    cells.push({ cls: "num section", fill: (td, r) => {
      const text = sectionText(r, col.code);
      fit(td, text);
      td.classList.toggle("missing", text === MISSING);
    } });
  }
  cells.push({ cls: "num total", fill: (td, r) => fit(td, el("strong", null, dash(r.total))) });
  cells.push({ cls: "progress", fill: (td, r) => {
    const [marked, expected] = r.progress;
    const bar = el("span", "bar");
    bar.style.setProperty("--done", expected ? Math.min(1, marked / expected) : 0);
    td.replaceChildren(bar, el("span", "fit count", `${marked}/${expected}`));
  } });
  cells.push({ cls: "state", fill: (td, r) => {
    // As the phone board says it: the award once final, else the row's status in words.
    fit(td, r.status === "final" && r.award ? el("span", "award", r.award)
      : el("span", `badge status-${r.status}`, t(r.status)));
  } });
  return cells;
}

function columnsHead(columns) {
  const cols = ["rank", "bib", "name", "delegation", ...columns.map(() => "section"), "total", "progress", "state"];
  table.querySelector("colgroup").replaceChildren(...cols.map((c) => el("col", `c-${c}`)));
  // Sections share about a fifth of the width, so the delegation keeps room.
  table.style.setProperty("--section-w", `${Math.min(7.2, 18 / Math.max(1, columns.length))}%`);
  const th = (cls, text) => {
    const cell = el("th", cls);
    cell.scope = "col";
    cell.append(el("span", "fit", text));
    return cell;
  };
  table.tHead.rows[0].replaceChildren(
    th("rank", t("rank")), th("bib", t("bib")), th("name", t("name")), th("delegation", t("delegation")),
    ...columns.map((c) => th("num section", c.name)),
    th("num total", t("total")), th("progress", t("progress")), th("state", t("status")));
}

// --- fitting texts into their cells ------------------------------------------------------------

// A text that fits on one line at this share of its size stays on one line: a bib reads best
// unbroken, a team's name on two lines at full size rather than on one line at half. Numbers,
// statuses and headings always stay on one line (0: at whatever size it takes).
const ONE_LINE_MIN = { bib: 0.5, name: 0.8, delegation: 0.75 };
const FIT_MIN = 0.35; // below this a text wraps to more lines rather than shrinking further
const fitted = new Map(); // (cell, text, width, height, scale) -> [size, one line]: a page turn measures nothing

function fits(box, room) {
  return box.scrollWidth <= box.clientWidth + 0.5 && box.getBoundingClientRect().height <= room;
}

function setFit(cell, box, size, oneLine) {
  cell.style.setProperty("--fit", String(size));
  box.classList.toggle("one-line", oneLine);
}

/** The largest size (a factor of the cell's font size) at which the text fits: on one line
 *  if it can stay legible there, else wrapped to two lines or more, never cut. */
function measure(cell, box, room, oneLineMin) {
  setFit(cell, box, 1, true);
  if (fits(box, room)) return [1, true];
  const guess = Math.floor((box.clientWidth / box.scrollWidth) * 100) / 100;
  if (guess >= oneLineMin) {
    setFit(cell, box, guess, true);
    if (fits(box, room)) return [guess, true];
    if (oneLineMin === 0) return [Math.max(0.05, guess - 0.05), true];
  }
  let lo = FIT_MIN, hi = 1;
  setFit(cell, box, hi, false);
  if (fits(box, room)) return [hi, false];
  for (let i = 0; i < 7; i += 1) {
    const mid = (lo + hi) / 2;
    setFit(cell, box, mid, false);
    if (fits(box, room)) lo = mid; else hi = mid;
  }
  return [Math.floor(lo * 100) / 100, false];
}

function fitCells(rowHeight, scale) {
  const boxes = [...table.querySelectorAll("th > .fit, td > .fit")];
  // Read every width first: one layout, then each write below measures only what it must.
  const keys = boxes.map((box) => [box.parentElement.tagName, box.parentElement.className, box.textContent,
                                   box.parentElement.clientWidth, rowHeight, scale].join("|"));
  const sizes = boxes.map((box, i) => {
    let done = fitted.get(keys[i]);
    if (!done) {
      const cell = box.parentElement;
      const head = cell.tagName === "TH";
      const kind = head ? null : Object.keys(ONE_LINE_MIN).find((k) => cell.classList.contains(k));
      // A bib may get smaller on a screen set larger: it is the row's quietest text.
      const min = kind === "bib" ? ONE_LINE_MIN.bib / Math.max(1, scale) : kind ? ONE_LINE_MIN[kind] : 0;
      done = measure(cell, box, head ? Infinity : rowHeight * 0.94, min);
      if (fitted.size > 5000) fitted.clear();
      fitted.set(keys[i], done);
    }
    return done;
  });
  // The bibs of a page, one under the other, read best at one size: the smallest that fits.
  const isBib = (box) => box.parentElement.tagName === "TD" && box.parentElement.classList.contains("bib");
  const bibSize = Math.min(...sizes.filter(([, oneLine], i) => oneLine && isBib(boxes[i])).map(([size]) => size));
  boxes.forEach((box, i) => {
    const [size, oneLine] = sizes[i];
    setFit(box.parentElement, box, oneLine && isBib(box) ? bibSize : size, oneLine);
  });
}

/** The rows the screen shows, in board order: the ranked ones, and while a frozen board is
 *  being revealed the entries `revealed` (bibs) too, marked or not: the ceremony shows each step. */
export function shownRows(state, revealed = new Set()) {
  return state.ordered().filter((r) => r.rank !== null || (state.frozen && revealed.has(r.entry)));
}

// --- the screen --------------------------------------------------------------------------------

function boot() {
  if (!config || !config.slides.length) return;
  startClock();
  const live = new Live({ indicator: document.querySelector("[data-live-indicator]") });
  const view = new RowsView(table.tBodies[0], [], { emptyText: t("no_entries"), colspan: () => table.tHead.rows[0].cells.length });
  const slides = [];
  let layout = screenLayout(new URLSearchParams(location.search));
  let current = 0;
  let page = 0;
  let shownEvent = null;
  let shownColumns = null;
  let previous = new Map();
  let perPageNow = 1;
  let holdUntil = 0;
  let only = null; // the event the console pins this screen to (a fixed one, or the one being marked)
  let overlaid = null; // what the console shows instead of a board

  /** Rows per page and their height: the layout's rows (the font scale giving way if they
   *  would not fit at it), else as many rows of the scaled base height as fit; the rows are
   *  then stretched to fill the frame. `fewer` takes rows off when the page came out too tall. */
  function rowsPerPage(fewer = 0) {
    const room = frame.clientHeight - table.tHead.offsetHeight - 2;
    const base = window.innerHeight * BASE_ROW_VH / 100;
    let scale = layout.scale;
    let perPage;
    if (layout.rows) {
      perPage = layout.rows;
      scale = Math.min(scale, room / perPage / base);
    } else {
      perPage = Math.floor(room / (base * scale));
    }
    perPage = Math.max(1, perPage - fewer);
    const rowHeight = Math.floor(room / perPage);
    document.body.style.setProperty("--scale", String(Math.round(scale * 1000) / 1000));
    document.body.style.setProperty("--row-h", `${rowHeight}px`);
    frame.dataset.rows = String(perPage);
    frame.dataset.scale = String(Math.round(scale * 100) / 100);
    perPageNow = perPage;
    return { perPage, rowHeight };
  }

  function showPending(count, of) {
    pending.hidden = count === 0;
    pending.dataset.count = String(count);
    pending.querySelector("[data-pending-text]").textContent = t("pending", { count });
    pending.querySelector(".bar").style.setProperty("--done", of ? (of - count) / of : 0);
  }

  function render({ animate = false, turning = false, highlight = null } = {}) {
    const slide = slides[current];
    const state = slide.state;
    if (shownEvent !== slide.code || !same(state.columns, shownColumns)) {
      shownEvent = slide.code;
      shownColumns = state.columns;
      columnsHead(state.columns);
      view.setCells(screenCells(state.columns));
      eventName.textContent = slide.name;
      table.caption.textContent = t("ranking", { event: slide.name });
      if (qr.getAttribute("src") !== slide.qr) qr.src = slide.qr;
      qrUrl.textContent = slide.board;
      for (const li of document.querySelectorAll("[data-event-item]")) {
        li.classList.toggle("on", li.dataset.eventItem === slide.code);
      }
      animate = false;
    }
    showFrozen(banner, state);
    showResultStatus(resultStatus, state.resultStatus);
    const all = state.ordered();
    if (!state.frozen) slide.revealed.clear();
    const rows = shownRows(state, slide.revealed);
    showPending(all.length - rows.length, all.length);
    view.emptyText = all.length ? "" : t("no_entries"); // nobody marked yet: the pending line says so
    // Names and bibs get the width the longest needs (a team's name is longer than a person's).
    const longest = (key) => Math.max(3, ...rows.map((r) => [...(r[key] || "")].length));
    table.style.setProperty("--name-w", `${Math.min(26, Math.max(12, longest("name") * 2.35 + 1.8))}%`);
    // The status column as wide as its longest word ("临时", "Provisional", an award's name).
    const ems = (text) => [...text].reduce((sum, ch) => sum + (ch.charCodeAt(0) > 0x2e7f ? 1 : 0.58), 0);
    const stateEms = Math.max(2, ...rows.map((r) => ems(r.status === "final" && r.award ? r.award : t(r.status))));
    table.style.setProperty("--state-w", `${Math.min(13, Math.max(8.5, stateEms * 1.8 * layout.scale + 2))}%`);
    table.style.setProperty("--bib-w", `${Math.min(12, Math.max(6.5, longest("entry") * 0.9 + 1.2))}%`);
    let pages = 1;
    for (let fewer = 0; fewer < 12; fewer += 1) {
      const { perPage, rowHeight } = rowsPerPage(fewer);
      pages = Math.max(1, Math.ceil(rows.length / perPage));
      page = Math.min(page, pages - 1);
      view.render(rows.slice(page * perPage, (page + 1) * perPage), { animate: animate && fewer === 0, highlight });
      fitCells(rowHeight, Number(frame.dataset.scale));
      // A text at its smallest that still needs more lines makes its row taller: one row less.
      if (table.getBoundingClientRect().bottom <= frame.getBoundingClientRect().bottom + 1 || perPage === 1) break;
    }
    frame.dataset.page = String(page + 1);
    frame.dataset.pages = String(pages);
    frame.dataset.event = slide.code;
    frame.dataset.seq = String(state.seq);
    pager.textContent = pages > 1 ? t("page", { page: page + 1, pages }) : "";
    dots.replaceChildren(...(pages > 1 ? Array.from({ length: pages }, (_, i) => el("span", i === page ? "on" : "")) : []));
    if (turning) {
      frame.classList.remove("turning");
      void frame.offsetWidth;
      frame.classList.add("turning");
    }
    slide.pages = pages;
  }

  for (const s of config.slides) {
    const slide = { code: s.code, name: s.name, qr: s.qr, board: s.board, pages: 1, revealed: new Set() };
    slide.state = live.board(config.contest, s.code, (state, patch) => {
      if (patch && patch.reveal && !overlaid && (only === null || only === slide.code)) {
        // A reveal step at the ceremony: show it on every screen, on the page of that row.
        const here = slide === slides[current];
        slide.revealed.add(patch.reveal.entry);
        const index = shownRows(state, slide.revealed).findIndex((r) => r.entry === patch.reveal.entry);
        current = slides.indexOf(slide);
        const target = index < 0 ? 0 : Math.floor(index / perPageNow);
        const samePage = here && target === page;
        page = target;
        holdUntil = Date.now() + REVEAL_HOLD_MS;
        restartTimer();
        render({ animate: samePage, turning: !samePage, highlight: patch.reveal.entry });
        previous = new Map(state.rows);
        return;
      }
      if (patch && slide === slides[current]) announcer.rankChange(patch, previous);
      if (slide === slides[current] && !overlaid) {
        render({ animate: Boolean(patch) });
        previous = new Map(state.rows);
      }
    }, s.snapshot, { view: "public" });
    slides.push(slide);
  }

  function step(direction = 1, { manual = false } = {}) {
    if (!manual && Date.now() < holdUntil) return; // a reveal is going on here
    if (overlaid) return;
    const pages = slides[current].pages || 1;
    if (only !== null) { // pinned: page through this event only
      if (pages === 1) return;
      page = (page + direction + pages) % pages;
      render({ turning: true });
      return;
    }
    if (slides.length === 1 && pages === 1) return; // nothing else to show
    page += direction;
    if (page >= pages || page < 0) {
      current = (current + (direction > 0 ? 1 : slides.length - 1)) % slides.length;
      page = direction > 0 ? 0 : Math.max(0, (slides[current].pages || 1) - 1);
    }
    previous = new Map(slides[current].state.rows);
    render({ turning: true });
  }

  let timer = null;
  function restartTimer() {
    clearInterval(timer);
    timer = setInterval(step, config.interval * 1000);
  }
  restartTimer();
  document.addEventListener("keydown", (event) => {
    const keys = { ArrowRight: 1, PageDown: 1, " ": 1, ArrowLeft: -1, PageUp: -1 };
    if (!(event.key in keys)) return;
    event.preventDefault();
    holdUntil = 0;
    restartTimer();
    step(keys[event.key], { manual: true });
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => render(), 150);
  });
  previous = new Map(slides[0].state.rows);

  // --- what the console sets --------------------------------------------------------------
  const overlay = document.querySelector("[data-overlay]");
  const strip = document.querySelector("[data-announcement]");
  const part = (kind) => overlay.querySelector(`[data-show="${kind}"]`);
  let announcement = config.shown ? config.shown.announcement : null;
  let countdownTimer = null;
  let standingsFeed = null;
  let screenFeed = null;

  function showOverlay(kind) {
    overlaid = kind;
    document.body.classList.toggle("overlaid", Boolean(kind));
    overlay.hidden = !kind;
    for (const node of overlay.querySelectorAll("[data-show]")) node.hidden = node.dataset.show !== kind;
    // The strip says it already when the whole screen is the announcement.
    if (strip) strip.classList.toggle("is-shown-big", kind === "announcement");
    frame.dataset.show = kind || "board";
  }

  function showAnnouncement() {
    const text = overlay.querySelector("[data-overlay-announcement]");
    text.textContent = announcement ? announcement.text : t("no_announcement");
  }

  function showCountdown(clock) {
    clearInterval(countdownTimer);
    const box = part("countdown");
    const label = box.querySelector("[data-countdown-label]");
    const face = box.querySelector("[data-countdown-clock]");
    box.querySelector("[data-countdown-event]").textContent = clock ? clock.event_name : "";
    box.classList.remove("done");
    if (!clock) { label.textContent = t("no_countdown"); face.textContent = "—"; return; }
    label.textContent = t(clock.state === "running" ? "ends_in" : "starts_in", { session: clock.session });
    const offset = Date.parse(clock.now) - Date.now(); // the server's clock decides, not the PC's
    const tick = () => {
      const left = Date.parse(clock.until) - (Date.now() + offset);
      face.textContent = formatLeft(left);
      box.dataset.left = String(Math.max(0, Math.round(left / 1000)));
      if (left <= 0) {
        box.classList.add("done");
        clearInterval(countdownTimer);
        // The session is over (or has begun): ask what comes next.
        setTimeout(() => { if (screenFeed && live.socket && live.socket.connected) live.subscribe(screenFeed); }, 1500);
      }
    };
    tick();
    countdownTimer = setInterval(tick, 1000);
  }

  function showWinners(card) {
    const box = part("winners");
    const groups = box.querySelector("[data-winners]");
    box.querySelector("[data-winners-event]").textContent = card ? card.name : t("no_winners");
    groups.replaceChildren(...(card ? card.awards : []).map((group) => {
      const div = el("div", "winners-group");
      const list = el("ul");
      for (const row of group.rows) {
        const li = el("li", null, row.name || row.entry);
        li.dataset.entry = row.entry;
        li.append(el("small", null, [row.entry, row.delegation].filter(Boolean).join(" · ")));
        list.append(li);
      }
      div.append(el("span", "winners-award", group.award), list);
      return div;
    }));
  }

  function showStandings(data) {
    if (!data || data.contest !== config.contest || !Array.isArray(data.rows)) return;
    const body = overlay.querySelector("[data-standings-rows]");
    body.replaceChildren(...data.rows.slice(0, layout.rows || 12).map((row) => {
      const tr = el("tr");
      tr.append(el("td", "num", dash(row.rank)), el("td", null, row.delegation), el("td", "num", dash(row.total)),
                el("td", "num", String(row.entries ?? "")));
      return tr;
    }));
  }

  /** The console's word for this screen: what to show, at which scale and rows per page. */
  function applyScreen(shown) {
    if (!shown || shown.contest !== config.contest || shown.screen !== config.screen) return;
    document.body.dataset.screenMode = shown.mode;
    frame.dataset.screenSeq = String(shown.seq);
    layout = screenLayout({ scale: shown.scale, rows: shown.rows });
    if (shown.show !== "countdown") clearInterval(countdownTimer);
    if (shown.show === "board") {
      only = shown.event;
      const index = slides.findIndex((s) => s.code === shown.event);
      if (index >= 0 && index !== current) { current = index; page = 0; }
      showOverlay(null);
      previous = new Map(slides[current].state.rows);
      render({ turning: true });
      return;
    }
    only = null;
    showOverlay(shown.show);
    if (shown.show === "announcement") showAnnouncement();
    else if (shown.show === "countdown") showCountdown(shown.countdown);
    else if (shown.show === "winners") showWinners(shown.winners);
    else if (shown.show === "standings" && !standingsFeed) {
      standingsFeed = live.feed({ request: "watch_standings", event: "standings", payload: { contest: config.contest },
                                  url: `/api/v1/contests/${encodeURIComponent(config.contest)}/standings`,
                                  onData: showStandings });
    }
  }

  followAnnouncements(live, strip, (shown) => {
    announcement = shown;
    if (overlaid === "announcement") showAnnouncement();
  });
  if (config.screen) {
    if (config.shown) applyScreen(config.shown);
    else render();
    screenFeed = live.feed({ request: "watch_screen", event: "screen",
                             payload: { contest: config.contest, screen: config.screen }, onData: applyScreen });
  } else {
    render();
  }
  /** A new layout for this screen (what a screens console would send): re-laid out at once. */
  return {
    setLayout(settings) {
      layout = screenLayout(settings);
      render();
    },
  };
}

export const screen = boot();
