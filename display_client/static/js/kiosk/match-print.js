// 打印列表 on 岗位匹配: the suggested vacancies on the kiosk's slip printer, to take home.
//
// Shown only when the kiosk has a slip printer; while it cannot print (缺纸, offline) the page says so
// instead of offering a button that would fail. The print is followed like a queue slip
// (printing.js): 正在打印…, then 请取走 or a failure in words, within the print's deadline.

import { h } from "../_dom.js";
import { icon } from "./icons.js";
import { PRINT_ENDED, followPrint, printOf } from "./printing.js";

const WORDS = {
  printing: "matches.printing",
  done: "matches.printed",
  failed: "matches.print_failed",
};

/**
 * The print box (empty until the printers are known). `vacancyIds()` resolves with the ids to print,
 * best first. Returns {node, dispose}.
 */
export function matchesPrint(ctx, vacancyIds) {
  const { t } = ctx;
  const node = h("div", { class: "kmprint", data: { print: "none" } });
  let stop = () => {};
  ctx.api.get("/print/printers").then((out) => {
    const slip = out && out.slip;
    if (!slip) return; // no slip printer: nothing to offer
    if (!slip.ready) {
      node.dataset.print = "unavailable";
      node.replaceChildren(h("p", { class: "kmprint__state" }, icon("warn"), t("matches.print.unavailable")));
      return;
    }
    const button = h("button", { type: "button", class: "kbtn kmprint__button", data: { action: "print-matches" } },
      icon("ticket"), t("matches.print"));
    const status = h("p", { class: "kmprint__state", role: "status" });
    const show = (state) => {
      node.dataset.print = state;
      status.replaceChildren(...(WORDS[state] ? [icon(state === "failed" ? "warn" : "ticket"), t(WORDS[state])] : []));
      button.disabled = state === "printing" || state === "done";
    };
    const ended = (print) => {
      if (PRINT_ENDED.includes(print.state)) show(print.state === "done" ? "done" : "failed");
    };
    button.addEventListener("click", () => {
      show("printing");
      vacancyIds()
        .then((ids) => ctx.post("/print/matches", { vacancy_ids: ids }, { personal: true }))
        .then((answer) => {
          const print = answer && !answer.refused ? printOf(answer.print) : null;
          if (!print) {
            show("failed");
            return;
          }
          ended(print);
          stop();
          stop = followPrint(ctx.api, print, ended);
        });
    });
    node.dataset.print = "ready";
    node.replaceChildren(button, status);
  }, () => {});
  return { node, dispose: () => stop() };
}
