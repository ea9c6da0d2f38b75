// The counter page's words. The catalogue itself is strings.json, which the server also renders its
// sign-in and counter-choice pages from; the page embeds it (#counter-strings), so the script and the
// server show the same sentences, Chinese first, English second.

import { translator } from "../i18n.js";

/** The catalogue the server embedded in the page: {lang: {key: template}}. */
export function readCatalogue(doc = document) {
  const node = doc.getElementById("counter-strings");
  return JSON.parse(node ? node.textContent : "{}");
}

/** A translator (t, parts) of `catalogue` bound to `lang`; a key missing in English falls back to Chinese. */
export function createCounterI18n(catalogue, lang) {
  return translator(catalogue, lang);
}

/** A service type's name in the page's language (the Chinese one when it has no English name). */
export function serviceName(service, lang) {
  return lang === "en" && service.name_en ? service.name_en : service.name;
}

/** "A 社保业务": a service type's letter and name. */
export function serviceLabel(t, service, lang) {
  return t("service.label", { prefix: service.prefix, name: serviceName(service, lang) });
}
