// The player's side of hello/welcome and heartbeats on its socket (docs/protocol.md §3, §5).
//
// A hello can fail on the server (a lock timeout while a hall's walls reconnect after a restart):
// it is answered {"ok": false, "retry_after": s}, or not at all, and no welcome comes. Without a
// welcome the screen is in no group's room and misses every push, so the player sends hello again,
// backing off like reconnects (1 s, 2 s, 4 s … at most 60 s, each × [0.5, 1.5], and never sooner
// than the server's retry_after) until a welcome arrives. Even an ack saying ok is not the end:
// the welcome it promises may have been lost on the way (Redis pub/sub is lossy).
//
// Heartbeats start at connect, not at welcome: a beat before welcome says what the screen holds,
// so the server can run the hello for it (and send what it lacks) when the player's own did not
// get through.

import { backoffDelay } from "./socket.js";

export const HELLO_ACK_TIMEOUT_MS = 10_000;
export const DEFAULT_HEARTBEAT_SECONDS = 45;
const HEARTBEAT_JITTER = 0.2;

export class Handshake {
  /**
   * @param sendHello  (onAck) => boolean: emit hello asking for an ack; onAck(answer or null) is
   *                   called once, null after a timeout or a lost connection; false if not sent
   * @param sendBeat   () => void: emit one heartbeat
   * @param period     () => the heartbeat period in seconds as last told by a welcome, if any
   */
  constructor({ sendHello, sendBeat, period, random = Math.random }) {
    this.sendHello = sendHello;
    this.sendBeat = sendBeat;
    this.period = period;
    this.random = random;
    this.welcomed = false;
    this.attempt = 0;
    this.round = 0; // numbers every hello sent, so only the newest one's answer schedules a retry
    this.helloTimer = null;
    this.beatTimer = null;
  }

  /** The socket connected: hello until welcome, and beat from now on. */
  connected() {
    this.hello();
    this._scheduleBeat();
  }

  /** The socket went down: nothing is sent until it connects again. */
  disconnected() {
    this.welcomed = false;
    this.round += 1;
    clearTimeout(this.helloTimer);
    clearTimeout(this.beatTimer);
  }

  /** Start a hello anew (after connect, a change of group, a queue reset): sent until a welcome answers it. */
  hello() {
    this.welcomed = false;
    this.attempt = 0;
    this._sendHello();
  }

  /** A welcome arrived: the hello is done, and beats follow the period it gives. */
  welcome() {
    this.welcomed = true;
    this.round += 1;
    clearTimeout(this.helloTimer);
    this._scheduleBeat();
  }

  _sendHello() {
    clearTimeout(this.helloTimer);
    const round = ++this.round;
    const attempt = this.attempt++;
    this.sendHello((answer) => {
      if (round !== this.round || this.welcomed) return; // a newer hello, a welcome or a disconnect came
      const asked = answer && Number(answer.retry_after) > 0 ? Number(answer.retry_after) * 1000 : 0;
      const delay = Math.max(backoffDelay(attempt, this.random), asked);
      this.helloTimer = setTimeout(() => {
        if (round === this.round && !this.welcomed) this._sendHello();
      }, delay);
    });
  }

  _scheduleBeat() {
    clearTimeout(this.beatTimer);
    const seconds = Number(this.period());
    const base = (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_HEARTBEAT_SECONDS) * 1000;
    const jittered = base * (1 - HEARTBEAT_JITTER + 2 * HEARTBEAT_JITTER * this.random());
    this.beatTimer = setTimeout(() => {
      this.sendBeat();
      this._scheduleBeat();
    }, jittered);
  }
}
