// A minimal Engine.IO v4 / Socket.IO v5 client over one plain WebSocket, for one namespace.
//
// Why our own: the wall runs unattended for months, needs exactly the reconnect rule of
// docs/protocol.md §6, and must not depend on a copied third-party bundle. It speaks only what the
// player needs: websocket transport, text packets, one namespace with auth, events and acks (both
// ways: it acknowledges the server's events and can ask for acknowledgement of its own), and events
// with binary attachments (a large manifest arrives deflated in one, docs/protocol.md §3 "Wire form").

// Engine.IO packet types (first character of every frame).
const EIO_OPEN = "0";
const EIO_CLOSE = "1";
const EIO_PING = "2";
const EIO_PONG = "3";
const EIO_MESSAGE = "4";

// Socket.IO packet types (first character of an Engine.IO message).
const SIO_CONNECT = "0";
const SIO_DISCONNECT = "1";
const SIO_EVENT = "2";
const SIO_ACK = "3";
const SIO_CONNECT_ERROR = "4";
const SIO_BINARY_EVENT = "5";
const SIO_BINARY_ACK = "6";
// A binary packet is text, then its attachments as binary frames: what each becomes once they are in.
const WHOLE = { [SIO_BINARY_EVENT]: SIO_EVENT, [SIO_BINARY_ACK]: SIO_ACK };

// The reconnect rule of content/backoff.py (RECONNECT, RECONNECT_STABLE_SECONDS), which a test
// (tests/display_client/test_backoff_constants.py) keeps equal to these.
const MAX_DELAY_MS = 60_000;
const BASE_DELAY_MS = 1_000;
const BACKOFF_FACTOR = 2;
const BACKOFF_JITTER = 0.5;
const STABLE_MS = 30_000;
const CONNECT_TIMEOUT_MS = 20_000;
const ACK_TIMEOUT_MS = 15_000;

/**
 * Milliseconds to wait before reconnect attempt number `attempt` (0 for the first retry):
 * min(60 s, 1 s × 2^attempt) × a random factor in [0.5, 1.5] (docs/protocol.md §6).
 */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * BACKOFF_FACTOR ** Math.max(0, attempt));
  return base * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * random());
}

/** The Socket.IO endpoint for this page's origin: ws(s)://host/socket.io/?EIO=4&transport=websocket. */
export function socketUrl(location = window.location, path = "/socket.io/") {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}?EIO=4&transport=websocket`;
}

/**
 * Parse one Socket.IO packet (the text after the Engine.IO "4").
 * Returns {type, nsp, id, data} or null when it is not well formed; a binary packet also has
 * `attachments`, the number of binary frames that follow it.
 */
export function parsePacket(text) {
  if (!text) return null;
  const type = text[0];
  let i = 1;
  let attachments = null;
  if (type in WHOLE) {
    const dash = text.indexOf("-", i);
    const count = dash > i ? Number(text.slice(i, dash)) : NaN;
    if (!Number.isInteger(count) || count < 0) return null;
    attachments = count;
    i = dash + 1;
  }
  let nsp = "/";
  if (text[i] === "/") {
    const comma = text.indexOf(",", i);
    if (comma === -1) {
      nsp = text.slice(i);
      i = text.length;
    } else {
      nsp = text.slice(i, comma);
      i = comma + 1;
    }
  }
  let idText = "";
  while (i < text.length && text[i] >= "0" && text[i] <= "9") idText += text[i++];
  let data;
  if (i < text.length) {
    try {
      data = JSON.parse(text.slice(i));
    } catch {
      return null;
    }
  }
  const packet = { type, nsp, id: idText ? Number(idText) : null, data };
  if (attachments !== null) packet.attachments = attachments;
  return packet;
}

/** `data` with every attachment placeholder ({_placeholder: true, num}) replaced by that attachment. */
export function withAttachments(data, buffers) {
  if (Array.isArray(data)) return data.map((value) => withAttachments(value, buffers));
  if (data === null || typeof data !== "object") return data;
  if (data._placeholder === true && Number.isInteger(data.num)) return buffers[data.num];
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, withAttachments(value, buffers)]));
}

/** `data` with every ArrayBuffer or typed array moved to `buffers` and replaced by its placeholder. */
export function withPlaceholders(data, buffers) {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    buffers.push(data);
    return { _placeholder: true, num: buffers.length - 1 };
  }
  if (Array.isArray(data)) return data.map((value) => withPlaceholders(value, buffers));
  if (data === null || typeof data !== "object") return data;
  const proto = Object.getPrototypeOf(data);
  if (proto !== Object.prototype && proto !== null) return data; // a Date and the like: JSON.stringify's business
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, withPlaceholders(value, buffers)]));
}

/** Encode one Socket.IO packet for `nsp` as an Engine.IO message frame. */
export function encodePacket(type, nsp, data, id = null) {
  const prefix = nsp === "/" ? "" : `${nsp},`;
  const idText = id === null ? "" : String(id);
  const body = data === undefined ? "" : JSON.stringify(data);
  return `${EIO_MESSAGE}${type}${prefix}${idText}${body}`;
}

/**
 * One namespace connection that keeps itself up.
 *
 * Callbacks: onConnect(), onEvent(name, data), onStatus("connecting" | "online" | "offline"),
 * onConnectError(data). A connect error, a server disconnect, a lost socket or missing pings all
 * lead to the same thing: close, back off, try again. A wall never gives up.
 */
export class SocketClient {
  constructor({
    url,
    namespace,
    auth = {},
    onConnect = () => {},
    onEvent = () => {},
    onStatus = () => {},
    onConnectError = () => {},
    WebSocketImpl = globalThis.WebSocket,
    random = Math.random,
    now = () => Date.now(),
  }) {
    this.url = url;
    this.namespace = namespace;
    this.auth = auth;
    this.onConnect = onConnect;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onConnectError = onConnectError;
    this.WebSocketImpl = WebSocketImpl;
    this.random = random;
    this.now = now;

    this.ws = null;
    this.attempt = 0;
    this.connectedAt = null;
    this.stopped = true;
    this.status = "offline";
    this.pingTimer = null;
    this.connectTimer = null;
    this.retryTimer = null;
    this.pingWindowMs = null;
    this.nextAckId = 0;
    this.acks = new Map(); // ack id → {onAck, timer}, for events sent with emitWithAck
    this.binary = null; // a binary packet waiting for its attachments: {packet, buffers}
  }

  get connected() {
    return this.status === "online";
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this._open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this._drop();
    this._setStatus("offline");
  }

  /** Send an event; false when not connected (the caller re-sends state after the next connect). */
  emit(event, data) {
    if (!this.connected || !this.ws) return false;
    try {
      this.ws.send(encodePacket(SIO_EVENT, this.namespace, [event, data]));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Send an event that asks for an acknowledgement; false when not connected (onAck is then never
   * called). Otherwise onAck gets the server's answer once, or null when the connection dropped or
   * no answer came within timeoutMs: the caller cannot tell whether it arrived, and sends it again.
   */
  emitWithAck(event, data, onAck, timeoutMs = ACK_TIMEOUT_MS) {
    if (!this.connected || !this.ws) return false;
    const id = this.nextAckId++;
    try {
      // Bytes (an ArrayBuffer or typed array, e.g. a screenshot) go as binary attachments after the packet.
      const buffers = [];
      const body = withPlaceholders([event, data], buffers);
      const type = buffers.length ? `${SIO_BINARY_EVENT}${buffers.length}-` : SIO_EVENT;
      this.ws.send(encodePacket(type, this.namespace, body, id));
      for (const buffer of buffers) this.ws.send(buffer);
    } catch {
      return false;
    }
    const timer = setTimeout(() => this._settle(id, null), timeoutMs);
    this.acks.set(id, { onAck, timer });
    return true;
  }

  _settle(id, answer) {
    const pending = this.acks.get(id);
    if (!pending) return; // answered already, or timed out: a late answer is dropped
    this.acks.delete(id);
    clearTimeout(pending.timer);
    try {
      pending.onAck(answer);
    } catch (err) {
      console.error("wall: ack handler failed", err);
    }
  }

  _setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
  }

  _open() {
    this._setStatus("connecting");
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch {
      this._lost();
      return;
    }
    this.ws = ws;
    ws.binaryType = "arraybuffer"; // attachments as ArrayBuffer, available at once (a Blob must be read)
    ws.onmessage = (event) => this._frame(event.data);
    ws.onclose = () => this._lost();
    ws.onerror = () => {}; // a close always follows an error
    // A handshake that hangs (proxy, half-open TCP) must not hold the wall forever.
    this.connectTimer = setTimeout(() => this._lost(), CONNECT_TIMEOUT_MS);
  }

  _frame(text) {
    if (text instanceof ArrayBuffer) {
      this._attachment(text); // a binary frame: an attachment, not text
      return;
    }
    if (typeof text !== "string" || text.length === 0) return;
    const kind = text[0];
    if (kind === EIO_OPEN) {
      let open;
      try {
        open = JSON.parse(text.slice(1));
      } catch {
        this._lost();
        return;
      }
      this.pingWindowMs = Number(open.pingInterval) + Number(open.pingTimeout);
      this._armPingTimer();
      this.ws.send(encodePacket(SIO_CONNECT, this.namespace, this.auth));
    } else if (kind === EIO_PING) {
      this._armPingTimer();
      this.ws.send(EIO_PONG + text.slice(1));
    } else if (kind === EIO_CLOSE) {
      this._lost();
    } else if (kind === EIO_MESSAGE) {
      this.binary = null; // attachments follow their packet at once: one still missing will never come
      const packet = parsePacket(text.slice(1));
      if (packet && packet.type in WHOLE && packet.attachments > 0) this.binary = { packet, buffers: [] };
      else this._packet(packet);
    }
  }

  /** One binary frame: the next attachment of the binary packet waiting for it, if any. */
  _attachment(buffer) {
    const pending = this.binary;
    if (!pending) return;
    pending.buffers.push(buffer);
    if (pending.buffers.length < pending.packet.attachments) return;
    this.binary = null;
    const { packet, buffers } = pending;
    this._packet({ ...packet, type: WHOLE[packet.type], data: withAttachments(packet.data, buffers) });
  }

  _packet(packet) {
    if (!packet || packet.nsp !== this.namespace) return;
    if (packet.type in WHOLE && packet.attachments === 0) packet = { ...packet, type: WHOLE[packet.type] };
    if (packet.type === SIO_CONNECT) {
      clearTimeout(this.connectTimer);
      this.connectedAt = this.now();
      this._setStatus("online");
      this.onConnect();
    } else if (packet.type === SIO_EVENT && Array.isArray(packet.data) && packet.data.length > 0) {
      const [name, payload] = packet.data;
      if (packet.id !== null) this.ws.send(encodePacket(SIO_ACK, this.namespace, [], packet.id));
      try {
        this.onEvent(name, payload);
      } catch (err) {
        // A bad payload must not take the connection down with it.
        console.error("wall: event handler failed", name, err);
      }
    } else if (packet.type === SIO_ACK && packet.id !== null) {
      this._settle(packet.id, Array.isArray(packet.data) ? packet.data[0] ?? null : null);
    } else if (packet.type === SIO_CONNECT_ERROR) {
      this.onConnectError(packet.data);
      this._lost();
    } else if (packet.type === SIO_DISCONNECT) {
      this._lost();
    }
  }

  _armPingTimer() {
    clearTimeout(this.pingTimer);
    if (Number.isFinite(this.pingWindowMs) && this.pingWindowMs > 0) {
      // No ping within pingInterval + pingTimeout: the server or the path to it is gone.
      this.pingTimer = setTimeout(() => this._lost(), this.pingWindowMs);
    }
  }

  /** Close the socket without waiting for its close handshake (a dead peer never answers). */
  _drop() {
    clearTimeout(this.pingTimer);
    clearTimeout(this.connectTimer);
    this.binary = null;
    // Answers can only come on the socket they were asked on: the ones still awaited are lost.
    for (const id of [...this.acks.keys()]) this._settle(id, null);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
  }

  _lost() {
    const wasUpFor = this.connectedAt === null ? 0 : this.now() - this.connectedAt;
    this.connectedAt = null;
    this._drop();
    if (this.stopped) return;
    if (wasUpFor >= STABLE_MS) this.attempt = 0;
    this._setStatus("offline");
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this._open();
    }, delay);
  }
}
