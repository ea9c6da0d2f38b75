// One service guide in large type: what it takes, what to bring, the steps, time limit, fee, where
// and when, and the online link as a QR code to scan with a phone. The text sits in a fixed window
// that 上一页/下一页 move, so nobody has to swipe or scroll.

import { h } from "../../_dom.js";
import { qrSvg } from "../../qr-code.js";
import { pager } from "../pager.js";

function materialText(t, m) {
  const copies = Number.isInteger(m.copies) ? m.copies : 1;
  if (m.original && copies === 0) return t("guide.material.original_only");
  return t(m.original ? "guide.material.original" : "guide.material", { copies });
}

function section(title, ...children) {
  return h("section", { class: "kguide__section" }, h("h3", { class: "kguide__heading" }, title), ...children);
}

function fact(t, key, value) {
  return value ? h("div", { class: "kguide__fact" }, h("dt", {}, t(key)), h("dd", {}, value)) : null;
}

export function guideScreen(ctx, params) {
  const { t } = ctx;
  const node = h("section", { class: "kscreen kpolicy kguide" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  let page = 1;
  let frame = null;

  ctx.load((signal) => ctx.api.get(`/guides/${encodeURIComponent(params.id)}`, { signal })).then((g) => {
    const where = [g.location, g.counter].filter(Boolean).join(" ");
    const facts = h("dl", { class: "kguide__facts" },
      fact(t, "guide.time_limit", g.time_limit), fact(t, "guide.fee", g.fee), fact(t, "guide.where", where),
      fact(t, "guide.hours", g.hours), fact(t, "guide.phone", g.phone));
    const materials = (Array.isArray(g.materials) ? g.materials : []).map((m) =>
      h("li", { class: "kguide__material" }, h("span", {}, m.name || ""), h("span", { class: "kguide__copies" }, materialText(t, m))));
    const steps = (Array.isArray(g.steps) ? g.steps : []).map((s) => h("li", { class: "kguide__step" }, s));
    const body = h("div", { class: "kpolicy__body kguide__body" },
      g.conditions ? section(t("guide.conditions"), h("p", { class: "kguide__text" }, g.conditions)) : null,
      materials.length ? section(t("guide.materials"), h("ul", { class: "kguide__materials" }, materials)) : null,
      steps.length ? section(t("guide.steps"), h("ol", { class: "kguide__steps" }, steps)) : null,
      g.legal_basis ? section(t("guide.legal_basis"), h("p", { class: "kguide__text" }, g.legal_basis)) : null);
    const windowEl = h("div", { class: "kpolicy__window", tabindex: "0", role: "region", "aria-label": t("guide.text") }, body);
    const qr = qrSvg(g.qr, t("guide.qr_alt"));
    const side = h("aside", { class: "kguide__side" }, facts,
      qr ? h("figure", { class: "kguide__qr" }, qr, h("figcaption", {}, t("guide.scan"))) : null);
    const pagerEl = h("div", { class: "kpager-slot" });
    node.replaceChildren(
      h("h2", { class: "kpolicy__title" }, g.title || ""),
      h("p", { class: "kpolicy__meta" }, g.category ? h("span", { class: "kpolicy__topic" }, g.category) : null),
      side, windowEl, pagerEl);
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
  return { node, title: t("guide.title"), dispose: () => cancelAnimationFrame(frame) };
}
