// Web page (网页): an allow-listed URL in a sandboxed frame, with a fallback, so the region is never blank.
//
// The fallback (the item's title, a note and a QR code of the URL) shows when the server's probe
// found the page refuses framing or does not answer (`frameable` false), while the screen is
// offline, and whenever the frame has not loaded: under the frame until its first load (moving
// the built view into the region reloads the frame), and instead of it when it has not loaded
// within the fallback time. The frame gets no referrer, and scripts only for another origin's page:
// a page of our own origin with scripts and same-origin could lift its own sandbox.

import { firstEvent, h, timedView, withTimeout } from "./_dom.js";
import { qrSvg } from "./qr-code.js";

const CROSS_ORIGIN_SANDBOX = "allow-scripts allow-same-origin";

/** The sandbox attribute for `url` framed from `origin`: null when it is not an http(s) URL. */
export function sandboxFor(url, origin = window.location.origin) {
  let target;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") return null;
  return target.origin === origin ? "" : CROSS_ORIGIN_SANDBOX;
}

function fallbackNode(item, i18n) {
  const qr = qrSvg(item.qr, i18n.t("webpage.qr_label"));
  return h(
    "div",
    { class: "webpage__fallback" },
    h(
      "div",
      { class: "webpage__text" },
      h("h2", { class: "webpage__title" }, item.title ?? ""),
      h("p", { class: "webpage__note" }, i18n.t("webpage.unavailable")),
      qr ? h("p", { class: "webpage__hint" }, i18n.t("webpage.scan")) : null,
    ),
    qr ? h("figure", { class: "webpage__qr" }, qr) : null,
  );
}

function fallbackView(item, { i18n, staging, ms }) {
  const node = h("article", { class: "webpage webpage--fallback", data: { webpage: item.id } }, fallbackNode(item, i18n));
  staging.append(node);
  return timedView(node, ms);
}

/**
 * Build a web page view in `staging`, shown for `ms`; always a view (the fallback when the page
 * cannot be framed), never null. online: whether the screen has a network (navigator.onLine).
 */
export async function buildWebPageView(item, { i18n, staging, ms, fallbackMs, online = navigator.onLine }) {
  const sandbox = typeof item?.url === "string" ? sandboxFor(item.url) : null;
  if (!item?.frameable || !online || sandbox === null) return fallbackView(item ?? {}, { i18n, staging, ms });
  const frame = h("iframe", {
    class: "webpage__frame",
    title: item.title ?? "",
    referrerpolicy: "no-referrer",
    sandbox,
    allow: "",
  });
  const node = h("article", { class: "webpage", data: { webpage: item.id } }, fallbackNode(item, i18n), frame);
  const showFallback = () => {
    node.classList.remove("webpage--loaded");
    frame.remove();
    frame.removeAttribute("src");
  };
  frame.addEventListener("load", () => node.classList.add("webpage--loaded"));
  const loaded = firstEvent(frame, ["load"], ["error"]);
  frame.src = item.url;
  staging.append(node);
  if (!(await withTimeout(loaded, fallbackMs, false))) {
    showFallback(); // never loaded: the fallback alone, for the item's time
    return timedView(node, ms);
  }
  let parent = node.parentNode;
  const onOffline = () => showFallback();
  window.addEventListener("offline", onOffline);
  const view = timedView(node, ms, {
    dispose: () => {
      window.removeEventListener("offline", onOffline);
      showFallback();
    },
  });
  const start = view.start;
  view.start = (done) => {
    // Moved into the region, the frame loads again: the fallback shows under it until it has.
    if (node.parentNode !== parent) node.classList.remove("webpage--loaded");
    parent = node.parentNode;
    start(done);
  };
  return view;
}
