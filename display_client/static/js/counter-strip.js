// Counter strip: the screen above one service window (kind "counter": an LED strip, 640×64 in the
// demo, or an LCD bar). One line, as large as the strip allows:
//   called   5号窗口　请A023号      (blinks on a new call; 重呼 in words on a recall)
//   serving  5号窗口　正在办理 A023
//   no ticket 5号窗口　欢迎光临
//   paused   5号窗口　暂停服务 · 业务培训   (the board marks the counter paused, with staff's reason)
// The counter is the one of the hall's board whose screen_id is this screen; a counter screen with
// no counter attached plays signage like a wall. Strips never speak: the hall's walls do.
// In the hall's off hours the whole page, strip included, goes black (power.js, driven by wall.js).

import { canonicalJson, fitText, fromParts, h, overflows } from "./_dom.js";
import { counterLabel } from "./queue-board.js";

function setData(el, values) {
  for (const [name, value] of Object.entries(values)) {
    const text = value === null || value === undefined ? "" : String(value);
    if (el.dataset[name] !== text) el.dataset[name] = text;
  }
}

function setHidden(el, hidden) {
  if (el.hidden !== hidden) el.hidden = hidden;
}

/** The counter of `board` attached to screen `screenId`, or null. */
export function counterForScreen(board, screenId) {
  if (!board || !Array.isArray(board.counters) || screenId === null || screenId === undefined) return null;
  return board.counters.find((c) => c && c.screen_id !== null && String(c.screen_id) === String(screenId)) || null;
}

/** What the strip shows for `counter`: {state, ticket, recall, callId, reason}. */
export function stripState(board, counter) {
  const latest = (board.calls || []).find((c) => c && c.counter === counter.number) || null;
  const ticket = counter.ticket || null;
  const paused = counter.state === "paused" || counter.paused === true;
  let state = "idle";
  if (paused) state = "paused";
  else if (ticket && counter.state === "serving") state = "serving";
  else if (ticket) state = "called";
  const current = latest && ticket && latest.ticket === ticket ? latest : null;
  return {
    state,
    ticket: state === "called" || state === "serving" ? ticket : null,
    recall: state === "called" && !!(current && current.recall),
    callId: current ? current.id : null,
    reason: paused && typeof counter.pause_reason === "string" ? counter.pause_reason.trim() : "",
  };
}

export class CounterStrip {
  constructor(el, { i18n }) {
    this.el = el;
    this.i18n = i18n;
    this.el.classList.add("strip");
    this.el.hidden = true;
    this.lineEl = null;
    this.lineCall = undefined; // the call the line element was made for: a new call, a new element
    this.key = null;
    this.primed = false;
  }

  /**
   * Show the counter of `board` attached to `screenId`. Returns false (and hides) when there is
   * none, so the wall plays signage instead.
   */
  update({ board, screenId, stale = false, version = "" }) {
    const counter = counterForScreen(board, screenId);
    if (!counter) {
      this.hide();
      return false;
    }
    const shown = stripState(board, counter);
    const label = counterLabel(this.i18n, counter.name, counter.number);
    setHidden(this.el, false); // first, so the strip can be measured
    const size = `${this.el.clientWidth}x${this.el.clientHeight}`;
    setData(this.el, { version, stale: stale ? "true" : "false" });
    const key = canonicalJson([label, shown, size]);
    if (key === this.key) return true;
    this.key = key;
    setData(this.el, {
      counter: counter.number,
      state: shown.state,
      ticket: shown.ticket,
      recall: shown.recall ? "true" : "false",
      callId: shown.callId,
      reason: shown.reason,
    });
    this._render(label, shown);
    return true;
  }

  hide() {
    setHidden(this.el, true);
    this.key = null;
  }

  _render(label, shown) {
    if (shown.callId !== this.lineCall || !this.lineEl) {
      // A new call (or recall) for this counter: a new line element, whose animation is the blink.
      const blink = this.primed && shown.callId !== null;
      this.lineEl = h("p", { class: blink ? "strip__line strip__line--blink" : "strip__line" });
      this.lineCall = shown.callId;
      this.el.replaceChildren(this.lineEl);
    }
    this.primed = true;
    this.lineEl.dataset.state = shown.state;
    this._fill(label, shown, shown.reason);
    const height = this.el.clientHeight;
    if (height <= 0) return;
    const size = fitText(this.lineEl, { min: Math.min(12, height * 0.5), max: height * 0.78 });
    // fitText allows a pixel of overflow; a strip's one line must not lose even that.
    if (this.lineEl.scrollWidth > this.lineEl.clientWidth && size > 12) this.lineEl.style.fontSize = `${size - 1}px`;
    if (shown.reason && overflows(this.lineEl)) this._shortenReason(label, shown);
  }

  _fill(label, shown, reason) {
    const i18n = this.i18n;
    let text;
    if (shown.state === "called") text = fromParts(i18n.parts("queue.strip.called", { ticket: shown.ticket }), "strip");
    else if (shown.state === "serving") {
      text = fromParts(i18n.parts("queue.strip.serving", { ticket: shown.ticket }), "strip");
    } else if (shown.state === "paused" && reason) {
      text = fromParts(i18n.parts("queue.strip.paused.reason", { reason }), "strip");
    } else text = i18n.t(shown.state === "paused" ? "queue.strip.paused" : "queue.strip.idle");
    const parts = [h("span", { class: "strip__counter" }, label)];
    if (shown.recall) parts.push(h("span", { class: "strip__recall" }, i18n.t("queue.recall")));
    parts.push(h("span", { class: "strip__text" }, text));
    this.lineEl.replaceChildren(...parts);
  }

  /** A pause reason too long for the strip even at its smallest type: the longest start of it that fits, with "…". */
  _shortenReason(label, shown) {
    const chars = [...shown.reason];
    let lo = 0;
    let hi = chars.length;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      this._fill(label, shown, `${chars.slice(0, mid).join("")}…`);
      if (overflows(this.lineEl)) hi = mid;
      else lo = mid;
    }
    this._fill(label, shown, lo > 0 ? `${chars.slice(0, lo).join("")}…` : "");
  }
}
