// The prints page: a long print (the results book, the certificates' ZIP) runs as a job in a
// process of its own; while it is under way this polls its state and moves its progress bar,
// then shows its download. Without JavaScript the page's own refresh link does the same.
const POLL_MS = 1000;

function show(box, state) {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-job-text]");
  box.dataset.jobStatus = state.status;
  if (bar) { bar.max = 100; bar.value = state.percent; }
  if (text) text.textContent = box.dataset["label" + state.status[0].toUpperCase() + state.status.slice(1)]
    .replace("{done}", state.done).replace("{total}", state.total).replace("{percent}", state.percent)
    .replace("{error}", state.error || "");
  const link = box.querySelector("a[data-job-file]");
  if (link && state.file) {
    link.href = state.file;
    link.textContent = box.dataset.labelDownload + (state.size ? ` (${(state.size / 1048576).toFixed(1)} MB)` : "");
    link.hidden = false;
  }
  const button = box.querySelector("button[type=submit]");
  if (button && (state.status === "done" || state.status === "failed")) {
    button.disabled = false;
    button.textContent = box.dataset.labelAgain;
  }
}

async function poll(box) {
  try {
    const response = await fetch(box.dataset.stateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) {
      const state = await response.json();
      show(box, state);
      if (state.status === "done" || state.status === "failed") return;
    }
  } catch { /* the Wi-Fi dropped: try again */ }
  setTimeout(() => poll(box), POLL_MS);
}

for (const box of document.querySelectorAll("[data-job-status=queued], [data-job-status=running]")) {
  poll(box);
}
