// The wall's state: the manifest payload it holds and what the server told it at welcome.
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
    return { manifest: { seq: this.seq, version: this.version } };
  }

  /** Load the last good payload and welcome; broken or foreign entries are ignored. */
  restore() {
    const payload = this._read("manifest");
    if (isManifestPayload(payload)) this.payload = payload;
    const welcome = this._read("welcome");
    if (welcome && typeof welcome === "object" && welcome.screen && typeof welcome.screen === "object") {
      this.welcome = welcome;
    }
    return this.payload !== null;
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
