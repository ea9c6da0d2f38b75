// A revoked display goes back to its code screen by itself (docs/protocol.md, "Enrolment by code").
//
// A device revoked or replaced in the console loses its key: its socket is cut at its next beat and
// every reconnect is refused with "unknown screen". Nobody may have to walk to the wall, so the
// player counts those refusals; after REFUSALS_TO_CONFIRM of them in a row it asks manifest.json,
// and only a 404 whose body says "unknown screen" makes it forget what it holds and open /enrol.
// What must NOT send a wall to /enrol: a network error or a server that is down (no refusal: the
// count starts again), a database outage (refused with "database_unavailable", manifest.json 503),
// one odd refusal while a server restarts (the next attempt connects, and the count starts again).

export const UNKNOWN_SCREEN = "unknown screen";
export const REFUSALS_TO_CONFIRM = 3;
export const ENROL_PATH = "/enrol";
// Where /enrol keeps the key of the screen it opened (enrol.js); the player forgets its own key there.
export const KEY_SLOT = "kiosk.enrol.key";

/** Whether a connect error's data is the server's "this key names no screen". */
export function isUnknownScreen(data) {
  return data !== null && typeof data === "object" && data.message === UNKNOWN_SCREEN;
}

/** Whether a manifest.json answer says the key is unknown (a 404 "screen has no manifest yet" is not). */
export async function saysUnknownScreen(response) {
  if (response.status !== 404) return false;
  try {
    return (await response.text()).includes(UNKNOWN_SCREEN);
  } catch {
    return false;
  }
}

/**
 * Counts "unknown screen" refusals of consecutive connect attempts, from the socket's callbacks.
 *
 * @param confirm    async () => boolean: does the server confirm (manifest.json)? an error counts as no
 * @param onRevoked  () => void: called once, when it did
 */
export class RevocationWatch {
  constructor({ confirm, onRevoked, threshold = REFUSALS_TO_CONFIRM }) {
    this.confirm = confirm;
    this.onRevoked = onRevoked;
    this.threshold = threshold;
    this.refusals = 0;
    this.refusedNow = false; // the attempt under way was refused as unknown
    this.checking = false;
    this.revoked = false;
  }

  /** The socket's onConnectError: the server refused this attempt. */
  refused(data) {
    this.refusedNow = isUnknownScreen(data);
  }

  /** The socket's onStatus: each attempt ends "offline" (refused or not) or "online". */
  status(status) {
    if (status === "online") {
      this.refusals = 0;
      this.refusedNow = false;
    } else if (status === "offline") {
      this.refusals = this.refusedNow ? this.refusals + 1 : 0;
      this.refusedNow = false;
      if (this.refusals >= this.threshold) this._confirm();
    }
  }

  async _confirm() {
    if (this.checking || this.revoked) return;
    this.checking = true;
    let confirmed = false;
    try {
      confirmed = await this.confirm();
    } catch {
      confirmed = false; // unreachable: keep playing, the next refusal asks again
    } finally {
      this.checking = false;
    }
    // A connect since the question (a restored database, a key given back) wins over the answer.
    if (confirmed && !this.revoked && this.refusals >= this.threshold) {
      this.revoked = true;
      this.onRevoked();
    }
  }
}

/**
 * Forget everything this browser holds for the screen `key`: its slots in `storage` (manifest,
 * queue board, welcome, plays: "wall:<key>:…"), the enrol page's stored key if it is this one, and
 * the service worker's cached copies of /screen/<key> and its manifest.json.
 */
export async function forgetScreen(key, storage, cacheStorage = globalThis.caches) {
  if (storage) {
    const prefix = `wall:${key}:`;
    const names = [];
    for (let i = 0; i < storage.length; i++) {
      const name = storage.key(i);
      if (name !== null && name.startsWith(prefix)) names.push(name);
    }
    for (const name of names) storage.removeItem(name);
    if (storage.getItem(KEY_SLOT) === key) storage.removeItem(KEY_SLOT);
  }
  if (!cacheStorage) return;
  const page = `/screen/${encodeURIComponent(key)}`;
  try {
    for (const name of await cacheStorage.keys()) {
      if (!name.startsWith("wall-")) continue; // the service worker's caches (sw.js VERSION)
      const cache = await cacheStorage.open(name);
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (path === page || path.startsWith(`${page}/`)) await cache.delete(request);
      }
    }
  } catch (err) {
    console.warn("wall: cached copies of the revoked screen not all removed", err);
  }
}
