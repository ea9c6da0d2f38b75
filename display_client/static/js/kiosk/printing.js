// Printing from the kiosk page (docs/kiosk.md, "Printing"): the server asks the kiosk's agent to print;
// the page only follows the print (GET /kiosk/api/print/<id>) until it ends or its deadline passes,
// so a citizen is never left waiting on paper that will not come.
//
// The queue screen follows the slip the server printed when the number was taken; certificatePrint()
// is the 打印证明 button the certificate screen places (it shows the no-printer note when the A4
// printer cannot print now).

import { h } from "../_dom.js";
import { icon } from "./icons.js";

export const PRINT_DEADLINE_SECONDS = 25;
export const PRINT_ENDED = ["done", "failed", "expired"];
const POLL_MS = 1000;

/** A print as the page follows it ({id, state, error, deadline}), or null; `deadline` is in ms. */
export function printOf(raw, deadline = Date.now() + PRINT_DEADLINE_SECONDS * 1000) {
  if (!raw || typeof raw !== "object") return null;
  return { id: Number(raw.id) || 0, state: String(raw.state || "failed"), error: String(raw.error || ""), deadline };
}

/**
 * Ask where `print` stands every second; `onChange(print)` on each change, and once with
 * state "failed", error "timeout" when the deadline passes first. Returns stop().
 */
export function followPrint(api, print, onChange) {
  let timer = null;
  let stopped = false;
  let current = print;
  const step = () => {
    if (stopped || !current || PRINT_ENDED.includes(current.state)) return;
    if (Date.now() >= current.deadline) {
      current = { ...current, state: "failed", error: "timeout" };
      onChange(current);
      return;
    }
    timer = setTimeout(() => {
      api.get(`/print/${current.id}`).then((out) => {
        if (stopped) return;
        const now = printOf(out && out.print, current.deadline);
        if (now && now.state !== current.state) {
          current = now;
          onChange(current);
        }
        step();
      }, () => {
        if (!stopped) step();  // a lost answer is asked again, until the deadline
      });
    }, POLL_MS);
  };
  step();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** 打印证明 for the certificate `code` when the A4 printer can print now; else the no-printer note. */
export function certificatePrint(ctx, code) {
  const { t } = ctx;
  const box = h("div", { class: "kcert__print", data: { print: "none" } },
    h("p", { class: "kcert__printer" }, icon("info"), t("certificate.no_printer")));
  ctx.api.get("/print/printers").then((out) => {
    if (!out || !out.a4 || !out.a4.ready) return;
    const button = h("button", { type: "button", class: "kbtn kbtn--primary kcert__print-button", data: { action: "print-certificate" } },
      icon("policy"), t("certificate.print"));
    const status = h("p", { class: "kcert__print-state", role: "status" });
    const show = (state) => {
      box.dataset.print = state;
      const key = { printing: "certificate.printing", done: "certificate.printed" }[state] || "certificate.print_failed";
      status.textContent = t(key);
      button.disabled = state === "printing" || state === "done";
    };
    button.addEventListener("click", () => {
      show("printing");
      ctx.post("/print/certificate", { code }, { personal: true }).then((answer) => {
        const print = printOf(answer && answer.print);
        if (!print) {
          show("failed");
          return;
        }
        const shown = (p) => {
          if (PRINT_ENDED.includes(p.state)) show(p.state === "done" ? "done" : "failed");
        };
        shown(print);
        followPrint(ctx.api, print, shown);
      });
    });
    box.replaceChildren(button, status);
  }, () => {});
  return box;
}
