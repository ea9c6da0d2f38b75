// 请取走您的证件: a session ended (idle timeout, 结束) while its card was still in the reader
// (docs/kiosk.md §3). Said large over whatever shows, with a chime, until the server reports the card
// gone (`citizen_card_removed`), the next card is read, or about 20 s have passed.
//
// Like the card notes it takes no tap and holds no focus: the next citizen can start at once. Its
// words come in the language and size the citizen was using, although the page behind it has reset
// both. The chime is two short Web Audio tones (no audio file), played again every few seconds.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

// Sessions opened from a card that stays in or on a reader; an e-card QR leaves nothing behind.
export const CARD_SOURCES = ["idcard", "ssc"];
// End reasons after which the card is still there: the citizen did not take it (a removal ends with card_removed).
export const LEFT_BEHIND_REASONS = ["timeout", "finished"];

const SHOW_MS = 20_000;
const CHIME_EVERY_MS = 6_500;

/** Two falling tones, quiet enough for a hall: the same shape as the queue's chime, shorter. */
function playChime(context) {
  const at = context.currentTime + 0.05;
  for (const [frequency, start, seconds] of [[880, 0, 0.35], [659.25, 0.4, 0.5]]) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at + start);
    gain.gain.exponentialRampToValueAtTime(0.25, at + start + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + start + seconds);
    osc.connect(gain).connect(context.destination);
    osc.start(at + start);
    osc.stop(at + start + seconds + 0.05);
  }
}

export class TakeCardReminder {
  /** `el` stays in the page as a live region; empty, it shows nothing. */
  constructor(el) {
    this.el = el;
    this.timer = null;
    this.chimeTimer = null;
    this.context = null;
    this.chimes = []; // what each chime did ("played" or "blocked"), for diagnostics; reset at each show
    this.ended = null; // why the last one went: "removed", "timeout", "card" (another was read) …
    this.el.setAttribute("role", "alert");
    this.el.setAttribute("aria-live", "assertive");
    this.el.replaceChildren();
  }

  get visible() {
    return this.el.childElementCount > 0;
  }

  /** Ask for the card of `source` ("idcard" or "ssc"), in `lang` and elder mode or not. */
  show(t, { source, lang, elder }) {
    this.hide("replaced");
    this.ended = null;
    const kind = source === "ssc" ? "ssc" : "idcard";
    this.el.replaceChildren(h("div", {
      class: `ktakecard${elder ? " ktakecard--elder" : ""}`,
      lang,
      data: { source: kind },
    },
    h("span", { class: "ktakecard__icon", "aria-hidden": "true" }, icon("card")),
    h("p", { class: "ktakecard__title" }, t("takecard.title")),
    h("p", { class: "ktakecard__body" }, t(`takecard.body.${kind}`))));
    this.chimes = [];
    this.chime();
    this.chimeTimer = setInterval(() => this.chime(), CHIME_EVERY_MS);
    this.timer = setTimeout(() => this.hide("timeout"), SHOW_MS);
  }

  /** Stop asking; `why` is kept for diagnostics. */
  hide(why = "other") {
    if (this.visible) this.ended = why;
    clearTimeout(this.timer);
    clearInterval(this.chimeTimer);
    this.timer = null;
    this.chimeTimer = null;
    this.el.replaceChildren();
  }

  chime() {
    const played = this.tryChime();
    this.chimes.push(played ? "played" : "blocked");
  }

  tryChime() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return false;
      if (!this.context) this.context = new Context();
      if (this.context.state === "suspended") this.context.resume().catch(() => {});
      if (this.context.state === "closed") return false;
      playChime(this.context);
      return this.context.state === "running";
    } catch (err) {
      console.warn("kiosk: take-card chime failed", err);
      return false;
    }
  }

  /** What a technician (or a test) may see. */
  diagnostics() {
    return { shown: this.visible, chimes: [...this.chimes], ended: this.ended };
  }
}
