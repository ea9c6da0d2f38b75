// Clock: the date with its weekday (2026年11月22日 星期日) and HH:MM in the hall's time zone.

import { h } from "./_dom.js";

export const DEFAULT_TIME_ZONE = "Asia/Shanghai";

/** `timeZone` if the browser knows it, else the default (a typo must not stop the clock). */
export function safeTimeZone(timeZone) {
  if (typeof timeZone !== "string" || !timeZone) return DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return timeZone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

/** {date, time} for the instant `ms` in `timeZone`, in the language of `i18n`. */
export function formatClock(ms, { timeZone, i18n }) {
  const zone = safeTimeZone(timeZone);
  const date = new Intl.DateTimeFormat(i18n.lang, { timeZone: zone, year: "numeric", month: "long", day: "numeric" });
  const weekday = new Intl.DateTimeFormat(i18n.lang, { timeZone: zone, weekday: "long" });
  const time = new Intl.DateTimeFormat(i18n.lang, {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return {
    date: i18n.t("clock.date", { date: date.format(ms), weekday: weekday.format(ms) }),
    time: time.format(ms),
  };
}

/** A clock in `el`, ticking on the minute by the server-corrected `now()`. */
export class Clock {
  constructor(el, { now, i18n }) {
    this.el = el;
    this.now = now;
    this.i18n = i18n;
    this.timeZone = DEFAULT_TIME_ZONE;
    this.timer = null;
    this.el.classList.add("clock");
    this.timeEl = h("span", { class: "clock__time" });
    this.dateEl = h("span", { class: "clock__date" });
    this.el.replaceChildren(this.timeEl, this.dateEl);
    this._tick();
  }

  update({ timeZone }) {
    const zone = safeTimeZone(timeZone);
    if (zone === this.timeZone) return;
    this.timeZone = zone;
    this._tick();
  }

  destroy() {
    clearTimeout(this.timer);
    this.el.replaceChildren();
  }

  _tick() {
    clearTimeout(this.timer);
    const now = this.now();
    const { date, time } = formatClock(now, { timeZone: this.timeZone, i18n: this.i18n });
    if (this.timeEl.textContent !== time) this.timeEl.textContent = time;
    if (this.dateEl.textContent !== date) this.dateEl.textContent = date;
    // Wake just after the next minute turns (all real time zones are whole minutes off UTC).
    this.timer = setTimeout(() => this._tick(), 60_000 - (now % 60_000) + 50);
  }
}
