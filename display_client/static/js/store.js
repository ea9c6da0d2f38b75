// The wall's state: the manifest payload it holds, the hall's queue board and what the server told it
// at welcome.
//
// A payload is applied only when its seq is newer than the held one (docs/protocol.md §1), so
// duplicates and reordered pushes are harmless. The last good payload is kept in localStorage so a
// reload while the network is down still shows content. Walls hold no personal data: the manifest
// is the same for every screen of its group, and welcome only names the screen and its hall.

/** Outcome of Store.applyManifest. */
export const APPLIED = "applied"; // new content: render it
export const SAME_VERSION = "same-version"; // newer seq, same content: seq kept, nothing to render
export const STALE = "stale"; // seq not newer than the held one: dropped
export const INVALID = "invalid"; // not a manifest payload: dropped

/** The page's localStorage, or null when storage is disabled. */
export function browserStorage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the wall still plays, it just cannot restore after a reload
  }
}

/** True when `payload` has the shape of a manifest event payload. */
export function isManifestPayload(payload) {
  return (
    payload !== null &&
    typeof payload === "object" &&
    Number.isFinite(payload.seq) &&
    typeof payload.version === "string" &&
    payload.manifest !== null &&
    typeof payload.manifest === "object" &&
    Array.isArray(payload.manifest.segments)
  );
}

/** True when `board` has the shape of a queue_board payload (content/queue/board.py board_state). */
export function isQueueBoard(board) {
  return (
    board !== null &&
    typeof board === "object" &&
    Number.isInteger(board.version) &&
    Array.isArray(board.calls) &&
    Array.isArray(board.services) &&
    Array.isArray(board.counters)
  );
}

export class Store {
  /**
   * @param storage  a Web Storage (localStorage) or null to keep nothing
   * @param screenKey  names the storage slot, so two players on one origin do not mix
   */
  constructor({ storage = null, screenKey = "" } = {}) {
    this.storage = storage;
    this.slot = `wall:${screenKey}`;
    this.payload = null;
    this.welcome = null;
    this.queue = null; // the hall's queue board
    this.queueHeld = -1; // the queue version held: -1 when none, so a first board of version 0 applies
    this.queueDropped = null; // the last board dropped as older, in case welcome says it is current
    this.offlineSince = null; // when the link to the server went down (null: up)
    this.listeners = new Set();
  }

  get seq() {
    return this.payload ? this.payload.seq : 0;
  }

  get version() {
    return this.payload ? this.payload.version : "";
  }

  get group() {
    return this.payload ? this.payload.group ?? null : null;
  }

  get manifest() {
    return this.payload ? this.payload.manifest : null;
  }

  /** What `hello` carries: the seq and version held for every stream. */
  held() {
    const held = { manifest: { seq: this.seq, version: this.version } };
    // Holding no board is said by leaving the stream out: the server then sends its snapshot.
    if (this.queueHeld >= 0) held.queue = { version: this.queueHeld };
    return held;
  }

  /** Load the last good payload and welcome; broken or foreign entries are ignored. */
  restore() {
    const payload = this._read("manifest");
    if (isManifestPayload(payload)) this.payload = payload;
    const welcome = this._read("welcome");
    if (welcome && typeof welcome === "object" && welcome.screen && typeof welcome.screen === "object") {
      this.welcome = welcome;
    }
    const board = this._read("queue");
    if (isQueueBoard(board)) {
      this.queue = board;
      this.queueHeld = board.version;
    }
    return this.payload !== null;
  }

  /** Apply a queue board if its version is newer than the held one: APPLIED, STALE or INVALID. */
  applyQueue(board) {
    if (!isQueueBoard(board)) return INVALID;
    if (!(board.version > this.queueHeld)) {
      this.queueDropped = board;
      return STALE;
    }
    this.queue = board;
    this.queueHeld = board.version;
    this.queueDropped = null;
    this._write("queue", board);
    this._notify("queue");
    return APPLIED;
  }

  /** Note the link going up or down (`at` in ms), for queueStale. */
  linkChanged(online, at = Date.now()) {
    if (online) this.offlineSince = null;
    else if (this.offlineSince === null) this.offlineSince = at;
  }

  /** True when the board may be out of date: the link has been down for `afterMs` or more. */
  queueStale(afterMs, at = Date.now()) {
    return this.offlineSince !== null && at - this.offlineSince >= afterMs;
  }

  /**
   * Welcome says the hall's board is at `version`, lower than the one held (the database was
   * restored from a backup). The board the server sent just before welcome was dropped as older:
   * apply it now. Returns true if it did; otherwise the held version is forgotten and the caller
   * asks again with hello, so the next snapshot is accepted.
   */
  resetQueue(version) {
    const dropped = this.queueDropped;
    this.queueHeld = -1;
    this.queueDropped = null;
    return dropped !== null && dropped.version === version && this.applyQueue(dropped) === APPLIED;
  }

  /**
   * Apply a manifest payload if its seq is newer. Returns {status, groupChanged}; groupChanged is
   * true when an accepted payload names another group than the one held (the caller re-sends hello).
   */
  applyManifest(payload) {
    if (!isManifestPayload(payload)) return { status: INVALID, groupChanged: false };
    const held = this.payload;
    if (held && !(payload.seq > held.seq)) return { status: STALE, groupChanged: false };
    const groupChanged = held !== null && (payload.group ?? null) !== (held.group ?? null);
    if (held && payload.version === held.version) {
      this.payload = { ...held, seq: payload.seq, group: payload.group ?? held.group };
      this._write("manifest", this.payload);
      this._notify(SAME_VERSION);
      return { status: SAME_VERSION, groupChanged };
    }
    this.payload = payload;
    this._write("manifest", payload);
    this._notify(APPLIED);
    return { status: APPLIED, groupChanged };
  }

  /** Keep what welcome said about the screen and hall (not the server time, which ages). */
  applyWelcome(welcome) {
    if (!welcome || typeof welcome !== "object" || !welcome.screen || typeof welcome.screen !== "object") {
      return false;
    }
    const kept = { screen: welcome.screen, heartbeat_seconds: welcome.heartbeat_seconds };
    this.welcome = kept;
    this._write("welcome", kept);
    this._notify("welcome");
    return true;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  _notify(change) {
    for (const listener of this.listeners) listener(change, this);
  }

  _read(name) {
    if (!this.storage) return null;
    try {
      const text = this.storage.getItem(`${this.slot}:${name}`);
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  }

  _write(name, value) {
    if (!this.storage) return;
    try {
      this.storage.setItem(`${this.slot}:${name}`, JSON.stringify(value));
    } catch {
      // Quota or private mode: the wall still plays, it just cannot survive a reload offline.
    }
  }
}
