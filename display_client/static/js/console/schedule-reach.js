// The schedule form's reach (kiosk_server/templates/console/_schedule_reach.html): when a target,
// the owner or the layout changes, post the form to schedules/reach and show how many screens of
// which kinds it reaches and the screens its layout does not fit. Text goes in as text, never as HTML.

const SETTLE_MS = 250; // several boxes ticked in a row cost one request
const ASKED_BY = /^(in\.|ex\.|owner$|layout$)/;

function show(card, answer) {
  card.querySelector("[data-reach-count]").textContent = answer.count;
  const fit = card.querySelector("[data-reach-fit]");
  const lines = Array.isArray(answer.fit_lines) ? answer.fit_lines : [];
  fit.querySelector("[data-reach-fit-title]").textContent = answer.fit_title || "";
  fit.querySelector("[data-reach-fit-lines]").replaceChildren(
    ...lines.map((line) => {
      const li = document.createElement("li");
      li.textContent = line;
      return li;
    }),
  );
  fit.hidden = lines.length === 0;
  card.dataset.total = String(answer.total);
}

function start() {
  const card = document.getElementById("sched-reach");
  const form = document.getElementById("schedule-form");
  if (!card || !form) return;
  let timer = null;
  let asked = 0;
  async function ask() {
    const mine = ++asked;
    card.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(card.dataset.url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`reach: HTTP ${response.status}`);
      const answer = await response.json();
      if (mine === asked) show(card, answer); // an older answer must not overwrite a newer one
    } catch (err) {
      console.warn("schedule form: the reach could not be worked out", err);
    } finally {
      if (mine === asked) card.removeAttribute("aria-busy");
    }
  }
  form.addEventListener("change", (event) => {
    if (!event.target || !ASKED_BY.test(event.target.name || "")) return;
    clearTimeout(timer);
    timer = setTimeout(ask, SETTLE_MS);
  });
  card.dataset.live = "1"; // tests wait for this before changing targets
}

start();
