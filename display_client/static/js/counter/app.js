// The counter page's controller: keeps the counter's state fresh, runs the six actions from the
// buttons and the keyboard, and says what each did in the status line.
//
// The state comes from GET …/state every POLL_MS and in the answer of every action. Each state
// carries the hall's board version; an older one (a poll overtaken by an action) is dropped.
//
// An action that could not be sent (no answer, a timeout, a 5xx) is never dropped silently: the
// status line says so and offers 重试, and later polls do not cover it with 就绪. 重试 first reads
// the state again: if the action did go through before the answer was lost, it says so and does
// not repeat it (a second "call next" would call another citizen).

import { actionForKey, allowed, renderActions } from "./actions.js";
import { CounterApi } from "./api.js";
import { renderLines } from "./lines.js";
import { PauseDialog } from "./pause-dialog.js";
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
    this.pauseDialog = new PauseDialog(document.getElementById("pause"), {
      t,
      onChoose: (reason, other, label) => this.run("pause", label, { reason, other }),
    });
    this.pausedPanel = root.querySelector("#paused");
    this.pauseOpen = root.querySelector("#pause-open");
    this.unsent = null; // the action that could not be sent, until retried or overtaken
  }

  start() {
    this.toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      if (button && !button.disabled) this.trigger(button.dataset.action);
    });
    this.pauseOpen.addEventListener("click", () => {
      if (!this.busy && this.state) this.pauseDialog.open();
    });
    this.pausedPanel.querySelector("[data-pause=resume]").addEventListener("click", () => {
      if (!this.busy && this.state) this.run("resume");
    });
    document.addEventListener("keydown", (event) => this.onKey(event));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
    this.refresh();
  }

  onKey(event) {
    if (this.dialog.isOpen || this.pauseDialog.isOpen) return; // a dialog has the keyboard; Esc closes it natively
    const action = actionForKey(event);
    if (!action) return;
    event.preventDefault(); // Space must neither scroll nor also press the focused button
    if (event.repeat) return; // a held key is one press: never call a second ticket by accident
    this.trigger(action);
  }

  trigger(action) {
    if (this.busy || !this.state) return;
    const ticket = this.state.ticket;
    if (action === "call" && this.state.pause) {
      this.status.show("error", this.t("api.paused"));
      return;
    }
    if (!allowed(action, ticket, !!this.state.pause)) {
      this.status.show("error", this.t("status.unavailable", { action: this.t(`action.${action}`) }));
      return;
    }
    if (action === "transfer") this.dialog.open(this.state);
    else this.run(action);
  }

  send(action, to) {
    if (action === "transfer") return this.api.transfer(to);
    if (action === "pause") return this.api.pause(to.reason, to.other);
    if (action === "resume") return this.api.resume();
    return this.api.act(action);
  }

  async run(action, targetLabel = "", to = null) {
    const before = this.state && this.state.ticket;
    const mark = this.fingerprint(this.state);
    this.setBusy(true);
    this.status.show("busy", this.t("status.busy"));
    try {
      const answer = await this.send(action, to);
      this.unsent = null;
      this.apply(answer.state);
      this.status.show("ok", this.doneText(action, answer.ticket || before, targetLabel));
    } catch (err) {
      if (err.status === 0 || err.status >= 500) this.notSent(err, { action, targetLabel, to, mark });
      else this.failed(err);
    } finally {
      this.setBusy(false);
      this.schedule();
    }
  }

  /** What an action changes, to tell after an outage whether it went through. */
  fingerprint(state) {
    if (!state) return "";
    const ticket = state.ticket;
    return JSON.stringify([ticket && [ticket.number, ticket.state, ticket.recalls], state.pause && state.pause.reason]);
  }

  /** Say that `unsent.action` was not sent (or may not have been), and offer 重试. */
  notSent(err, unsent) {
    this.unsent = unsent;
    const action = this.t(`action.${unsent.action}`);
    let text;
    if (err.status >= 500) text = this.t("unsent.server", { action, status: err.status });
    else if (err.code === "timeout") text = this.t("unsent.timeout", { action });
    else text = this.t("unsent.network", { action });
    this.status.show("error", text, () => this.retry());
  }

  /** Read the state again; repeat the unsent action only if it did not go through. */
  async retry() {
    const unsent = this.unsent;
    if (!unsent || this.busy) return;
    this.setBusy(true);
    this.status.show("busy", this.t("status.busy"));
    let state;
    try {
      state = await this.api.state();
    } catch (err) {
      this.setBusy(false);
      if (err.status === 0 || err.status >= 500) this.notSent(err, unsent);
      else this.failed(err);
      this.schedule();
      return;
    }
    this.setBusy(false);
    this.apply(state);
    if (this.fingerprint(state) !== unsent.mark) {
      this.unsent = null;
      this.status.show("ok", this.t("unsent.happened", { action: this.t(`action.${unsent.action}`) }));
      this.schedule();
      return;
    }
    await this.run(unsent.action, unsent.targetLabel, unsent.to);
  }

  doneText(action, ticket, targetLabel) {
    if (action === "call" && !ticket) return this.t("done.call.none");
    const number = ticket ? ticket.number : "";
    if (action === "transfer") return this.t("done.transfer", { number, target: targetLabel });
    if (action === "pause") return this.t("done.pause", { reason: targetLabel });
    if (action === "resume") return this.t("done.resume");
    return this.t(`done.${action}`, { number });
  }

  async refresh() {
    clearTimeout(this.timer);
    try {
      const first = this.state === null;
      this.apply(await this.api.state());
      if ((first || this.offline) && !this.unsent) this.status.show("info", this.t("status.ready"));
      this.offline = false;
    } catch (err) {
      if (this.unsent && err.status !== 401) this.offline = err.status === 0 || this.offline;
      else this.failed(err); // an unsent action's message stays: it says more than "offline"
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
    const pause = this.state ? this.state.pause : null;
    if (this.state) {
      renderTicket(this.root.querySelector(".cticket"), ticket, { t, lang, timeZone });
      renderLines(this.root.querySelector("#lines"), this.state, { t, lang });
      renderPause(this.pausedPanel, pause, { t });
    }
    this.pauseOpen.hidden = !this.state || !!pause;
    this.pauseOpen.disabled = this.busy;
    this.pausedPanel.querySelector("[data-pause=resume]").disabled = this.busy;
    renderActions(this.toolbar, ticket, this.busy || !this.state, !!pause);
    this.root.dataset.version = this.state ? String(this.state.version) : "";
    this.root.dataset.paused = pause ? "true" : "false";
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

/** The 暂停服务 panel: shown with its reason while the counter is paused. */
function renderPause(panel, pause, { t }) {
  panel.hidden = !pause;
  panel.closest(".cticket").dataset.paused = pause ? "true" : "false";
  panel.querySelector("#paused-reason").textContent = pause ? t("paused.reason", { reason: pause.reason }) : "";
}

const root = document.getElementById("counter");
if (root) {
  const page = new CounterPage(root);
  page.start();
  // For tests and for a supervisor's console: what the page holds now.
  window.__counter = {
    state: () => page.state,
    status: () => ({ kind: page.status.kind, text: page.status.text, retry: !!page.status.onRetry }),
  };
}
