// The big screen (/c/<contest>/screen): every event's board kept live over one connection;
// shows one page of one event at a time, pages through long boards and rotates the events
// every `interval` seconds. Rows per page follow the viewport: no scrollbars, no mouse.
import { Announcer, Live, RowsView, boardCells, el, readJSON, same, showFrozen, showResultStatus, t } from "./board.js";

const config = readJSON("gj-screen");
const frame = document.querySelector("[data-frame]");
const table = document.querySelector("[data-screen-board]");
const banner = document.querySelector("[data-frozen-banner]");
const resultStatus = document.querySelector("[data-result-status]");
const pager = document.querySelector("[data-pager]");
const dots = document.querySelector("[data-dots]");
const qr = document.querySelector("[data-qr]");
const qrUrl = document.querySelector("[data-qr-url]");
const eventName = document.querySelector("[data-event-name]");
const announcer = new Announcer(document.querySelector("[data-announcer]"), 30000);
const REVEAL_HOLD_MS = 90000; // after a reveal step the screen stays on that board

function startClock() {
  const clock = document.querySelector("[data-clock]");
  const tick = () => {
    clock.textContent = new Date().toLocaleTimeString(document.documentElement.lang || "zh-Hans", {
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  };
  tick();
  setInterval(tick, 1000);
}

function columnsHead(columns) {
  const cols = ["rank", "bib", "name", "delegation", ...columns.map(() => "section"), "total", "progress", "state"];
  table.querySelector("colgroup").replaceChildren(...cols.map((c) => el("col", `c-${c}`)));
  // Sections share about a fifth of the width, so the delegation keeps room.
  table.style.setProperty("--section-w", `${Math.min(7.2, 18 / Math.max(1, columns.length))}%`);
  const th = (cls, text) => { const cell = el("th", cls, text); cell.scope = "col"; return cell; };
  table.tHead.rows[0].replaceChildren(
    th("rank", t("rank")), th("bib", t("bib")), th("name", t("name")), th("delegation", t("delegation")),
    ...columns.map((c) => th("num section", c.name)),
    th("num total", t("total")), th("progress", t("progress")), th("state", t("award")));
}

function boot() {
  if (!config || !config.slides.length) return;
  startClock();
  const live = new Live({ indicator: document.querySelector("[data-live-indicator]") });
  const view = new RowsView(table.tBodies[0], [], { emptyText: t("no_entries"), colspan: () => table.tHead.rows[0].cells.length });
  const slides = [];
  let current = 0;
  let page = 0;
  let shownEvent = null;
  let shownColumns = null;
  let previous = new Map();
  let perPageNow = 1;
  let holdUntil = 0;

  // As many rows of at least the base height (7.4vh) as fit, then stretched to fill the frame.
  function rowsPerPage() {
    const room = frame.clientHeight - table.tHead.offsetHeight - 2;
    const perPage = Math.max(1, Math.floor(room / (window.innerHeight * 0.074)));
    document.body.style.setProperty("--row-h", `${Math.floor(room / perPage)}px`);
    perPageNow = perPage;
    return perPage;
  }

  function render({ animate = false, turning = false, highlight = null } = {}) {
    const slide = slides[current];
    const state = slide.state;
    if (shownEvent !== slide.code || !same(state.columns, shownColumns)) {
      shownEvent = slide.code;
      shownColumns = state.columns;
      columnsHead(state.columns);
      view.setCells(boardCells(state.columns, { screen: true }));
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
    const rows = state.ordered();
    // Names get the width the longest needs (a team's name is longer than a person's).
    const longest = Math.max(3, ...rows.map((r) => [...(r.name || "")].length));
    table.style.setProperty("--name-w", `${Math.min(24, Math.max(12, longest * 2.35 + 1.8))}%`);
    const perPage = rowsPerPage();
    const pages = Math.max(1, Math.ceil(rows.length / perPage));
    page = Math.min(page, pages - 1);
    view.render(rows.slice(page * perPage, (page + 1) * perPage), { animate, highlight });
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
    const slide = { code: s.code, name: s.name, qr: s.qr, board: s.board, pages: 1 };
    slide.state = live.board(config.contest, s.code, (state, patch) => {
      if (patch && patch.reveal) {
        // A reveal step at the ceremony: show it on every screen, on the page of that row.
        const here = slide === slides[current];
        const index = state.ordered().findIndex((r) => r.entry === patch.reveal.entry);
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
      if (slide === slides[current]) {
        render({ animate: Boolean(patch) });
        previous = new Map(state.rows);
      }
    }, s.snapshot, { view: "public" });
    slides.push(slide);
  }

  function step(direction = 1, { manual = false } = {}) {
    if (!manual && Date.now() < holdUntil) return; // a reveal is going on here
    const pages = slides[current].pages || 1;
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
  render();
}

boot();
