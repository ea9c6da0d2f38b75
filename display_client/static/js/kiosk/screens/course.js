// One training course in full: dates, class times, where, places left, fee, who is subsidised and by
// how much, what is asked; and how to enrol: the enrolment page as a QR code to scan, or the phone.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";
import { courseDates, courseFee, coursePlaces } from "./training.js";

/** The server's SVG as an image: drawn, never parsed into the page; an image needs the namespace segno leaves out. */
function qrImage(svg, alt) {
  const text = String(svg || "").replace(/^\s*<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return h("img", { class: "ktcourse__qr", src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`, alt });
}

export function courseScreen(ctx, params) {
  const { t } = ctx;
  const node = h("section", { class: "kscreen kjob ktcourse" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  const show = (c) => {
    const row = (key, value, cls = "") => value ? [h("dt", { class: cls }, t(key)), h("dd", { class: cls }, value)] : [];
    const groups = Array.isArray(c.subsidy_groups) ? c.subsidy_groups.join(t("training.joiner")) : "";
    const enrol = c.qr_svg
      ? h("figure", { class: "ktcourse__figure" }, qrImage(c.qr_svg, t("training.qr_alt")),
        h("figcaption", {}, icon("qr"), t("training.scan")))
      : null;
    const phone = c.enrol_phone
      ? h("p", { class: "ktcourse__phone" }, icon("phone"), t("training.phone", { phone: c.enrol_phone }))
      : null;
    node.replaceChildren(
      h("h2", { class: "kjob__title" }, c.title || ""),
      h("p", { class: "kjob__salary" }, `${courseFee(t, c)}${t("list.separator")}${coursePlaces(t, c)}`),
      h("div", { class: "ktcourse__enrol" }, enrol, phone,
        enrol || phone ? null : h("p", { class: "ktcourse__phone" }, icon("info"), t("training.ask_staff"))),
      h("dl", { class: "kjob__facts" },
        row("training.provider", c.provider),
        row("training.when", courseDates(t, c)),
        row("training.class_times", c.class_times),
        row("training.venue", [c.district, c.venue].filter(Boolean).join(" ")),
        row("training.places_label", t("training.places_of", { left: Number(c.places_left) || 0, total: c.places_total })),
        row("training.subsidy_groups", groups),
        row("training.subsidy", c.subsidy),
        row("training.requirements", c.requirements, "kjob__long")));
  };
  ctx.load((signal) => ctx.api.get(`/training/${encodeURIComponent(params.id)}`, { signal })).then(show);
  return { node, title: t("training.course_title") };
}
