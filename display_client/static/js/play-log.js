// Proof of play: what this screen showed, tallied per item per hour, sent to the server every minute.
//
// What is logged: manifest items with an id that a region player put on screen (vacancies, notices,
// media, ticker texts), and only the seconds they could be seen: while an emergency overlay, the
// kiosk's touch UI or a hidden page covers the signage the clock stops, and a play never seen is not
// counted. Nothing personal can get in: the kiosk's citizen screens never reach this log, and an
// entry is an item id, its kind, an hour and two numbers.
//
// Aggregation happens here, before sending: every play adds to the bucket of (item, UTC hour in
// which the play started), so a minute of rotation is a handful of entries. The buckets are kept in
// localStorage (bounded; the oldest hours go first) so a reload or a day offline loses nothing.
//
// Delivery (docs/protocol.md §9): a flush moves up to MAX_BATCH buckets into the batch in flight,
// which keeps its id until the server acknowledges it; without an answer the same batch goes again at
// the next flush, and the server books a batch id once. Plays logged meanwhile go into new buckets.

export const FLUSH_MS = 60_000;
export const ACK_TIMEOUT_MS = 15_000;
export const MAX_BATCH = 250; // entries per plays event (the server refuses more than 500)
export const MAX_BUCKETS = 2_000; // what is kept while offline, about 150 kB of localStorage
export const MAX_AGE_MS = 7 * 24 * 3_600_000; // the server refuses older plays: no use keeping them
const HOUR_MS = 3_600_000;
const SOON_MS = 1_000; // after an acknowledged batch, the next one if more is waiting
const SAVE_MS = 2_000; // localStorage is written at most this often while playing
// Answers that say the batch itself is wrong: sending it again cannot help.
const HOPELESS = new Set(["invalid_batch", "batch_too_large"]);

/** The start of the UTC hour holding `ms`, as ISO 8601 ("2026-12-02T01:00:00Z"). */
export function hourStart(ms) {
  return new Date(Math.floor(ms / HOUR_MS) * HOUR_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The {id, kind} of manifest items worth logging: those with a positive whole id and a kind. */
export function loggable(items) {
  const found = [];
  for (const item of Array.isArray(items) ? items : []) {
    if (item && Number.isInteger(item.id) && item.id > 0 && typeof item.kind === "string") {
      found.push({ id: item.id, kind: item.kind });
    }
  }
  return found;
}

function isBucket(b) {
  return (
    b !== null &&
    typeof b === "object" &&
    Number.isInteger(b.id) &&
    typeof b.kind === "string" &&
    typeof b.start === "string" &&
    Number.isInteger(b.count) &&
    Number.isFinite(b.seconds)
  );
}

function batchId(now, random) {
  return `${now.toString(36)}-${Math.floor(random() * 2 ** 48).toString(36)}`;
}

export class PlayLog {
  /**
   * @param storage  a Web Storage or null; `slot` names the key it is kept under
   * @param now      the clock (the wall's, corrected by the server offset), in ms
   * @param send     send(batch, onAck) → false when offline; onAck(answer | null) otherwise
   */
  constructor({
    storage = null,
    slot = "plays",
    now = () => Date.now(),
    send = () => false,
    random = Math.random,
  } = {}) {
    this.storage = storage;
    this.slot = slot;
    this.now = now;
    this.send = send;
    this.random = random;
    this.buckets = new Map(); // "kind:id@hour" → {id, kind, start, count, seconds}, in order of creation
    this.inflight = null; // {batch, plays} sent and not yet acknowledged
    this.awaiting = false; // an answer to `inflight` may still come
    this.open = new Set(); // plays on screen now
    this.obscured = false;
    this.flushTimer = null;
    this.saveTimer = null;
    this._restore();
  }

  /** Flush every FLUSH_MS until stop(). */
  start() {
    clearInterval(this.flushTimer);
    this.flushTimer = setInterval(() => this.flush(), FLUSH_MS);
  }

  stop() {
    clearInterval(this.flushTimer);
    this.flushTimer = null;
  }

  /** A play starts: `items` are on screen from now. Returns the handle for end(), or null. */
  begin(items) {
    const shown = loggable(items);
    if (shown.length === 0) return null;
    const at = this.now();
    const play = { items: shown, start: at, visibleMs: 0, since: this.obscured ? null : at };
    this.open.add(play);
    return play;
  }

  /** The play left the screen: add it to its buckets if it was seen at all. */
  end(play) {
    if (!play || !this.open.delete(play)) return;
    const at = this.now();
    if (play.since !== null) play.visibleMs += Math.max(0, at - play.since);
    if (play.visibleMs <= 0) return;
    const start = hourStart(play.start);
    for (const { id, kind } of play.items) {
      const key = `${kind}:${id}@${start}`;
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = { id, kind, start, count: 0, seconds: 0 };
        this.buckets.set(key, bucket);
      }
      bucket.count += 1;
      bucket.seconds += play.visibleMs / 1000;
    }
    // Bounded: past MAX_BUCKETS the earliest made go (the oldest hours, whose plays the server
    // would soon refuse anyway).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= MAX_BUCKETS) break;
      this.buckets.delete(key);
    }
    this._saveSoon();
  }

  /** Whether the signage is covered (emergency, kiosk UI, hidden page): covered time is not counted. */
  setObscured(obscured) {
    const flag = Boolean(obscured);
    if (flag === this.obscured) return;
    this.obscured = flag;
    const at = this.now();
    for (const play of this.open) {
      if (flag && play.since !== null) {
        play.visibleMs += Math.max(0, at - play.since);
        play.since = null;
      } else if (!flag && play.since === null) {
        play.since = at;
      }
    }
  }

  /** The page is going away: book what is on screen now and save. */
  suspend() {
    for (const play of [...this.open]) this.end(play);
    this._save();
  }

  /** Entries not yet acknowledged: the batch in flight and the buckets. */
  get pendingCount() {
    return (this.inflight ? this.inflight.plays.length : 0) + this.buckets.size;
  }

  /** Send the batch in flight again, or the next one; does nothing while an answer is awaited. */
  flush() {
    if (this.awaiting) return false;
    this._dropExpired();
    if (!this.inflight) {
      if (this.buckets.size === 0) return false;
      const plays = [];
      for (const [key, bucket] of this.buckets) {
        if (plays.length >= MAX_BATCH) break;
        plays.push({ ...bucket, seconds: Math.round(bucket.seconds * 1000) / 1000 });
        this.buckets.delete(key);
      }
      this.inflight = { batch: batchId(Date.now(), this.random), plays };
      this._save();
    }
    const inflight = this.inflight;
    const payload = { batch: inflight.batch, plays: inflight.plays };
    const sent = this.send(payload, (answer) => this._answered(inflight, answer));
    this.awaiting = Boolean(sent);
    return this.awaiting;
  }

  _answered(inflight, answer) {
    this.awaiting = false;
    if (this.inflight !== inflight) return;
    if (answer && answer.ok === true) {
      this.inflight = null;
    } else if (answer && answer.ok === false && HOPELESS.has(answer.error)) {
      console.warn("wall: plays batch refused, dropped", answer.error, answer.message);
      this.inflight = null;
    } else {
      return; // no answer, or the server could not book it now: the same batch goes again later
    }
    this._save();
    if (this.buckets.size > 0) setTimeout(() => this.flush(), SOON_MS);
  }

  _dropExpired() {
    const oldest = hourStart(this.now() - MAX_AGE_MS); // ISO hours in UTC sort as text
    for (const [key, bucket] of this.buckets) {
      if (bucket.start < oldest) this.buckets.delete(key);
    }
  }

  _saveSoon() {
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this._save();
    }, SAVE_MS);
  }

  _save() {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.storage) return;
    try {
      const saved = { v: 1, inflight: this.inflight, buckets: [...this.buckets.values()] };
      this.storage.setItem(this.slot, JSON.stringify(saved));
    } catch {
      // Storage full or disabled: the plays are still sent from memory.
    }
  }

  _restore() {
    if (!this.storage) return;
    let saved;
    try {
      saved = JSON.parse(this.storage.getItem(this.slot) || "null");
    } catch {
      return;
    }
    if (!saved || saved.v !== 1) return;
    const inflight = saved.inflight;
    if (inflight && typeof inflight.batch === "string" && Array.isArray(inflight.plays)) {
      const plays = inflight.plays.filter(isBucket);
      if (plays.length) this.inflight = { batch: inflight.batch, plays };
    }
    const buckets = (Array.isArray(saved.buckets) ? saved.buckets : []).filter(isBucket);
    buckets.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (const b of buckets.slice(-MAX_BUCKETS)) {
      const { id, kind, start, count, seconds } = b;
      this.buckets.set(`${kind}:${id}@${start}`, { id, kind, start, count, seconds });
    }
  }
}
