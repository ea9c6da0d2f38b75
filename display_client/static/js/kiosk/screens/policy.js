// One policy notice, read a page at a time: the text sits in a fixed window and 上一页/下一页 move it,
// so nobody has to swipe or scroll.

import { h } from "../../_dom.js";
import { dateLabel } from "../format.js";
import { pager } from "../pager.js";
import { topicLabel } from "../strings.js";

const DROP = "script,style,iframe,object,embed,link,meta,form,input,button,textarea,select";

/** The notice's HTML (sanitized when saved) as nodes, with anything active removed once more. */
function bodyNodes(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
  for (const el of doc.body.querySelectorAll(DROP)) el.remove();
  for (const el of doc.body.querySelectorAll("*")) {
    for (const attr of [...el.attributes]) {
      if (attr.name.startsWith("on") || attr.name === "style" || /^\s*javascript:/i.test(attr.value)) el.removeAttribute(attr.name);
    }
  }
  // The screen's own heading is the notice title: the body's headings sit below it.
  for (const el of doc.body.querySelectorAll("h1,h2")) {
    const h3 = doc.createElement("h3");
    h3.append(...el.childNodes);
    el.replaceWith(h3);
  }
  return [...doc.body.childNodes];
}

/** Drop a leading heading that only repeats the title shown above it. */
function withoutRepeatedTitle(nodes, title) {
  const first = nodes.find((n) => n.nodeType === Node.ELEMENT_NODE || (n.textContent || "").trim());
  if (first && first.nodeName === "H3" && first.textContent.trim() === String(title || "").trim()) {
    return nodes.filter((n) => n !== first);
  }
  return nodes;
}

export function policyScreen(ctx, params) {
  const { t } = ctx;
  const node = h("section", { class: "kscreen kpolicy" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  let page = 1;
  let frame = null;

  ctx.load((signal) => ctx.api.get(`/notices/${encodeURIComponent(params.id)}`, { signal })).then((n) => {
    const meta = [
      n.issuing_office ? t("policy.office", { office: n.issuing_office }) : "",
      n.effective_date ? t("policy.effective", { date: dateLabel(t, n.effective_date) }) : "",
    ].filter(Boolean);
    const body = h("div", { class: "kpolicy__body" }, withoutRepeatedTitle(bodyNodes(n.body_html), n.title));
    const windowEl = h("div", { class: "kpolicy__window", tabindex: "0", role: "region", "aria-label": t("policy.text") }, body);
    const pagerEl = h("div", { class: "kpager-slot" });
    node.replaceChildren(
      h("h2", { class: "kpolicy__title" }, n.title || ""),
      h("p", { class: "kpolicy__meta" }, [n.topic ? h("span", { class: "kpolicy__topic" }, topicLabel(t, n.topic)) : null,
                                           meta.join(t("list.separator"))]),
      windowEl, pagerEl);
    const layout = () => {
      const line = parseFloat(getComputedStyle(body).lineHeight) || 40;
      const step = Math.max(line, windowEl.clientHeight - line); // one line overlaps, so nothing is cut unseen
      const pages = Math.max(1, Math.ceil((windowEl.scrollHeight - windowEl.clientHeight) / step) + 1);
      page = Math.min(page, pages);
      windowEl.scrollTop = (page - 1) * step;
      pagerEl.replaceChildren(pager(t, { page, pages, onPage: (p) => { page = p; layout(); } }));
    };
    frame = requestAnimationFrame(layout);
  });
  return { node, title: t("policy.title"), dispose: () => cancelAnimationFrame(frame) };
}
