// The citizen session the kiosk is serving, in memory only: who (masked), the token, the idle expiry.
//
// `generation` grows on every new session and every end, so an answer that arrives late (a slow
// lookup, a double tap, a card swapped mid-request) can tell that it belongs to a person who is gone.
// A `citizen_session` for the session already held (the server re-sent it with a fresh token after a
// reconnect) only replaces the token.

export const NEW = "new";
export const REFRESHED = "refreshed";
export const INVALID = "invalid";

export class Citizen {
  constructor() {
    this.current = null;
    this.generation = 0;
    this.cache = new Map(); // personal answers of this session only (records), dropped with it
  }

  get open() {
    return this.current !== null;
  }

  get token() {
    return this.current ? this.current.token : null;
  }

  get id() {
    return this.current ? this.current.id : null;
  }

  /** Take a `citizen_session` payload; `serverNow` is the server's clock in ms. Returns NEW, REFRESHED or INVALID. */
  take(payload, serverNow) {
    if (!payload || typeof payload !== "object" || payload.session_id === undefined || !payload.token) return INVALID;
    const id = String(payload.session_id);
    const idle = Number(payload.idle_seconds) > 0 ? Number(payload.idle_seconds) : 180;
    const expires = Date.parse(payload.expires_at);
    const expiresAt = Number.isFinite(expires) ? expires : serverNow + idle * 1000;
    if (this.current && this.current.id === id) {
      this.current.token = String(payload.token);
      this.current.expiresAt = expiresAt;
      return REFRESHED;
    }
    this.generation += 1;
    this.cache = new Map();
    const citizen = payload.citizen && typeof payload.citizen === "object" ? payload.citizen : {};
    this.current = {
      id,
      token: String(payload.token),
      source: ["idcard", "ssc", "ecard"].includes(payload.source) ? payload.source : "idcard",
      idleSeconds: idle,
      expiresAt,
      notice: typeof payload.notice === "string" ? payload.notice : "",
      maskedName: String(citizen.masked_name || ""),
      maskedId: String(citizen.masked_id || ""),
    };
    return NEW;
  }

  /** End the session held (only if it is `sessionId`, when given). True when one ended. */
  end(sessionId = undefined) {
    if (!this.current) return false;
    if (sessionId !== undefined && sessionId !== null && String(sessionId) !== this.current.id) return false;
    this.current = null;
    this.cache = new Map();
    this.generation += 1;
    return true;
  }

  /** A personal call that started at `serverStart` succeeded: the server moved the idle expiry. */
  activity(serverStart) {
    if (!this.current) return;
    this.current.expiresAt = Math.max(this.current.expiresAt, serverStart + this.current.idleSeconds * 1000);
  }

  /** The server answered a touch with the new expiry. */
  expires(iso) {
    const at = Date.parse(iso);
    if (this.current && Number.isFinite(at)) this.current.expiresAt = at;
  }
}
