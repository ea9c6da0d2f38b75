// 发到手机: a QR code of the vacancy's public phone page (/m/jobs/<id>), to take it away without paper.
// The code holds the vacancy's address only: nothing of the citizen goes to the phone.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

/** The server's SVG as an image: drawn, never parsed into the page (nothing in it can run). */
function qrImage(svg, alt) {
  const text = String(svg || "").replace(/^\s*<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return h("img", { class: "kphone__qr", src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`, alt });
}

/** The 发到手机 button; a tap shows the QR code in its place (asked once), a second tap hides it. */
export function phoneBox(ctx, vacancyId) {
  const { t } = ctx;
  const node = h("div", { class: "kphone", data: { phone: "closed" } });
  const button = h("button", { type: "button", class: "kbtn kbtn--big kphone__button", "aria-expanded": "false",
                               data: { action: "phone" } }, icon("phone"), t("job.phone"));
  const panel = h("div", { class: "kphone__panel", hidden: true });
  let asked = null;
  const open = (shown) => {
    node.dataset.phone = shown ? "open" : "closed";
    button.setAttribute("aria-expanded", String(shown));
    button.replaceChildren(icon(shown ? "back" : "phone"), t(shown ? "job.phone.hide" : "job.phone"));
    panel.hidden = !shown;
  };
  button.addEventListener("click", () => {
    if (!panel.hidden) {
      open(false);
      return;
    }
    open(true);
    if (asked) return;
    panel.replaceChildren(h("p", { class: "kloading", role: "status" }, t("job.phone.loading")));
    // A code that cannot be made is said here: the vacancy stays on screen with its telephone number.
    const qr = (signal) => ctx.api.get(`/vacancies/${encodeURIComponent(vacancyId)}/qr`, { signal }).catch(() => null);
    asked = ctx.load(qr).then((out) => {
      if (!out || !out.svg) {
        asked = null; // the next tap asks again
        panel.replaceChildren(h("p", { class: "kphone__failed", role: "status" }, icon("warn"), t("job.phone.failed")));
        return;
      }
      panel.replaceChildren(h("figure", { class: "kphone__figure" }, qrImage(out.svg, t("job.phone.alt")),
        h("figcaption", {}, icon("phone"), t("job.phone.scan"))));
    });
  });
  node.append(button, panel);
  return node;
}
