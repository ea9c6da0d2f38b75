// Power schedule on a wall or counter strip: blank the page while the hall's panels are off.
//
// A wall has no device agent to switch its panel, so the player goes black instead: on an LED wall
// black pixels draw almost nothing and nothing is lit; on an LCD the backlight stays on but nothing
// is shown. The rule is the server's (content/org/opening_hours.py): it sends the off-intervals of
// the next 48 hours as UTC instants, {"off": [[from, to], …], "until": "…"}, in welcome.power and as
// power_schedule events (docs/protocol.md, "Power schedule on the player"). This module only follows
// them, by the player's corrected clock, and keeps the last ones in localStorage so it goes on while
// offline and after a restart. Past "until" without news, the screen stays on.
//
// While off: a black layer above everything (the identify overlay of remote care excepted), no
// cursor over it (wall.css hides it on the wall anyway), videos paused. An emergency always wakes the screen. A call arriving while off (a closed
// hall has none, but a late citizen or a test call may come) wakes it for WAKE_AFTER_CALL_MS after
// the latest new call, so it is seen and read out; then it goes black again. Kiosks never use this:
// their agent switches the panel, and a citizen may be using the page.

import { h } from "./_dom.js";
import { parseTime } from "./timeline.js";

export const WAKE_AFTER_CALL_MS = 5 * 60_000;
// Wake at least this often: covers clock corrections, clock jumps and sleeping tabs (as timeline.js).
const MAX_WAIT_MS = 60_000;
const LATE_MS = 20;
const MAX_SEEN_CALLS = 500;
// Just below the identify overlay (remote-care.js), above the emergency overlay and everything else.
const LAYER_Z = 2147483646;

/** The schedule in `payload` as numbers ({off: [[fromMs, toMs]…], until: ms}), or null if it is not one. */
export function parseSchedule(payload) {
  if (!payload || typeof payload !== "object" || !Array.isArray(payload.off)) return null;
  const until = parseTime(payload.until);
  if (!Number.isFinite(until)) return null;
  const off = [];
  for (const span of payload.off) {
    if (!Array.isArray(span) || span.length !== 2) return null;
    const [from, to] = [parseTime(span[0]), parseTime(span[1])];
    if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
    if (to > from) off.push([from, Math.min(to, until)]);
  }
  return { off, until };
}

/** Whether the panel is off at `nowMs` under `schedule` (parsed); on past its horizon and without one. */
export function offAt(schedule, nowMs) {
  if (!schedule || !(nowMs < schedule.until)) return false;
  return schedule.off.some(([from, to]) => from <= nowMs && nowMs < to);
}

/** The first instant after `nowMs` at which offAt may change, or null. */
export function nextChangeAfter(schedule, nowMs) {
  if (!schedule) return null;
  let next = schedule.until > nowMs ? schedule.until : null;
  for (const [from, to] of schedule.off) {
    for (const t of [from, to]) if (t > nowMs && (next === null || t < next)) next = t;
  }
  return next;
}

export class PowerBlank {
  /**
   * storage: localStorage or null; slot: its key; now(): the corrected clock in ms;
   * onChange(blanked): called when the page goes black or comes back.
   */
  constructor({ storage = null, slot = "wall:power", now = Date.now, onChange = () => {} } = {}) {
    this.storage = storage;
    this.slot = slot;
    this.now = now;
    this.onChange = onChange;
    this.payload = null; // as received, kept for a restart
    this.schedule = null;
    this.emergency = false;
    this.seenCalls = null; // null until the first board: its calls are old news
    this.wokenUntil = -Infinity;
    this.blanked = false;
    this.pausedVideos = new Set();
    this.timer = null;
    this.layer = h("div", {
      class: "power-off",
      hidden: true,
      "aria-hidden": "true",
      data: { powerOff: "1" },
      style: { position: "fixed", inset: "0", background: "#000", cursor: "none", "z-index": LAYER_Z },
    });
    // A video the region player starts while the page is black is paused at once.
    this.onPlay = (event) => {
      if (this.blanked && event.target instanceof HTMLMediaElement) this._pause(event.target);
    };
  }

  /** Put the layer in the page and follow the schedule kept from the last run, if any. */
  start(parent = document.body) {
    parent.append(this.layer);
    document.addEventListener("play", this.onPlay, true);
    try {
      const kept = this.storage ? JSON.parse(this.storage.getItem(this.slot) || "null") : null;
      this.schedule = parseSchedule(kept);
      this.payload = this.schedule ? kept : null;
    } catch {
      this.schedule = null; // broken entry: stay on until the server speaks
    }
    this.refresh();
  }

  /** A schedule from welcome.power or a power_schedule event; null or a broken one: always on. */
  apply(payload) {
    this.schedule = parseSchedule(payload);
    this.payload = this.schedule ? payload : null;
    if (this.storage) {
      try {
        if (this.payload) this.storage.setItem(this.slot, JSON.stringify(this.payload));
        else this.storage.removeItem(this.slot);
      } catch {
        // Quota or private mode: followed now, just not after a restart.
      }
    }
    this.refresh();
  }

  /** The hall's board changed: a call not seen before, while off, wakes the screen for a while. */
  noteBoard(board) {
    const calls = board && Array.isArray(board.calls) ? board.calls : [];
    const ids = calls.filter((c) => c && c.id !== undefined && c.id !== null).map((c) => String(c.id));
    const first = this.seenCalls === null;
    if (first) this.seenCalls = new Set();
    let fresh = false;
    for (const id of ids) {
      if (this.seenCalls.has(id)) continue;
      this.seenCalls.add(id);
      fresh = true;
    }
    if (this.seenCalls.size > MAX_SEEN_CALLS) this.seenCalls = new Set(ids);
    if (fresh && !first && offAt(this.schedule, this.now())) {
      this.wokenUntil = this.now() + WAKE_AFTER_CALL_MS;
      this.refresh();
    }
  }

  /** The wall rendered: whether an emergency is on screen (it always wakes the screen). */
  cover({ emergency = false } = {}) {
    this.emergency = !!emergency;
    this.refresh();
    return this.blanked;
  }

  /** Whether the schedule says off now (whatever wakes the screen). */
  get off() {
    return offAt(this.schedule, this.now());
  }

  /** Re-evaluate now, show or hide the layer, and re-arm the timer. */
  refresh() {
    const now = this.now();
    const blanked = offAt(this.schedule, now) && !this.emergency && now >= this.wokenUntil;
    if (blanked !== this.blanked) {
      this.blanked = blanked;
      this.layer.hidden = !blanked;
      if (blanked) this._pauseAll();
      else this._resumeAll();
      this.onChange(blanked);
    }
    this._arm(now);
  }

  _arm(now) {
    clearTimeout(this.timer);
    let next = nextChangeAfter(this.schedule, now);
    if (this.wokenUntil > now && (next === null || this.wokenUntil < next)) next = this.wokenUntil;
    const wait = next === null ? MAX_WAIT_MS : Math.min(MAX_WAIT_MS, next - now + LATE_MS);
    this.timer = setTimeout(() => this.refresh(), Math.max(0, wait));
  }

  _pause(media) {
    if (media.paused) return;
    media.pause();
    this.pausedVideos.add(media);
  }

  _pauseAll() {
    for (const media of document.querySelectorAll("video, audio")) this._pause(media);
  }

  _resumeAll() {
    for (const media of this.pausedVideos) if (media.isConnected) media.play().catch(() => {});
    this.pausedVideos.clear();
  }
}
