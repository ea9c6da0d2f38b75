// A modal list of choices (a filter's values): one big button each, the current one marked in words.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

/**
 * Show the choices in `layer`; resolves with the picked value, or undefined when cancelled.
 * options: [{value, label, detail?}]; `current` is marked 已选 (a word and an icon, not a colour).
 */
export function pickFrom(layer, t, { title, options, current }) {
  return new Promise((resolve) => {
    const titleId = `ksheet-title-${Math.random().toString(36).slice(2, 8)}`;
    const close = (value) => {
      layer.replaceChildren();
      layer.hidden = true;
      resolve(value);
    };
    const list = h("div", { class: "ksheet__options" }, options.map((option) => {
      const chosen = option.value === current;
      const button = h("button", { type: "button", class: "kbtn ksheet__option", "aria-pressed": String(chosen) },
        h("span", { class: "ksheet__label" }, option.label),
        option.detail ? h("span", { class: "ksheet__detail" }, option.detail) : null,
        chosen ? h("span", { class: "ksheet__chosen" }, icon("check"), t("filter.chosen")) : null);
      button.addEventListener("click", () => close(option.value));
      return button;
    }));
    const cancel = h("button", { type: "button", class: "kbtn ksheet__cancel" }, icon("back"), t("action.cancel"));
    cancel.addEventListener("click", () => close(undefined));
    const panel = h("div", { class: "ksheet", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId },
      h("h2", { class: "ksheet__title", id: titleId }, title), list, cancel);
    layer.replaceChildren(panel);
    layer.hidden = false;
    layer.onclick = (event) => {
      if (event.target === layer) close(undefined);
    };
    const first = panel.querySelector("[aria-pressed='true']") || panel.querySelector("button");
    if (first) first.focus({ preventScroll: true });
  });
}
