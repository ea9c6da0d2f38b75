// The counter page's controller: keeps the counter's state fresh, runs the six actions from the
// buttons and the keyboard, and says what each did in the status line.
//
// The state comes from GET …/state every POLL_MS and in the answer of every action. Each state
// carries the hall's board version; an older one (a poll overtaken by an action) is dropped.

import { actionForKey, allowed, renderActions } from "./actions.js";
import { CounterApi } from "./api.js";
import { renderLines } from "./lines.js";
import { StatusLine } from "./status.js";
import { createCounterI18n, readCatalogue } from "./strings.js";
import { renderTicket } from "./ticket.js";
import { TransferDialog } from "./transfer-dialog.js";

export const POLL_MS = 4000;

class CounterPage {
  constructor(root) {
    this.root = root;
    this.lang = document.documentElement.lang || "zh-CN";
    const { t } = createCounterI18n(readCatalogue(), this.lang);
    this.t = t;
    this.timeZone = root.dataset.timezone || undefined;
    this.api = new CounterApi({ base: root.dataset.api, csrf: root.dataset.csrf });
    this.state = null;
    this.busy = false;
    this.offline = false;
    this.timer = null;
    this.status = new StatusLine(root.querySelector("#status"));
    this.toolbar = root.querySelector(".cactions");
    this.dialog = new TransferDialog(document.getElementById("transfer"), {
      t,
      lang: this.lang,
      onChoose: (to, label) => this.run("transfer", label, to),
    });
  }

  start() {
    this.toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      if (button && !button.disabled) this.trigger(button.dataset.action);
    });
    document.addEventListener("keydown", (event) => this.onKey(event));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
    this.refresh();
  }

  onKey(event) {
    if (this.dialog.isOpen) return; // the dialog has the keyboard; Esc closes it natively
    const action = actionForKey(event);
    if (!action) return;
    event.preventDefault(); // Space must neither scroll nor also press the focused button
    if (event.repeat) return; // a held key is one press: never call a second ticket by accident
    this.trigger(action);
  }

  trigger(action) {
    if (this.busy || !this.state) return;
    const ticket = this.state.ticket;
    if (!allowed(action, ticket)) {
      this.status.show("error", this.t("status.unavailable", { action: this.t(`action.${action}`) }));
      return;
    }
    if (action === "transfer") this.dialog.open(this.state);
    else this.run(action);
  }

  async run(action, targetLabel = "", to = null) {
    const before = this.state && this.state.ticket;
    this.setBusy(true);
    this.status.show("busy", this.t("status.busy"));
    try {
      const answer = action === "transfer" ? await this.api.transfer(to) : await this.api.act(action);
      this.apply(answer.state);
      this.status.show("ok", this.doneText(action, answer.ticket || before, targetLabel));
    } catch (err) {
      this.failed(err);
    } finally {
      this.setBusy(false);
      this.schedule();
    }
  }

  doneText(action, ticket, targetLabel) {
    if (action === "call" && !ticket) return this.t("done.call.none");
    const number = ticket ? ticket.number : "";
    if (action === "transfer") return this.t("done.transfer", { number, target: targetLabel });
    return this.t(`done.${action}`, { number });
  }

  async refresh() {
    clearTimeout(this.timer);
    try {
      const first = this.state === null;
      this.apply(await this.api.state());
      if (first || this.offline) this.status.show("info", this.t("status.ready"));
      this.offline = false;
    } catch (err) {
      this.failed(err);
    } finally {
      this.schedule();
    }
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), POLL_MS);
  }

  apply(state) {
    if (!state || (this.state && state.version < this.state.version)) return;
    this.state = state;
    this.render();
  }

  render() {
    const { t, lang, timeZone } = this;
    const ticket = this.state ? this.state.ticket : null;
    if (this.state) {
      renderTicket(this.root.querySelector(".cticket"), ticket, { t, lang, timeZone });
      renderLines(this.root.querySelector("#lines"), this.state, { t, lang });
    }
    renderActions(this.toolbar, ticket, this.busy || !this.state);
    this.root.dataset.version = this.state ? String(this.state.version) : "";
  }

  setBusy(busy) {
    this.busy = busy;
    this.render();
  }

  failed(err) {
    if (err.status === 401) {
      this.status.show("error", this.t("status.signed_out"));
      window.location.assign(this.root.dataset.login);
      return;
    }
    if (err.status === 0) {
      this.offline = true;
      this.status.show("error", this.t("status.offline"));
      return;
    }
    this.status.show("error", this.t("status.error", { message: err.text(this.lang) || err.code }));
  }
}

const root = document.getElementById("counter");
if (root) {
  const page = new CounterPage(root);
  page.start();
  // For tests and for a supervisor's console: what the page holds now.
  window.__counter = { state: () => page.state, status: () => ({ kind: page.status.kind, text: page.status.text }) };
}
