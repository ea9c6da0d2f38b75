// The frame around every screen: the mode toggles, who is being served, the page actions.
// Pure builders: the app decides what a tap does.

import { h } from "../_dom.js";
import { icon } from "./icons.js";
import { noticeText } from "./strings.js";

/** 长辈版 (a toggle, its state in aria-pressed and a check mark) and the other language's name. */
export function toggleButtons(t, { elder, otherLang, onElder, onLang }) {
  const elderButton = h("button", { type: "button", class: "kbtn ktoggle ktoggle--elder", "aria-pressed": String(elder),
                                    data: { toggle: "elder" } },
    icon(elder ? "check" : "elder"), t("toggle.elder"));
  elderButton.addEventListener("click", onElder);
  const langButton = h("button", { type: "button", class: "kbtn ktoggle ktoggle--lang", lang: otherLang,
                                   data: { toggle: "lang" } },
    icon("lang"), t("toggle.lang"));
  langButton.addEventListener("click", onLang);
  return [elderButton, langButton];
}

/** 返回 and 首页 (not on the home screen) and 结束, always. */
export function navButtons(t, { onHome, onBack, onGoHome, onEnd }) {
  const button = (name, iconName, onTap, extra = "") => {
    const b = h("button", { type: "button", class: `kbtn knav__${name}${extra}`, data: { nav: name } },
      icon(iconName), t(`nav.${name}`));
    b.addEventListener("click", onTap);
    return b;
  };
  const items = [];
  if (!onHome) items.push(button("back", "back", onBack), button("home", "home", onGoHome));
  items.push(button("end", "exit", onEnd, " kbtn--end"));
  return items;
}

/** Who is being served, masked as the server sent it: greeting, ID number, how they were read. */
export function whoBanner(t, citizen) {
  const byCard = citizen.source !== "ecard";
  return [
    h("span", { class: "kwho__icon" }, icon(byCard ? "records" : "qr")),
    h("div", { class: "kwho__text" },
      h("p", { class: "kwho__name" }, t("who.greeting", { name: citizen.maskedName })),
      // A records system may give no number: say so rather than leave the field blank.
      h("p", { class: "kwho__id" }, citizen.maskedId ? t("who.id", { id: citizen.maskedId }) : t("who.id.none")),
      h("p", { class: "kwho__source" }, t(`who.source.${citizen.source}`),
        byCard ? t("list.separator") : "", byCard ? t("who.leave") : ""),
      citizen.notice ? h("p", { class: "kwho__notice" }, icon("info"), noticeText(t, citizen.notice)) : null),
  ];
}
