// The pinyin-initials search of a kiosk list screen (岗位查询, 办事指南): the field that opens the
// on-screen keyboard, its clear button, and the keyboard itself with its category keys.
//
// The screen owns the state ({initials, keyboard, page, category}); this renders the field into
// `searchEl` and the keyboard into `keyboardEl`, and tells the screen through its callbacks.
// Typing waits TYPE_DELAY_MS after the last key before asking again, so a fast typist does not
// send one request per letter.

import { h } from "../_dom.js";
import { icon } from "./icons.js";
import { Keyboard } from "./keyboard.js";

export const TYPE_DELAY_MS = 250;

export class InitialsSearch {
  /**
   * t: the catalogue; state: the screen's state (read and written: initials, keyboard, page);
   * placeholder: the empty field's words;
   * categories(): the keyboard's category keys [{value, label, count}];
   * onSearch(): the screen asks again; onCategory(value): a category key was pressed (the keyboard
   * is closed already); remember(): keep the state for the way back.
   */
  constructor({ t, state, placeholder, categories, onSearch, onCategory, remember }) {
    Object.assign(this, { t, state, placeholder, categories, onSearch, onCategory, remember });
    this.screenEl = null; // the screen's section, which gets `kjobs--typing` while the keyboard is open
    this.searchEl = h("div", { class: "ksearch" });
    this.keyboardEl = h("div", { class: "kkb-slot" });
    this.keyboard = null;
    this.typing = null;
  }

  /** Draw the field and open or close the keyboard to match the state. */
  render() {
    this.renderField();
    this.renderKeyboard();
  }

  renderField() {
    const { t, state } = this;
    const field = h("button", { type: "button", class: "kbtn ksearch__field", "aria-expanded": String(state.keyboard),
                                data: { action: "keyboard" } },
      icon("search"),
      h("span", { class: "ksearch__label" }, t("search.label")),
      h("span", { class: `ksearch__value${state.initials ? "" : " ksearch__value--empty"}` },
        state.initials ? state.initials.toUpperCase() : this.placeholder));
    field.addEventListener("click", () => {
      state.keyboard = !state.keyboard;
      this.remember();
      this.render();
    });
    const parts = [field];
    if (state.initials) {
      const clear = h("button", { type: "button", class: "kbtn ksearch__clear", data: { action: "clear" } }, t("search.clear"));
      clear.addEventListener("click", () => {
        state.initials = "";
        state.page = 1;
        if (this.keyboard) this.keyboard.value = "";
        this.onSearch();
      });
      parts.push(clear);
    }
    this.searchEl.replaceChildren(...parts);
  }

  renderKeyboard() {
    const { state } = this;
    this.screenEl?.classList.toggle("kjobs--typing", state.keyboard);
    if (!state.keyboard) {
      this.keyboard = null;
      this.keyboardEl.replaceChildren();
      return;
    }
    if (this.keyboard) return; // keep its mode and keys while the results change above it
    this.keyboard = new Keyboard({
      t: this.t, value: state.initials, categories: this.categories(), category: state.category,
      onInput: (value) => {
        state.initials = value;
        state.page = 1;
        this.renderField();
        clearTimeout(this.typing);
        this.typing = setTimeout(this.onSearch, TYPE_DELAY_MS);
      },
      onCategory: (value) => {
        state.keyboard = false;
        this.onCategory(value);
        this.render(); // closed even when the screen had that category already and asks nothing
      },
      onClose: () => {
        state.keyboard = false;
        this.remember();
        this.render();
      },
    });
    this.keyboardEl.replaceChildren(this.keyboard.node);
  }

  /** The category keys changed (new facets arrived). */
  refreshCategories() {
    if (this.keyboard) this.keyboard.setCategories(this.categories(), this.state.category);
  }

  dispose() {
    clearTimeout(this.typing);
  }
}
