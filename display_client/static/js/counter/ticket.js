// The current ticket: its number very large, its state as a word with a symbol (never colour alone),
// its service and since when.

import { serviceLabel } from "./strings.js";

const STATE_KEYS = { called: "state.called", serving: "state.serving" };

/** "09:12" in the hall's time zone (the page may run on a machine set to another one). */
export function clockTime(iso, lang, timeZone) {
  if (!iso) return "";
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(lang, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(lang, options).format(new Date(iso)); // an unknown zone: the machine's
  }
}

function metaLine(ticket, t, lang, timeZone) {
  const since = clockTime(ticket.since, lang, timeZone);
  const parts = [serviceLabel(t, ticket.service, lang)];
  parts.push(t(ticket.state === "serving" ? "ticket.serving_at" : "ticket.called_at", { time: since }));
  if (ticket.recalls > 0) parts.push(t("ticket.recalls", { count: ticket.recalls }));
  return parts;
}

/** Show `ticket` (or none) in the ticket panel; the same ticket always renders the same DOM. */
export function renderTicket(panel, ticket, { t, lang, timeZone }) {
  const number = panel.querySelector("#ticket-number");
  const badge = panel.querySelector("#ticket-state");
  const priority = panel.querySelector("#ticket-priority");
  const meta = panel.querySelector("#ticket-meta");
  panel.dataset.state = ticket ? ticket.state : "none";
  if (!ticket) {
    number.textContent = t("ticket.none");
    badge.hidden = true;
    priority.hidden = true;
    meta.replaceChildren(t("ticket.none.hint"));
    return;
  }
  number.textContent = ticket.number;
  badge.hidden = false;
  badge.dataset.state = ticket.state;
  badge.textContent = t(STATE_KEYS[ticket.state] || "state.called");
  priority.hidden = !ticket.priority;
  meta.replaceChildren(
    ...metaLine(ticket, t, lang, timeZone).map((text) => {
      const span = document.createElement("span");
      span.className = "cticket__fact";
      span.textContent = text;
      return span;
    }),
  );
}
