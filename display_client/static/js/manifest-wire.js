// The manifest event's wire form (docs/protocol.md §3 "Wire form"), read back into the plain payload.
//
// A large manifest arrives deflated: {"stream", "seq", "version", "group", "encoding": "deflate",
// "manifest": <ArrayBuffer>}, the bytes being the manifest's canonical JSON compressed with zlib
// (what DecompressionStream calls "deflate"). Inflating is asynchronous, so the socket's events go
// through an Inbox that keeps their order: a welcome sent after a deflated manifest is handled
// after it, as with plain ones. A duplicate (seq not newer than the one held) is dropped without
// inflating, and a newer seq of the version held takes the held manifest.

import { MANIFEST } from "./events.js";

export const DEFLATE = "deflate";

/** True when `payload` is a manifest event in the deflated form. */
export function isDeflated(payload) {
  return payload !== null && typeof payload === "object" && payload.encoding === DEFLATE;
}

/** The text of zlib-compressed bytes (an ArrayBuffer or a typed array). */
export async function inflateText(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(DEFLATE));
  return new Response(stream).text();
}

/**
 * The plain payload of a manifest event, given the payload held (or null): the payload itself when
 * it is plain; null for a deflated one whose seq is not newer than the held one; the held manifest
 * under the new seq when the version is the one held; otherwise the inflated manifest. Rejects when
 * the bytes do not inflate to a JSON object (or the browser has no DecompressionStream).
 */
export async function plainManifest(payload, held) {
  if (!isDeflated(payload)) return payload;
  const { manifest: bytes, ...fields } = payload;
  delete fields.encoding;
  if (held && !(fields.seq > held.seq)) return null;
  if (held && fields.version === held.version) return { ...fields, manifest: held.manifest };
  if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) throw new TypeError("no manifest bytes");
  const manifest = JSON.parse(await inflateText(bytes));
  if (manifest === null || typeof manifest !== "object") throw new TypeError("the manifest is not an object");
  return { ...fields, manifest };
}

/**
 * The socket's events, handed on in arrival order with every manifest plain.
 *
 * @param deliver      (name, data, receivedAt) => void: handles one event
 * @param held         () => the manifest payload held now, or null (read when a manifest's turn comes)
 * @param undecodable  (payload, err) => void: a deflated manifest that did not inflate (it is dropped)
 */
export class Inbox {
  constructor({ deliver, held, undecodable = () => {}, now = () => Date.now() }) {
    this.deliver = deliver;
    this.held = held;
    this.undecodable = undecodable;
    this.now = now;
    this.queue = [];
    this.inflating = false;
  }

  /** One event from the socket: handled now, or after the deflated manifests received before it. */
  push(name, data) {
    this.queue.push({ name, data, receivedAt: this.now() });
    if (!this.inflating) this._drain();
  }

  _drain() {
    while (this.queue.length > 0) {
      const { name, data, receivedAt } = this.queue.shift();
      if (name !== MANIFEST || !isDeflated(data)) {
        this._deliver(name, data, receivedAt);
        continue;
      }
      this.inflating = true;
      plainManifest(data, this.held())
        .then(
          (plain) => plain !== null && this._deliver(name, plain, receivedAt),
          (err) => {
            try {
              this.undecodable(data, err);
            } catch (failed) {
              console.error("wall: handling an undecodable manifest failed", failed);
            }
          },
        )
        .finally(() => {
          this.inflating = false;
          this._drain();
        });
      return;
    }
  }

  _deliver(name, data, receivedAt) {
    try {
      this.deliver(name, data, receivedAt);
    } catch (err) {
      // A bad payload must not stop the events behind it.
      console.error("wall: event handler failed", name, err);
    }
  }
}
