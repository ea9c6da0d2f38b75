// When the kiosk has been left alone: a deadline, a warning in its last seconds, and the expiry.
//
// With a citizen session the deadline is the server's idle expiry (moved by every personal call and
// by touches); without one it is the last touch plus PUBLIC_IDLE_SECONDS (docs/kiosk.md §3).

export const WARN_SECONDS = 15;
export const PUBLIC_IDLE_SECONDS = 60;
const TICK_MS = 250;

export class IdleTimer {
  /**
   * deadline() → ms on the `now()` clock, or null when nothing is running (the attract loop).
   * onWarn(secondsLeft) in the last WARN_SECONDS, onCalm() outside them, onExpire() once at the deadline.
   */
  constructor({ now, deadline, onWarn, onCalm, onExpire }) {
    this.now = now;
    this.deadline = deadline;
    this.onWarn = onWarn;
    this.onCalm = onCalm;
    this.onExpire = onExpire;
    this.timer = null;
    this.expired = null; // the deadline already expired, so it fires once
    this.warning = false;
  }

  start() {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(), TICK_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** Seconds left until the deadline, rounded up; null when there is none. */
  secondsLeft() {
    const at = this.deadline();
    if (at === null || at === undefined || !Number.isFinite(at)) return null;
    return Math.max(0, Math.ceil((at - this.now()) / 1000));
  }

  check() {
    const at = this.deadline();
    const left = this.secondsLeft();
    if (left === null) {
      this.calm();
      return;
    }
    if (left <= 0) {
      this.calm();
      if (this.expired !== at) {
        this.expired = at;
        this.onExpire();
      }
      return;
    }
    if (left <= WARN_SECONDS) {
      this.warning = true;
      this.onWarn(left);
    } else {
      this.calm();
    }
  }

  calm() {
    if (!this.warning) return;
    this.warning = false;
    this.onCalm();
  }
}
