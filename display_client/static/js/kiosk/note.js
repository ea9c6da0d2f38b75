// A short note about the card reader that never blocks the page: a card it could not read, or the
// reader going while someone was served (docs/kiosk.md §3).
//
// Unlike a message dialog it takes no tap and holds no focus: the citizen can place the card again
// at once. It goes by itself after a few seconds, or when the next card is read. Its words come in
// the language and size the citizen was using, even when the page behind it has gone back to the
// attract loop (which resets both).

import { h } from "../_dom.js";
import { icon } from "./icons.js";

// Hints a reader may give (kiosk_server/agent_payloads.py: UnreadableHint); anything else shows no hint.
export const HINTS = ["reposition", "removed_too_early", "needs_psam", "unsupported_card"];
// Hints after which placing the same card again will not help.
const NO_RETRY = new Set(["needs_psam", "unsupported_card"]);
// Hints whose advice depends on the kind of card (a slot for the social-security card, a pad for the ID card).
const PER_SOURCE = new Set(["reposition"]);
// End reasons that mean the reader went: the citizen is told, then the page is back at the attract loop.
export const READER_REASONS = ["reader_detached", "reader_fault"];

const UNREADABLE_MS = 6_000;
const READER_MS = 12_000;
const ELDER_EXTRA = 1.5; // elder mode reads slower: every note stays half as long again

/** The catalogue key for `key` in the mode shown: elder mode has its own plainer words. */
function keyFor(key, elder) {
  return elder ? `${key}.elder` : key;
}

/** What to say about an unreadable card: {name, kind, title, hint} as catalogue keys (hint may be null). */
export function unreadableNote(payload) {
  const source = payload && payload.source === "ssc" ? "ssc" : "idcard";
  const hint = payload && HINTS.includes(payload.hint) ? payload.hint : "";
  return {
    name: "unreadable",
    kind: "warn",
    hint: hint || "none",
    title: NO_RETRY.has(hint) ? "note.unreadable.title.cannot" : "note.unreadable.title",
    body: hint ? (PER_SOURCE.has(hint) ? `note.unreadable.${hint}.${source}` : `note.unreadable.${hint}`) : null,
    ms: UNREADABLE_MS,
  };
}

/** What to say when a session ended because its reader went; null for any other end reason. */
export function readerNote(reason) {
  if (!READER_REASONS.includes(reason)) return null;
  const which = reason === "reader_fault" ? "fault" : "detached";
  return {
    name: `reader-${which}`,
    kind: "warn",
    hint: "none",
    title: `note.reader_${which}.title`,
    body: "note.reader.body",
    ms: READER_MS,
  };
}

export class CardNote {
  /** `el` stays in the page as a live region (it is announced when filled); empty, it shows nothing. */
  constructor(el) {
    this.el = el;
    this.timer = null;
    this.el.setAttribute("role", "status");
    this.el.setAttribute("aria-live", "assertive");
    this.el.replaceChildren();
  }

  get visible() {
    return this.el.childElementCount > 0;
  }

  /** Show `note` (from unreadableNote or readerNote) with translator `t`, in `lang` and elder mode or not. */
  show(t, note, { lang, elder }) {
    clearTimeout(this.timer);
    this.el.replaceChildren(h("div", {
      class: `knote knote--${note.kind}${elder ? " knote--elder" : ""}`,
      lang,
      data: { name: note.name, hint: note.hint },
    },
    h("p", { class: "knote__title" }, icon(note.kind === "warn" ? "warn" : "info"), t(keyFor(note.title, elder))),
    note.body ? h("p", { class: "knote__body" }, t(keyFor(note.body, elder))) : null));
    this.timer = setTimeout(() => this.hide(), note.ms * (elder ? ELDER_EXTRA : 1));
  }

  hide() {
    clearTimeout(this.timer);
    this.el.replaceChildren();
  }
}
