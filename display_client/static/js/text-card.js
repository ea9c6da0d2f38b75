// A line of text shown as a card (a ticker item placed in a playlist region): centred and as large
// as the region allows.

import { fitText, h, timedView, vh } from "./_dom.js";

/** Build a text card view in `staging`, shown for `ms`. */
export function buildTextView(text, { staging, ms }) {
  const line = h("p", { class: "text-card__text" }, text);
  const node = h("div", { class: "text-card" }, line);
  staging.append(node);
  fitText(line, { min: vh(2.6), max: vh(12) });
  return timedView(node, ms);
}
