// 参保证明: issued once per visit to this screen, shown as a QR code to take the signed PDF to a phone,
// with the code that verifies it. The paper carries the full name and ID number; this screen never does.
// When the card gave no full ID number (an e-card QR), the screen says so before issuing.

import { h } from "../../_dom.js";
import { timeLabel } from "../format.js";
import { icon } from "../icons.js";
import { certificatePrint } from "../printing.js";

/** The server's SVG as an image: drawn, never parsed into the page (nothing in it can run). */
function qrImage(svg, alt) {
  // Inline SVG may leave out its namespace; an SVG image may not.
  const text = String(svg || "").replace(/^\s*<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  return h("img", { class: "kcert__qr", src, alt });
}

/** A code in groups of four characters, so it can be read out and typed (the server already groups new codes). */
function groupCode(code) {
  const text = String(code || "");
  return text.includes("-") ? text.replaceAll("-", " ") : (text.match(/.{1,4}/g) || []).join(" ");
}

/** Why the paper shows only part of the ID number, in the screen's language ("" when it shows all of it). */
function maskedWords(t, answer) {
  return answer && answer.masked_why ? t(`certificate.masked.${answer.masked_why}`) : "";
}

function notices(t, cert) {
  const lines = [];
  const masked = maskedWords(t, cert);
  if (masked) lines.push(h("p", { class: "kcert__note", data: { note: "masked" } }, icon("info"), masked));
  if (cert.signed === false) lines.push(h("p", { class: "kcert__note", data: { note: "unsigned" } }, icon("info"), t("certificate.unsigned")));
  return lines;
}

export function certificateScreen(ctx) {
  const { t } = ctx;
  const node = h("section", { class: "kscreen kcert" }, h("p", { class: "kloading", role: "status" }, t("certificate.loading")));

  const show = (cert) => {
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
          cert.expires_at ? h("p", { class: "kcert__expires", data: { expiresAt: cert.expires_at } }, icon("clock"),
            t("certificate.expires_times", { time: timeLabel(cert.expires_at, ctx.timeZone), count: cert.max_downloads || 3 })) : null,
          ...notices(t, cert),
          certificatePrint(ctx, cert.code))));
  };

  const issue = () => {
    node.replaceChildren(h("p", { class: "kloading", role: "status" }, t("certificate.loading")));
    ctx.certificate().then(show);
  };

  // Said before issuing: a certificate from an e-card QR prints only part of the ID number.
  ctx.personalGet("/session/certificate").then((ahead) => {
    const masked = maskedWords(t, ahead);
    if (!masked) {
      issue();
      return;
    }
    const go = h("button", { type: "button", class: "kbtn kbtn--primary kbtn--big", data: { action: "issue" } },
      icon("policy"), t("certificate.issue_anyway"));
    go.addEventListener("click", issue);
    node.replaceChildren(
      h("h2", { class: "kcert__title" }, icon("info"), t("certificate.title")),
      h("p", { class: "kcert__note kcert__note--ahead", role: "status", data: { note: "masked" } }, masked),
      go);
  });
  return { node, title: t("certificate.title"), personal: true };
}
