// 参保证明: issued once per visit to this screen, shown as a QR code to take the PDF to a phone
// (this kiosk has no printer), with the code that verifies it.

import { h } from "../../_dom.js";
import { timeLabel } from "../format.js";
import { icon } from "../icons.js";

/** The server's SVG as an image: drawn, never parsed into the page (nothing in it can run). */
function qrImage(svg, alt) {
  // Inline SVG may leave out its namespace; an SVG image may not.
  const text = String(svg || "").replace(/^\s*<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  return h("img", { class: "kcert__qr", src, alt });
}

/** A long code in groups of four characters, so it can be read out and typed. */
function groupCode(code) {
  return (String(code || "").match(/.{1,4}/g) || []).join(" ");
}

export function certificateScreen(ctx) {
  const { t } = ctx;
  const node = h("section", { class: "kscreen kcert" }, h("p", { class: "kloading", role: "status" }, t("certificate.loading")));
  ctx.certificate().then((cert) => {
    const step = (n, key) => h("li", { class: "kcert__step" }, h("span", { class: "kcert__n", "aria-hidden": "true" }, String(n)), t(key));
    node.replaceChildren(
      h("h2", { class: "kcert__title" }, icon("ok"), t("certificate.ready")),
      h("div", { class: "kcert__body" },
        h("figure", { class: "kcert__figure" }, qrImage(cert.qr_svg, t("certificate.qr_alt")),
          h("figcaption", {}, icon("phone"), t("certificate.scan"))),
        h("div", { class: "kcert__info" },
          h("ol", { class: "kcert__steps" },
            step(1, "certificate.step.scan"), step(2, "certificate.step.download"), step(3, "certificate.step.verify")),
          h("p", { class: "kcert__code" }, t("certificate.code"), h("strong", { class: "kcert__code-value" }, groupCode(cert.code))),
          cert.expires_at ? h("p", { class: "kcert__expires", data: { expiresAt: cert.expires_at } }, icon("clock"), t("certificate.expires", { time: timeLabel(cert.expires_at, ctx.timeZone) })) : null,
          h("p", { class: "kcert__printer" }, icon("info"), t("certificate.no_printer")))));
  });
  return { node, title: t("certificate.title"), personal: true };
}
