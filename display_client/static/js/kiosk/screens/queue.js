// 取号: choose a line, then the priority lane (and, with a card session, linking the card), then the
// ticket: the number very large, the queue ahead, the wait, the QR code of its status page, whether a
// slip is printed, and 过号无效. It goes back to home by itself after RESULT_SECONDS.
//
// Printing (docs/kiosk.md, "Printing"): the lines say when the slip printer cannot print (缺纸) before
// the citizen takes a number. Taking one prints its slip by itself (the server asks the agent); the
// ticket then follows the print until it ends or its deadline passes (printing.js): 正在打印小票…, then
// 请取走小票 (with 再打一张, once), or 小票打印失败 with the number and its QR code still on screen.
//
// The steps are one screen (Back always leaves it), kept in the screen's params so a language or
// elder-mode switch draws the same step again without taking another ticket. The ticket shows nothing
// personal, so it stays on screen when the card is taken out (outlivesSession).

import { fromParts, h } from "../../_dom.js";
import { icon } from "../icons.js";
import { PRINT_ENDED, followPrint, printOf } from "../printing.js";
import { createKioskI18n } from "../strings.js";

export const RESULT_SECONDS = 30;
export const ELDER_RESULT_SECONDS = 45;

/** The slip printer as the server reports it: null (none), or {state, ready}. */
function printerOf(raw) {
  if (!raw || typeof raw !== "object") return null;
  return { state: String(raw.state || "unknown"), ready: Boolean(raw.ready) };
}

/** What to say when the slip printer cannot print now (null: it can, or there is none). */
function printerTrouble(printer) {
  if (!printer || printer.ready) return null;
  return printer.state === "paper_out" ? "queue.printer.paper_out" : "queue.printer.down";
}

/** The server's SVG as an image: drawn, never parsed into the page (nothing in it can run). */
function qrImage(svg, alt) {
  const text = String(svg || "").replace(/^\s*<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return h("img", { class: "kticket__qr", src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`, alt });
}

/** The estimate's range {low, high} in minutes (equal when the server is sure, or sends no range). */
function waitRange(raw) {
  const minutes = Number(raw.wait_minutes) || 0;
  const low = Number(raw.wait_minutes_low) || minutes;
  const high = Number(raw.wait_minutes_high) || minutes;
  return low < high ? { low, high } : { low: minutes, high: minutes };
}

/** What the page keeps of a ticket: what it shows, and its code to ask for one more slip. */
function keep(out) {
  const service = out.service || {};
  return {
    number: String(out.number || ""), priority: Boolean(out.priority), ahead: Number(out.ahead) || 0,
    waitMinutes: Number(out.wait_minutes) || 0, wait: waitRange(out), service: { name: String(service.name || ""), nameEn: String(service.name_en || "") },
    qrSvg: String(out.qr_svg || ""), linked: Boolean(out.linked), code: String(out.code || ""),
    printer: printerOf(out.printer), print: printOf(out.print), reprinted: false,
  };
}

export function queueScreen(ctx, params) {
  const { t } = ctx;
  const { parts } = createKioskI18n(ctx.lang);
  const node = h("section", { class: "kscreen kqueue" });
  let timer = null;
  let stopFollowing = () => {};
  const view = {
    node, title: t("queue.title"), outlivesSession: false,
    dispose: () => {
      clearInterval(timer);
      stopFollowing();
    },
  };
  const lineName = (line) => (ctx.lang === "en" && line.nameEn ? line.nameEn : line.name);
  const waitText = (wait, waiting) => {
    if (!waiting) return t("queue.wait.none");
    return wait.low < wait.high ? t("queue.wait.range", wait) : t("queue.wait", { minutes: wait.high });
  };

  function fact(iconName, text) {
    return h("span", { class: "kline__fact" }, icon(iconName), text);
  }

  function lines() {
    ctx.remember({ step: "lines" });
    node.dataset.step = "lines";
    node.replaceChildren(h("p", { class: "kloading", role: "status" }, t("queue.loading")));
    ctx.load((signal) => ctx.api.get("/queue/lines", { signal })).then((data) => {
      const found = Array.isArray(data && data.lines) ? data.lines : [];
      if (!found.length) {
        ctx.message({ kind: "info", name: "queue-closed", title: t("queue.closed.title"), body: t("queue.closed.body") });
        ctx.home();
        return;
      }
      const buttons = found.map((raw) => {
        const line = { id: raw.id, prefix: String(raw.prefix || ""), name: String(raw.name || ""),
                       nameEn: String(raw.name_en || ""), waiting: Number(raw.waiting) || 0,
                       waitMinutes: Number(raw.wait_minutes) || 0, wait: waitRange(raw) };
        const button = h("button", { type: "button", class: "kline", data: { line: line.id, prefix: line.prefix } },
          h("span", { class: "kline__prefix" }, line.prefix),
          h("span", { class: "kline__text" },
            h("span", { class: "kline__name" }, lineName(line)),
            h("span", { class: "kline__facts" },
              fact("ticket", t("queue.waiting", { count: line.waiting })),
              fact("clock", waitText(line.wait, line.waiting)))),
          icon("next"));
        button.addEventListener("click", () => options(line, false, false));
        return button;
      });
      const trouble = printerTrouble(printerOf(data && data.printer));
      node.replaceChildren(
        h("h2", { class: "kqueue__prompt" }, t("queue.choose")),
        h("p", { class: "kqueue__hint" }, t("queue.choose.hint")),
        trouble ? h("p", { class: "kqueue__printer", role: "status", data: { printer: "trouble" } }, icon("warn"), t(trouble)) : null,
        h("div", { class: "klines", role: "group", "aria-label": t("queue.lines") }, buttons));
    });
  }

  function toggle(name, label, hint, pressed, onChange) {
    const state = h("span", { class: "kswitch__state", "aria-hidden": "true" });
    const box = h("span", { class: "kswitch__box", "aria-hidden": "true" });
    const button = h("button", { type: "button", class: "kswitch", data: { option: name } },
      box, h("span", { class: "kswitch__text" }, h("span", { class: "kswitch__label" }, label), state));
    const draw = (on) => {
      button.setAttribute("aria-pressed", String(on));
      box.replaceChildren(on ? icon("check") : "");
      state.textContent = t(on ? "queue.switch.on" : "queue.switch.off");
    };
    button.addEventListener("click", () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      draw(on);
      onChange(on);
    });
    draw(pressed);
    return h("div", { class: "kswitch-row" }, button, h("p", { class: "kswitch__hint" }, hint));
  }

  function options(line, priority, link) {
    const chosen = { priority, link: Boolean(link && ctx.citizen) };
    node.dataset.step = "options";
    const save = () => ctx.remember({ step: "options", line, priority: chosen.priority, link: chosen.link });
    save();
    const rows = [toggle("priority", t("queue.priority"), t("queue.priority.hint"), chosen.priority, (on) => {
      chosen.priority = on;
      save();
    })];
    if (ctx.citizen) {
      const label = t(ctx.citizen.source === "idcard" ? "queue.link.idcard" : "queue.link.ssc");
      rows.push(toggle("link", label, t("queue.link.hint"), chosen.link, (on) => {
        chosen.link = on;
        save();
      }));
    }
    const takeButton = h("button", { type: "button", class: "kbtn kbtn--primary kbtn--big kqueue__take", data: { action: "take" } },
      icon("ticket"), t("queue.take"));
    const change = h("button", { type: "button", class: "kbtn kbtn--big kqueue__change", data: { action: "change" } },
      icon("back"), t("queue.change"));
    change.addEventListener("click", () => lines());
    takeButton.addEventListener("click", () => {
      takeButton.disabled = true;
      change.disabled = true;
      takeButton.replaceChildren(t("queue.taking"));
      const body = { service_type_id: line.id, priority: chosen.priority, link_card: chosen.link && Boolean(ctx.citizen) };
      ctx.post("/queue/tickets", body, { personal: body.link_card }).then((out) => {
        if (out && out.refused) refused(out.refused, line, chosen);
        else ticket(keep(out || {}));
      });
    });
    node.replaceChildren(
      h("div", { class: "kqueue__chosen" },
        h("p", { class: "kqueue__chosen-label" }, t("queue.chosen")),
        h("h2", { class: "kqueue__chosen-name" }, h("span", { class: "kline__prefix" }, line.prefix), lineName(line)),
        h("p", { class: "kline__facts" }, fact("ticket", t("queue.waiting", { count: line.waiting })),
          fact("clock", waitText(line.wait, line.waiting)))),
      h("div", { class: "kqueue__options", role: "group", "aria-label": t("queue.options") }, rows),
      h("div", { class: "kqueue__actions" }, change, takeButton));
  }

  function refused(err, line, chosen) {
    if (err.status === 429) {
      ctx.message({ kind: "warn", name: "queue-busy", title: t("queue.busy.title"), body: t("queue.busy.body") });
      options(line, chosen.priority, chosen.link);
    } else if (err.status === 404 || err.status === 409) {
      ctx.message({ kind: "warn", name: "queue-gone", title: t("queue.gone.title"), body: t("queue.gone.body") });
      lines();
    } else {
      ctx.message({ kind: "warn", name: "error", title: t("error.generic.title"), body: t("error.generic.body") });
      ctx.home();
    }
  }

  /** The slip's line on the ticket: printing, take it (再打一张 once), failed, or why none prints. */
  function slipNote(kept) {
    const print = kept.print;
    // The words change as the print goes on: said by a live region inside the item (a list keeps its items).
    const note = (kind, iconName, text, ...rest) => h("li", {
      class: `kticket__note kticket__note--${kind}`, data: { print: print ? print.state : "none" },
    }, icon(iconName), h("span", { role: "status" }, text), ...rest);
    if (!print) {
      const trouble = printerTrouble(kept.printer);
      return note("no-slip", "info", t(trouble || "queue.no_slip"));
    }
    if (print.state === "done") {
      const again = kept.reprinted ? null : h("button", { type: "button", class: "kbtn kticket__reprint", data: { action: "reprint" } },
        icon("ticket"), t("queue.reprint"));
      if (again) again.addEventListener("click", () => reprint(kept));
      return note("slip", "ticket", t("queue.slip"), again);
    }
    if (PRINT_ENDED.includes(print.state)) return note("print-failed", "warn", t("queue.print_failed"));
    return note("printing", "ticket", t("queue.printing"));
  }

  function redrawSlip(kept) {
    ctx.remember({ step: "ticket", ticket: kept });
    const old = node.querySelector(".kticket__notes > li:first-child");
    if (old) old.replaceWith(slipNote(kept));
  }

  function follow(kept) {
    stopFollowing();
    stopFollowing = followPrint(ctx.api, kept.print, (print) => {
      kept.print = print;
      redrawSlip(kept);
    });
  }

  function reprint(kept) {
    kept.reprinted = true;
    ctx.post("/print/slip", { code: kept.code }).then((out) => {
      if (out && out.refused) {
        // Refused: already reprinted (the slip that came out stands), or the printer cannot print now.
        if (out.refused.code !== "reprinted") kept.print = { ...kept.print, state: "failed", error: out.refused.code };
      } else {
        kept.print = printOf(out && out.print);
      }
      redrawSlip(kept);
      if (kept.print) follow(kept);
    });
  }

  function ticket(kept) {
    ctx.remember({ step: "ticket", ticket: kept });
    view.outlivesSession = true;
    const service = ctx.lang === "en" && kept.service.nameEn ? kept.service.nameEn : kept.service.name;
    const left = h("span", { class: "kticket__left" });
    const finish = h("button", { type: "button", class: "kbtn kbtn--primary kbtn--big kticket__finish", data: { action: "finish" } },
      icon("check"), t("queue.finish"));
    finish.addEventListener("click", () => ctx.home());
    const badges = [
      kept.priority ? h("span", { class: "kticket__badge kticket__badge--priority" }, icon("check"), t("queue.priority")) : null,
      kept.linked ? h("span", { class: "kticket__badge" }, icon("card"), t("queue.linked")) : null,
    ].filter(Boolean);
    node.dataset.step = "ticket";
    node.replaceChildren(
      h("h2", { class: "kticket__title" }, icon("ok"), t("queue.done.title")),
      h("div", { class: "kticket__card" },
        h("div", { class: "kticket__main" },
          h("p", { class: "kticket__service" }, service),
          h("p", { class: "kticket__label" }, t("queue.number")),
          h("p", { class: "kticket__number", data: { number: kept.number } }, kept.number),
          badges.length ? h("p", { class: "kticket__badges" }, badges) : null),
        h("div", { class: "kticket__queue" },
          h("p", { class: "kticket__ahead" }, fromParts(parts("queue.ahead", { count: kept.ahead }), "kticket")),
          h("p", { class: "kticket__wait" }, kept.ahead
            ? fromParts(kept.wait.low < kept.wait.high ? parts("queue.eta.range", kept.wait)
              : parts("queue.eta", { minutes: kept.waitMinutes }), "kticket")
            : t("queue.eta.soon")))),
      h("div", { class: "kticket__side" },
        h("figure", { class: "kticket__figure" }, qrImage(kept.qrSvg, t("queue.qr_alt")),
          h("figcaption", {}, icon("phone"), t("queue.scan"))),
        h("ul", { class: "kticket__notes" },
          slipNote(kept),
          h("li", { class: "kticket__note kticket__note--missed" }, icon("warn"), t("queue.missed")))),
      h("div", { class: "kticket__done" }, finish, left));
    const until = Date.now() + (ctx.elder ? ELDER_RESULT_SECONDS : RESULT_SECONDS) * 1000;
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      left.textContent = t("queue.returning", { seconds });
      if (seconds === 0) {
        clearInterval(timer);
        ctx.home();
      }
    };
    clearInterval(timer);
    timer = setInterval(tick, 1000);
    tick();
    if (kept.print) follow(kept);
  }

  if (params.step === "ticket" && params.ticket) ticket(params.ticket);
  else if (params.step === "options" && params.line) options(params.line, Boolean(params.priority), Boolean(params.link));
  else lines();
  return view;
}
