// The lines this counter calls from: tickets sent to it first, then each service type it serves,
// with how many wait and the next numbers in calling order.

import { h } from "../_dom.js";
import { serviceLabel } from "./strings.js";

function lineRow(name, line, t, data) {
  const next = line.next.length
    ? h(
        "span",
        { class: "cline__next" },
        h("span", { class: "cline__next-label" }, t("lines.next")),
        line.next.map((ticket) =>
          h("span", { class: ticket.priority ? "cchip cchip--priority" : "cchip" }, ticket.number),
        ),
      )
    : h("span", { class: "cline__next cline__next--empty" }, t("lines.empty"));
  return h(
    "li",
    { class: "cline", data },
    h("span", { class: "cline__name" }, name),
    h("span", { class: "cline__count" }, t("lines.waiting", { count: line.waiting })),
    next,
  );
}

/** Render the lines of `state` into `list`; the same state renders the same DOM. */
export function renderLines(list, state, { t, lang }) {
  const rows = [];
  if (state.directed && state.directed.waiting > 0) {
    rows.push(lineRow(t("lines.directed"), state.directed, t, { line: "directed" }));
  }
  for (const line of state.lines) {
    rows.push(lineRow(serviceLabel(t, line.service, lang), line, t, { line: line.service.prefix }));
  }
  list.replaceChildren(...rows);
}
