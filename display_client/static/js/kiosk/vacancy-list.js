// Vacancies as rows of big buttons (jobs screen, matches): title, salary, employer, where and who.

import { h } from "../_dom.js";
import { salaryLabel } from "./format.js";
import { icon } from "./icons.js";
import { educationLabel } from "./strings.js";

export function vacancyRow(t, vacancy, onOpen) {
  const facts = [
    vacancy.district || "",
    educationLabel(t, vacancy.education),
    t("job.headcount", { count: vacancy.headcount || 1 }),
  ].filter(Boolean);
  const button = h("button", { type: "button", class: "kvrow", data: { id: vacancy.id } },
    h("span", { class: "kvrow__main" },
      h("span", { class: "kvrow__title" }, vacancy.title || ""),
      h("span", { class: "kvrow__salary" }, salaryLabel(t, vacancy))),
    h("span", { class: "kvrow__employer" }, vacancy.employer || ""),
    h("span", { class: "kvrow__facts" }, facts.join(t("list.separator"))),
    h("span", { class: "kvrow__more" }, t("list.details"), icon("next")));
  button.addEventListener("click", () => onOpen(vacancy));
  return h("li", {}, button);
}

/** The list, or a friendly line when it is empty. */
export function vacancyList(t, items, onOpen, emptyKey = "jobs.empty") {
  if (!items.length) return h("p", { class: "kempty", role: "status" }, icon("info"), t(emptyKey));
  return h("ul", { class: "kvlist" }, items.map((v) => vacancyRow(t, v, onOpen)));
}
