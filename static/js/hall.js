// The hall on a judge's pages: the contest's announcement (kept live over /live, or over HTTP
// while the socket is down) and each session's countdown, ticking on the server's clock.
import { Live, followAnnouncements, formatLeft } from "./board.js";

/** Tick every [data-countdown-until] under `root`; the page's server time sets the offset. */
export function tickCountdowns(root = document) {
  const nodes = [...root.querySelectorAll("[data-countdown-until]")];
  if (!nodes.length) return;
  const first = nodes.find((n) => n.dataset.serverNow);
  const offset = first ? Date.parse(first.dataset.serverNow) - Date.now() : 0;
  const tick = () => {
    const now = Date.now() + offset;
    for (const node of nodes) {
      const left = Date.parse(node.dataset.countdownUntil) - now;
      node.querySelector("[data-countdown-left]").textContent = formatLeft(left);
      node.classList.toggle("countdown-done", left <= 0);
    }
  };
  tick();
  setInterval(tick, 1000);
}

const banners = document.querySelectorAll("[data-announcement]");
if (banners.length && !document.body.classList.contains("page-board") && !document.body.classList.contains("page-standings")) {
  const live = new Live({});
  for (const node of banners) followAnnouncements(live, node);
}
tickCountdowns();
