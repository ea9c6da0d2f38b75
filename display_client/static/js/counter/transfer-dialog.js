// The transfer dialog: send the current ticket to another service type or another counter. The
// server lists only other lines and other counters (never the ticket's own line, never this counter).
//
// A native modal <dialog>: it traps the focus, Esc closes it, and the focus returns to the button
// that opened it. Choosing a target closes it and hands the target to `onChoose`.

import { h } from "../_dom.js";
import { serviceLabel } from "./strings.js";

export class TransferDialog {
  constructor(dialog, { t, lang, onChoose }) {
    this.dialog = dialog;
    this.t = t;
    this.lang = lang;
    this.onChoose = onChoose;
    dialog.querySelector("[data-close]").addEventListener("click", () => this.close());
    dialog.addEventListener("click", (event) => {
      const choice = event.target.closest("[data-target]");
      if (!choice) return;
      const to = JSON.parse(choice.dataset.target);
      const label = choice.textContent;
      this.close();
      this.onChoose(to, label);
    });
  }

  get isOpen() {
    return this.dialog.open;
  }

  /** Open for `state`'s current ticket, offering the other service types and the other counters. */
  open(state) {
    const { t, lang } = this;
    const ticket = state.ticket;
    this.dialog.querySelector("#transfer-title").textContent = t("transfer.title", { number: ticket.number });
    const services = state.transfer.services.map((service) =>
      h(
        "button",
        {
          type: "button",
          class: "cbutton ctransfer__choice",
          data: { target: JSON.stringify({ service_type_id: service.id }) },
        },
        serviceLabel(t, service, lang),
      ),
    );
    const counters = state.transfer.counters.map((counter) =>
      h(
        "button",
        {
          type: "button",
          class: "cbutton ctransfer__choice",
          data: { target: JSON.stringify({ counter_id: counter.id }) },
        },
        counter.name,
      ),
    );
    const none = h("p", { class: "ctransfer__none" }, t("transfer.no_counters"));
    const noService = h("p", { class: "ctransfer__none" }, t("transfer.no_services"));
    this.dialog.querySelector("[data-kind=service]").replaceChildren(...(services.length ? services : [noService]));
    this.dialog.querySelector("[data-kind=counter]").replaceChildren(...(counters.length ? counters : [none]));
    this.dialog.showModal();
    const first = this.dialog.querySelector(".ctransfer__choice:enabled");
    (first || this.dialog.querySelector("[data-close]")).focus();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }
}
