// The on-screen keyboard of the job search: pinyin initials (收银员 → SYY) or a category to pick.
// A kiosk has no physical keyboard, and a text field would call up the system's; this has neither.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const MAX_INITIALS = 10;
export const LETTERS_MODE = "letters";
export const CATEGORY_MODE = "categories";

export class Keyboard {
  /**
   * value: the initials typed so far; categories: [{value, label, count}] to pick from;
   * onInput(value) after every key, onCategory(value) when a category is picked, onClose().
   */
  constructor({ t, value = "", mode = LETTERS_MODE, categories = [], category = "", onInput, onCategory, onClose }) {
    this.t = t;
    this.value = value;
    this.mode = mode;
    this.categories = categories;
    this.category = category;
    this.onInput = onInput;
    this.onCategory = onCategory;
    this.onClose = onClose;
    this.node = h("section", { class: "kkb", "aria-label": t("keyboard.label") });
    this.render();
  }

  setCategories(categories, category) {
    this.categories = categories;
    this.category = category;
    if (this.mode === CATEGORY_MODE) this.render();
  }

  press(letter) {
    if (this.value.length >= MAX_INITIALS) return;
    this.value += letter.toLowerCase();
    this.onInput(this.value);
  }

  erase() {
    this.value = this.value.slice(0, -1);
    this.onInput(this.value);
  }

  clear() {
    this.value = "";
    this.onInput(this.value);
  }

  render() {
    const t = this.t;
    const modeButton = (mode, label) =>
      h("button", { type: "button", class: "kbtn kkb__mode", "aria-pressed": String(this.mode === mode), data: { mode } },
        this.mode === mode ? icon("check") : null, label);
    const modes = h("div", { class: "kkb__modes" },
      modeButton(LETTERS_MODE, t("keyboard.mode.letters")), modeButton(CATEGORY_MODE, t("keyboard.mode.categories")));
    modes.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-mode]");
      if (!button || button.dataset.mode === this.mode) return;
      this.mode = button.dataset.mode;
      this.render();
    });
    const body = this.mode === LETTERS_MODE ? this.letters() : this.categoryKeys();
    const done = h("button", { type: "button", class: "kbtn kbtn--primary kkb__done" }, icon("check"), t("keyboard.done"));
    done.addEventListener("click", () => this.onClose());
    this.node.replaceChildren(
      h("div", { class: "kkb__head" }, modes, done),
      body,
    );
  }

  letters() {
    const keys = [...LETTERS].map((letter) =>
      h("button", { type: "button", class: "kkey", data: { key: letter } }, letter));
    const erase = h("button", { type: "button", class: "kkey kkey--wide", data: { key: "erase" } },
      icon("delete"), this.t("keyboard.erase"));
    const clear = h("button", { type: "button", class: "kkey kkey--wide", data: { key: "clear" } }, this.t("keyboard.clear"));
    const grid = h("div", { class: "kkb__letters" }, keys, erase, clear);
    grid.addEventListener("click", (event) => {
      const key = event.target.closest("button[data-key]");
      if (!key) return;
      if (key.dataset.key === "erase") this.erase();
      else if (key.dataset.key === "clear") this.clear();
      else this.press(key.dataset.key);
    });
    return h("div", { class: "kkb__body" },
      h("p", { class: "kkb__hint" }, this.t("keyboard.hint")), grid);
  }

  categoryKeys() {
    const t = this.t;
    const options = [{ value: "", label: t("filter.all"), count: null }, ...this.categories];
    const grid = h("div", { class: "kkb__categories" }, options.map((option) => {
      const chosen = option.value === this.category;
      return h("button", { type: "button", class: "kkey kkey--category", "aria-pressed": String(chosen),
                           data: { value: option.value } },
        chosen ? icon("check") : null,
        h("span", {}, option.label),
        option.count === null ? null : h("span", { class: "kkey__count" }, t("filter.count", { count: option.count })));
    }));
    grid.addEventListener("click", (event) => {
      const key = event.target.closest("button[data-value]");
      if (key) this.onCategory(key.dataset.value);
    });
    return h("div", { class: "kkb__body" }, grid);
  }
}
