// Console pages that watch something (fleet, alerts: kiosk_server/templates/console/_live_refresh.html)
// keep themselves current without a meta refresh: every data-seconds they fetch the same URL and
// replace the parts marked data-live-part (counts, chips, tables with their pager, the "updated at"
// time). Focus, the filter form and scrolling stay as they are. While the tab is hidden nothing is
// fetched; on return it refreshes at once. Without scripts the "refresh now" link reloads by hand.

const MIN_SECONDS = 5;

function start(box) {
  const seconds = Math.max(MIN_SECONDS, Number(box.dataset.seconds) || 30);
  const note = box.querySelector("[data-live-note]");
  let timer = null;
  let busy = false;

  function say(text) {
    if (note) note.textContent = text;
  }

  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok || response.redirected) throw new Error(`status ${response.status}`);
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const part of document.querySelectorAll("[data-live-part]")) {
        const next = fresh.querySelector(`[data-live-part="${part.dataset.livePart}"]`);
        if (next) part.replaceWith(document.importNode(next, true));
      }
      say("");
    } catch {
      say(box.dataset.failedText || "");
    } finally {
      busy = false;
    }
  }

  function schedule() {
    clearInterval(timer);
    timer = null;
    if (document.hidden) {
      say(box.dataset.pausedText || "");
      return;
    }
    timer = setInterval(refresh, seconds * 1000);
  }

  document.addEventListener("visibilitychange", () => {
    schedule();
    if (!document.hidden) refresh();
  });
  const now = box.querySelector("[data-live-now]");
  if (now) {
    now.addEventListener("click", (event) => {
      event.preventDefault();
      refresh();
    });
  }
  schedule();
}

const box = document.querySelector("[data-live-refresh]");
if (box) start(box);
