// Previous / next page buttons with "第 1/4 页" between them: big targets, no swiping needed.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

/** A pager for `page` of `pages` (1-based); onPage(n) on a tap. Empty when there is one page. */
export function pager(t, { page, pages, onPage, prevKey = "pager.prev", nextKey = "pager.next", labelKey = "pager.label" }) {
  const nav = h("nav", { class: "kpager", "aria-label": t("pager.nav") });
  if (pages <= 1) {
    nav.hidden = true;
    return nav;
  }
  const prev = h("button", { type: "button", class: "kbtn kpager__prev", disabled: page <= 1 }, icon("back"), t(prevKey));
  const next = h("button", { type: "button", class: "kbtn kpager__next", disabled: page >= pages }, t(nextKey), icon("next"));
  prev.addEventListener("click", () => onPage(page - 1));
  next.addEventListener("click", () => onPage(page + 1));
  nav.append(prev, h("span", { class: "kpager__label", "aria-live": "polite" }, t(labelKey, { page, pages })), next);
  return nav;
}
