// The citizen session panel of a kiosk: who the card identified, shown masked, until the session ends.
//
// The server sends `citizen_session` when a card opens a session for this kiosk and
// `citizen_session_ended` when it ends (card removed, timeout, finished, replaced); the panel then
// clears everything it showed and forgets the token. Nothing goes to browser storage. A refused
// read (`citizen_session_refused`) shows why for a few seconds, in words, not by colour alone.

import { h } from "./_dom.js";

const REFUSAL_MS = 8000;
const SOURCES = ["idcard", "ssc", "ecard"];
const ERRORS = ["invalid_identity", "unknown_person", "token_expired", "token_invalid", "backend_unavailable"];

export class CitizenSessionPanel {
  constructor(el, { i18n, now = () => Date.now() }) {
    this.el = el;
    this.i18n = i18n;
    this.now = now;
    this.session = null; // the open session, token included; memory only
    this.refusalTimer = null;
    this.tick = null;
    this.el.classList.add("citizen");
    this.el.setAttribute("role", "status");
    this.el.setAttribute("aria-live", "polite");
    this.clear();
  }

  /** The token the kiosk presents to the lookup API while a session is open, else null. */
  get token() {
    return this.session ? this.session.token : null;
  }

  opened(payload) {
    if (!payload || typeof payload !== "object" || typeof payload.session_id === "undefined") return;
    clearTimeout(this.refusalTimer);
    this.session = payload;
    const citizen = payload.citizen || {};
    const t = (key, values) => this.i18n.t(key, values);
    const source = SOURCES.includes(payload.source) ? payload.source : "idcard";
    const rows = [
      h("p", { class: "citizen__title" }, t("session.identified")),
      h("p", { class: "citizen__greeting" }, t("session.greeting", { name: citizen.masked_name || "" })),
      h("p", { class: "citizen__id" }, t("session.id", { id: citizen.masked_id || "" })),
      h("p", { class: "citizen__source" }, t(`session.source.${source}`)),
    ];
    if (payload.notice) rows.push(h("p", { class: "citizen__notice" }, String(payload.notice)));
    const countdown = h("p", { class: "citizen__hint" });
    rows.push(countdown);
    this.el.replaceChildren(...rows);
    this.el.dataset.state = "open";
    this.el.dataset.session = String(payload.session_id);
    this.el.hidden = false;
    const expires = Date.parse(payload.expires_at);
    const update = () => {
      const left = Number.isFinite(expires) ? Math.max(0, Math.round((expires - this.now()) / 1000)) : null;
      const key = source === "ecard" ? "session.hint.ecard" : "session.hint.card";
      const text = left === null ? t(key, { seconds: "" }) : t(key, { seconds: left });
      if (countdown.textContent !== text) countdown.textContent = text;
    };
    update();
    clearInterval(this.tick);
    this.tick = setInterval(update, 1000);
  }

  ended(payload) {
    if (!this.session) return;
    if (payload && payload.session_id !== undefined && String(payload.session_id) !== String(this.session.session_id)) {
      return; // the end of an older session: the one shown is still open
    }
    this.clear();
  }

  refused(payload) {
    const error = payload && ERRORS.includes(payload.error) ? payload.error : "invalid_identity";
    if (this.session) return; // a stray read while someone is being served: leave their screen alone
    this.el.replaceChildren(
      h("p", { class: "citizen__title" }, this.i18n.t("session.refused")),
      h("p", { class: "citizen__greeting" }, this.i18n.t(`session.error.${error}`)),
    );
    this.el.dataset.state = "refused";
    this.el.hidden = false;
    clearTimeout(this.refusalTimer);
    this.refusalTimer = setTimeout(() => this.clear(), REFUSAL_MS);
  }

  /** Forget the session and empty the panel (card removed, timeout, disconnect of the page). */
  clear() {
    clearInterval(this.tick);
    clearTimeout(this.refusalTimer);
    this.tick = null;
    this.session = null;
    this.el.replaceChildren();
    this.el.dataset.state = "none";
    delete this.el.dataset.session;
    this.el.hidden = true;
  }
}
