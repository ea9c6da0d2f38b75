// The idle warning: 还剩 N 秒, with 继续使用 to stay and 结束 to leave at once.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

export class Countdown {
  constructor(el, { onContinue, onEnd }) {
    this.el = el;
    this.onContinue = onContinue;
    this.onEnd = onEnd;
    this.t = null;
    this.seconds = null;
    this.el.hidden = true;
    this.el.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (button && button.dataset.action === "end") this.onEnd();
      else this.onContinue(); // any tap but "end" means someone is still here
    });
  }

  get visible() {
    return !this.el.hidden;
  }

  show(t, seconds, withSession) {
    if (this.visible && this.t === t && this.seconds === seconds && this.withSession === withSession) return;
    const fresh = !this.visible || this.t !== t || this.withSession !== withSession;
    this.t = t;
    this.withSession = withSession;
    this.seconds = seconds;
    if (fresh) {
      this.count = h("p", { class: "kcount__left", id: "kcount-left" });
      const go = h("button", { type: "button", class: "kbtn kbtn--primary kbtn--big", data: { action: "continue" } },
        icon("touch"), t("idle.continue"));
      const end = h("button", { type: "button", class: "kbtn kbtn--big", data: { action: "end" } }, icon("exit"), t("idle.end"));
      this.el.replaceChildren(h("div", { class: "kcount", role: "alertdialog", "aria-modal": "true",
                                         "aria-labelledby": "kcount-title", "aria-describedby": "kcount-left" },
        h("h2", { class: "kcount__title", id: "kcount-title" }, icon("clock"), t("idle.title")),
        this.count,
        h("p", { class: "kcount__why" }, t(withSession ? "idle.why.session" : "idle.why.public")),
        h("div", { class: "kcount__actions" }, go, end)));
      this.el.hidden = false;
      go.focus({ preventScroll: true });
    }
    this.count.textContent = t("idle.left", { seconds });
  }

  hide() {
    if (!this.visible) return;
    this.el.hidden = true;
    this.el.replaceChildren();
    this.seconds = null;
  }
}
