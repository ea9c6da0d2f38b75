// The 好差评 evaluator tablet at a counter (docs/queue.md, "好差评"; docs/protocol.md, "Evaluators").
//
// It follows one snapshot, its state (counter, staff on duty, the evaluation to ask): sent after
// every hello, and asked again (evaluation_sync) whenever a newer queue board of its hall arrives,
// since every 办结 and every call changes the board. An evaluation that disappears from the state
// (the counter called its next ticket) is dropped at once, even mid-question. An answer is kept in
// an outbox until the server acknowledges it, so a rating given while the link is down is sent when
// it is back; the server refuses it by id if its evaluation ended meanwhile.

import {
  EVALUATION_ANSWER,
  EVALUATION_SYNC,
  EVALUATOR_STATE,
  HEARTBEAT,
  HELLO,
  MANIFEST,
  QUEUE_BOARD,
  SCREEN_NAMESPACE,
  WELCOME,
} from "../events.js";
import { Handshake, HELLO_ACK_TIMEOUT_MS } from "../handshake.js";
import { SocketClient, socketUrl } from "../socket.js";
import { translator } from "./strings.js";
import { LOW_LEVELS, render } from "./view.js";

const THANKS_MS = 5_000; // the thanks, then back to idle
const RESEND_MS = 3_000; // an answer without an ack is sent again this often while connected
const DEFAULT_ANSWER_SECONDS = 60;

export class Evaluator {
  constructor(root, { lang = "zh-CN", now = () => Date.now() } = {}) {
    this.root = root;
    this.t = translator(lang);
    this.now = now;
    this.state = null; // the server's evaluator_state
    this.view = "idle";
    this.conn = "connecting";
    this.asking = null; // the id of the evaluation on screen
    this.level = null;
    this.chosen = new Set();
    this.deadline = 0;
    this.answered = new Set(); // ids answered here: a state sent before the ack must not ask again
    this.outbox = null;
    this.boardVersion = null;
    this.manifestVersion = null;
    this.tick = null;
    this.restTimer = null;
    this.resendTimer = null;
    this.log = []; // what was sent and answered, for tests and the remote-care screenshot's reader
    this.on = {
      level: (level) => this.choose(level),
      toggle: (code) => this.toggle(code),
      confirm: () => this.send(this.level, [...this.chosen]),
      back: () => this.show("ask"),
    };
  }

  start(screenKey) {
    this.handshake = new Handshake({
      sendHello: (onAck) =>
        this.socket.emitWithAck(
          HELLO,
          { held: { manifest: { version: this.manifestVersion }, queue: { version: this.boardVersion } } },
          onAck,
          HELLO_ACK_TIMEOUT_MS,
        ),
      sendBeat: () => this.socket.emit(HEARTBEAT, { showing: { manifest: this.manifestVersion, queue: this.boardVersion } }),
      period: () => this.heartbeatSeconds,
    });
    this.socket = new SocketClient({
      url: socketUrl(window.location),
      namespace: SCREEN_NAMESPACE,
      auth: { key: screenKey },
      onConnect: () => this.handshake.connected(),
      onEvent: (name, data) => this.event(name, data),
      onStatus: (status) => {
        this.conn = status;
        if (status !== "online") this.handshake.disconnected();
        this.render();
      },
    });
    this.socket.start();
    this.render();
  }

  event(name, data) {
    if (name === WELCOME) {
      this.heartbeatSeconds = data && data.heartbeat_seconds;
      this.handshake.welcome();
      this.flush();
    } else if (name === EVALUATOR_STATE) {
      this.apply(data);
    } else if (name === QUEUE_BOARD) {
      const version = data && data.version;
      if (version !== this.boardVersion) {
        this.boardVersion = version;
        this.sync();
      }
    } else if (name === MANIFEST) {
      this.manifestVersion = (data && data.version) || this.manifestVersion; // held, so the fleet sees it current
    }
  }

  sync() {
    this.socket.emitWithAck(EVALUATION_SYNC, {}, (ack) => {
      if (ack && ack.ok) this.apply(ack.state);
    });
  }

  /** A new state from the server: ask its evaluation, keep asking the one on screen, or drop it. */
  apply(state) {
    if (!state || typeof state !== "object") return;
    this.state = state;
    const evaluation = state.evaluation;
    if (this.view === "thanks" || this.view === "over") {
      this.render(); // the next question waits until the thanks is over
      return;
    }
    if (evaluation && !this.answered.has(evaluation.id)) {
      if (this.asking !== evaluation.id) this.ask(evaluation);
    } else if (this.asking !== null) {
      this.stopAsking(); // withdrawn, expired or answered elsewhere: never left for the next citizen
      this.view = "idle";
    }
    this.render();
  }

  ask(evaluation) {
    this.asking = evaluation.id;
    this.level = null;
    this.chosen = new Set();
    const seconds = Number(this.state.answer_seconds) > 0 ? Number(this.state.answer_seconds) : DEFAULT_ANSWER_SECONDS;
    this.deadline = this.now() + seconds * 1000;
    this.view = "ask";
    clearInterval(this.tick);
    this.tick = setInterval(() => {
      if (this.secondsLeft() <= 0) this.send(null, []);
      else this.render();
    }, 1000);
  }

  stopAsking() {
    clearInterval(this.tick);
    this.asking = null;
    this.level = null;
    this.chosen = new Set();
  }

  secondsLeft() {
    return Math.max(0, Math.ceil((this.deadline - this.now()) / 1000));
  }

  show(view) {
    this.view = view;
    this.render();
  }

  choose(level) {
    if (this.asking === null) return;
    if (LOW_LEVELS.has(level)) {
      this.level = level;
      this.chosen = new Set();
      this.show("reasons");
    } else {
      this.send(level, []);
    }
  }

  toggle(code) {
    if (this.chosen.has(code)) this.chosen.delete(code);
    else this.chosen.add(code);
    this.render();
  }

  /** Answer the evaluation on screen: a level with its reasons, or null when nobody answered in time. */
  send(level, reasons) {
    if (this.asking === null) return;
    if (level !== null && LOW_LEVELS.has(level) && reasons.length === 0) return;
    const id = this.asking;
    this.answered.add(id);
    this.outbox = { evaluation: id, level, reasons };
    this.log.push({ sent: { ...this.outbox } });
    this.stopAsking();
    if (level === null) this.show("idle");
    else this.rest("thanks");
    this.flush();
  }

  /** Show thanks (or "over") for a few seconds, then idle with whatever the state says by then. */
  rest(view) {
    clearTimeout(this.restTimer);
    this.show(view);
    this.restTimer = setTimeout(() => {
      this.view = "idle";
      this.apply(this.state);
    }, THANKS_MS);
  }

  flush() {
    clearTimeout(this.resendTimer);
    const answer = this.outbox;
    if (!answer) return;
    const sent = this.socket.emitWithAck(EVALUATION_ANSWER, answer, (ack) => {
      if (this.outbox !== answer) return;
      if (ack === null) {
        this.resendTimer = setTimeout(() => this.flush(), RESEND_MS); // lost on the way: the server keeps it once
        return;
      }
      this.outbox = null;
      this.log.push({ ack });
      if (!ack.ok && answer.level !== null && this.view === "thanks") this.rest("over");
      if (ack.state) this.apply(ack.state);
    });
    if (!sent) this.resendTimer = setTimeout(() => this.flush(), RESEND_MS);
  }

  render() {
    const model = {
      view: this.view,
      conn: this.conn,
      state: this.state,
      level: this.level,
      chosen: this.chosen,
      secondsLeft: this.secondsLeft(),
    };
    if ((model.view === "ask" || model.view === "reasons") && !(this.state && this.state.evaluation)) model.view = "idle";
    render(this.root, model, this.t, this.on);
  }
}

/** The player's service worker (sw.js, scope /screen/): a reload while the server is away still shows this page. */
function registerServiceWorker(staticUrl) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const dir = window.location.pathname.replace(/[^/]+\/?$/, "");
  const script = `${dir}sw.js?static=${encodeURIComponent(staticUrl)}`;
  navigator.serviceWorker.register(script, { scope: dir }).catch((err) => {
    console.warn("evaluator: service worker not registered", err);
  });
}

const root = document.getElementById("evaluator");
if (root) {
  registerServiceWorker(root.dataset.staticUrl);
  const lang = new URLSearchParams(window.location.search).get("lang") === "en" ? "en" : "zh-CN";
  const evaluator = new Evaluator(root, { lang });
  window.__evaluator = evaluator;
  evaluator.start(root.dataset.screenKey);
}
