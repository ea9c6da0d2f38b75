// 我有意向 on a suggested vacancy: the interest is recorded for the hall's employment counsellors, who
// call the citizen back. One tap records it; the answer is said in words (已登记意向, 已登记过), and so
// is a refusal. What happened is kept in the screen's params, so a redraw does not offer it again.

import { h } from "../_dom.js";
import { icon } from "./icons.js";
import { statementQuery } from "./match-statement.js";

const SAID = {
  sending: ["clock", "match.interest.sending"],
  done: ["ok", "match.interest.done"],
  already: ["ok", "match.interest.already"],
  gone: ["warn", "match.interest.gone"],
  failed: ["warn", "match.interest.failed"],
};

/**
 * The button and its line. `recorded` is what an earlier tap got ("done", "already") or null;
 * `statement` the three taps (if any), sent along so the counsellors see what the citizen asked for.
 */
export function interestBox(ctx, vacancyId, recorded, statement = null) {
  const { t } = ctx;
  const node = h("div", { class: "kinterest" });
  const button = h("button", { type: "button", class: "kbtn kbtn--primary kbtn--big kinterest__button",
                               data: { action: "interest" } }, icon("check"), t("match.interest"));
  const status = h("p", { class: "kinterest__state", role: "status" });
  const show = (state) => {
    node.dataset.interest = state || "none";
    const said = SAID[state];
    status.replaceChildren(...(said ? [icon(said[0]), t(said[1])] : [t("match.interest.hint")]));
    button.disabled = ["sending", "done", "already"].includes(state);
    button.hidden = ["done", "already"].includes(state);
  };
  button.addEventListener("click", () => {
    show("sending");
    const query = new URLSearchParams(Object.entries(statementQuery(statement)).filter(([, value]) => value !== "")).toString();
    const path = `/session/matches/${encodeURIComponent(vacancyId)}/interest${query ? `?${query}` : ""}`;
    ctx.post(path, {}, { personal: true }).then((out) => {
      if (out && out.refused) {
        show(out.refused.status === 404 ? "gone" : "failed");
        return;
      }
      const state = out && out.already ? "already" : "done";
      ctx.remember({ interest: state });
      show(state);
    });
  });
  show(recorded);
  node.append(button, status);
  return node;
}
