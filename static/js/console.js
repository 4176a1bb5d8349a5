// The organiser's console of the hall's screens: every two seconds, which screens are
// connected and what each shows now (GET …/screens/status), written into the table.
const root = document.querySelector("[data-screens-console]");

async function refresh() {
  try {
    const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const { screens } = await response.json();
    for (const row of root.querySelectorAll("tr[data-screen]")) {
      const now = screens[row.dataset.screen];
      if (!now) continue;
      const cell = row.querySelector("[data-connected]");
      if (now.connected !== null && cell.dataset.connected !== String(now.connected)) {
        cell.dataset.connected = String(now.connected);
        const badge = document.createElement("span");
        badge.className = now.connected ? "badge status-live" : "badge";
        badge.textContent = now.connected ? root.dataset.connectedText.replace("%(num)d", now.connected)
          : root.dataset.notConnectedText;
        cell.replaceChildren(badge);
      }
      const showing = now.mode_label + (now.event_name ? `: ${now.event_name}` : "");
      const shown = row.querySelector("[data-showing]");
      if (shown.textContent !== showing) shown.textContent = showing;
    }
  } catch (error) {
    // The console keeps its last view while the network is down.
  }
}

if (root) setInterval(refresh, 2000);
