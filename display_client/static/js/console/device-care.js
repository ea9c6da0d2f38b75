// The console's remote-care card (kiosk_server/templates/console/_device_care.html): while a command
// is under way, ask commands.json every POLL_MS and show its state and the newest screenshot, so the
// answer appears without reloading the page. Text goes in as text, never as HTML.

const POLL_MS = 2_000;
// A technician who leaves the page open is not polled forever: after this long the card stops asking.
const GIVE_UP_MS = 15 * 60_000;

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderLines(card, commands) {
  const body = card.querySelector("[data-care-lines] tbody");
  const rows = commands.map((line) => {
    const tr = document.createElement("tr");
    tr.dataset.commandId = String(line.id);
    tr.dataset.state = line.state;
    tr.append(cell(line.label), cell(line.outcome), cell(line.requested_at, "nowrap"), cell(line.requested_by));
    return tr;
  });
  body.replaceChildren(...rows);
  card.querySelector("[data-care-empty]").hidden = rows.length > 0;
}

function renderShot(card, shot) {
  const img = card.querySelector("[data-care-shot] img");
  const caption = card.querySelector("[data-care-shot-caption]");
  if (!shot || !shot.screenshot_url) return;
  if (img.getAttribute("src") !== shot.screenshot_url) img.setAttribute("src", shot.screenshot_url);
  img.hidden = false;
  caption.textContent = `${shot.requested_at} · ${shot.outcome}`;
}

function watch(card) {
  const url = card.dataset.statusUrl;
  const started = Date.now();
  let timer = null;
  async function poll() {
    timer = null;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) return; // signed out or gone: the next click shows why
      const status = await response.json();
      renderLines(card, status.commands || []);
      renderShot(card, status.screenshot);
      card.dataset.busy = status.busy ? "1" : "0";
      if (!status.busy) return;
    } catch {
      // the server is restarting: try again at the next tick
    }
    if (Date.now() - started < GIVE_UP_MS) timer = setTimeout(poll, POLL_MS);
  }
  if (card.dataset.busy === "1") timer = setTimeout(poll, POLL_MS);
  return () => clearTimeout(timer);
}

for (const card of document.querySelectorAll("[data-care]")) watch(card);
