// Announcer: reads each new call aloud. A two-tone chime (Web Audio oscillators, no audio files),
// then the call assembled from the hall's voice pack (voice-pack.js: recorded segments scheduled
// with Web Audio, no speech engine needed); only when no pack is available, speechSynthesis in the
// page's language when the browser has such a voice; the chime alone otherwise. The manifest's
// `voice` entry sets the pack, the volume (0–100) and quiet hours (chime only, or silent).
//
// Announcements queue and never overlap: the next starts when the previous utterance ends, or at
// a deadline, since some speech engines never fire `end`. A call older than a minute is not read
// (a wall coming back online must not read out the morning). The calls on the first board after
// a page load are marked as heard, not read. When audio is blocked (Chromium without
// --autoplay-policy=no-user-gesture-required), the announcement still runs visually: the board
// marks the call being announced, and the log says the chime was blocked.

import { withTimeout } from "./_dom.js";
import { callText } from "./queue-board.js";
import { parseTime } from "./timeline.js";
import { VoicePack, callSegments, quietMode } from "./voice-pack.js";

const MAX_AGE_MS = 60_000;
const MAX_LOG = 100;
const MAX_SEEN = 500;
const CHIME_MS = 1600; // the two tones and their ring
const GAP_MS = 400; // silence between two announcements
const RESUME_WAIT_MS = 300;

/** How well a voice's language fits `lang` (zh-CN: Mandarin in mainland China first); 0 = not at all. */
export function voiceScore(voice, lang) {
  const have = String(voice.lang || "").replace(/_/g, "-").toLowerCase();
  const want = String(lang || "").toLowerCase();
  const base = want.split("-")[0];
  if (!have) return 0;
  if (have === want) return 10 + (voice.localService ? 1 : 0);
  if (base === "zh" && /^cmn(-|$)/.test(have)) return 8 + (voice.localService ? 1 : 0);
  if (have.split("-")[0] !== base) return 0;
  if (base === "zh" && /-(hk|mo)$|^yue/.test(have)) return 1; // Cantonese reads it, but last
  return 5 + (voice.localService ? 1 : 0);
}

/** The best voice of `voices` for `lang`, or null. */
export function pickVoice(voices, lang) {
  let best = null;
  let bestScore = 0;
  for (const voice of voices || []) {
    const score = voiceScore(voice, lang);
    if (score > bestScore) [best, bestScore] = [voice, score];
  }
  return best;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function tone(ctx, frequency, at, seconds, destination = ctx.destination) {
  // A sine with a quieter octave above and a struck-bell envelope: a soft "ding".
  for (const [ratio, level] of [[1, 0.35], [2, 0.08]]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency * ratio;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(level, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + seconds);
    osc.connect(gain).connect(destination);
    osc.start(at);
    osc.stop(at + seconds + 0.05);
  }
}

export class Announcer {
  /**
   * i18n: the page's translator (text and voice language); now(): the server-corrected clock in ms;
   * onChange(): called when an announcement starts or ends, so the board can mark the call.
   */
  constructor({ i18n, now = Date.now, onChange = () => {}, speech = window.speechSynthesis ?? null }) {
    this.i18n = i18n;
    this.now = now;
    this.onChange = onChange;
    this.speech = speech;
    this.enabled = false; // only a screen showing a queue region announces
    this.speechTimeoutMs = null; // null: from the length of the text
    this.log = [];
    this.pending = [];
    this.current = null;
    this.audioBlocked = false;
    this.primed = false;
    this.seen = new Set();
    this.context = null;
    this.utterance = null; // held, or Chromium may collect it and never fire `end`
    this.running = false;
    this.voices = [];
    this.pack = new VoicePack();
    this.volume = 100; // 0–100, from the manifest's voice entry
    this.quiet = [];
    this.timezone = null;
    if (this.speech) {
      const load = () => {
        this.voices = this.speech.getVoices() || [];
      };
      load();
      if (this.speech.addEventListener) this.speech.addEventListener("voiceschanged", load);
      else this.speech.onvoiceschanged = load;
    }
  }

  get voice() {
    if (!this.voices.length && this.speech) this.voices = this.speech.getVoices() || [];
    return pickVoice(this.voices, this.i18n.lang);
  }

  /** Follow the manifest's `voice` entry (null: no pack, full volume, no quiet hours). */
  setVoice(voice, timezone) {
    const volume = Number(voice && voice.volume);
    this.volume = Number.isFinite(volume) ? Math.min(100, Math.max(0, volume)) : 100;
    this.quiet = (voice && voice.quiet) || [];
    this.timezone = timezone || null;
    this.pack.want(voice && voice.pack ? voice.pack.url : null);
    if (this.context) this.pack.load(this.context); // decoded ahead, so the next call is ready
  }

  /** Take in a board just applied: queue every call not heard before (oldest first). */
  offer(board) {
    const calls = board && Array.isArray(board.calls) ? board.calls : [];
    const fresh = [];
    for (const call of calls) {
      if (!call || call.id === undefined || this.seen.has(call.id)) continue;
      this.seen.add(call.id);
      fresh.unshift(call);
    }
    if (this.seen.size > MAX_SEEN) this.seen = new Set([...this.seen].slice(-MAX_SEEN / 2));
    const first = !this.primed;
    this.primed = true;
    if (first || !this.enabled) return;
    const now = this.now();
    for (const call of fresh) {
      const at = parseTime(call.at);
      if (Number.isFinite(at) && now - at > MAX_AGE_MS) continue;
      this.pending.push({ call, queuedAt: Date.now() });
    }
    this._run();
  }

  /** Show or stop showing a queue region; a screen that stops drops what it had not read yet. */
  setEnabled(enabled) {
    this.enabled = enabled;
    if (!enabled) this.pending = [];
  }

  async _run() {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length) {
        const { call, queuedAt } = this.pending.shift();
        if (Date.now() - queuedAt > MAX_AGE_MS) continue; // waited too long behind others
        await this._announce(call);
        await sleep(GAP_MS);
      }
    } finally {
      this.running = false;
    }
  }

  async _announce(call) {
    const text = callText(this.i18n, call, { spoken: true });
    const entry = { id: call.id, text, recall: !!call.recall, chime: null, voice: null, speech: null,
                    engine: null, quiet: quietMode(this.quiet, this.timezone, this.now()), segments: [],
                    startedAt: Date.now(), endedAt: null };
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    this.current = entry;
    this.onChange();
    try {
      if (entry.quiet === "silent") {
        entry.chime = "quiet";
        await sleep(CHIME_MS); // the board still marks the call for the chime's time
        return;
      }
      entry.chime = await this._chime();
      if (entry.quiet === "chime" || this.volume === 0) return;
      const names = callSegments(call);
      if (this.context && this.pack.url) await this.pack.load(this.context);
      if (this.context && this.context.state === "running" && this.pack.ready(names)) {
        entry.engine = "pack";
        entry.segments = await this._playSegments(names);
        return;
      }
      // Speech only as a last resort: no pack named, or the one named cannot be loaded (tried again next call).
      const voice = this.pack.url && !this.pack.error ? null : this.voice;
      if (voice) {
        entry.engine = "speech";
        entry.voice = voice.name || voice.voiceURI || voice.lang;
        entry.speech = await this._speak(text, voice);
      }
    } catch (err) {
      console.warn("announcer: announcement failed", err);
    } finally {
      entry.endedAt = Date.now();
      this.current = null;
      this.onChange();
    }
  }

  /** A gain node at the screen's volume, in front of the speakers. */
  _output(ctx) {
    const gain = ctx.createGain();
    gain.gain.value = this.volume / 100;
    gain.connect(ctx.destination);
    return gain;
  }

  /** Play the segments back to back after the chime; resolves when the last one has ended. */
  async _playSegments(names) {
    const ctx = this.context;
    const { scheduled, end } = this.pack.schedule(ctx, names, ctx.currentTime + 0.05, this._output(ctx));
    await sleep(Math.max(0, (end - ctx.currentTime) * 1000) + 50);
    return scheduled;
  }

  async _audio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!this.context) this.context = new Context();
    if (this.context.state === "suspended") {
      await withTimeout(this.context.resume().catch(() => {}), RESUME_WAIT_MS, null);
    }
    return this.context.state === "running" ? this.context : null;
  }

  /** Play the ding-dong; "blocked" if audio may not play. Takes CHIME_MS either way. */
  async _chime() {
    let ctx = null;
    try {
      ctx = await this._audio();
    } catch (err) {
      console.warn("announcer: no audio", err); // say "blocked": the announcement still runs
    }
    this.audioBlocked = ctx === null;
    if (ctx && this.volume > 0) {
      const at = ctx.currentTime + 0.05;
      const out = this._output(ctx);
      tone(ctx, 659.25, at, 0.9, out); // E5
      tone(ctx, 523.25, at + 0.55, 1.0, out); // C5
    }
    await sleep(CHIME_MS); // blocked or not, the board shows the call for the same time
    return ctx ? "played" : "blocked";
  }

  /** Speak `text`; resolves with "ended", "error" or "timeout" (the engine never said it was done). */
  _speak(text, voice) {
    const speech = this.speech;
    const timeoutMs = this.speechTimeoutMs ?? 4000 + 400 * text.length;
    return new Promise((resolve) => {
      let done = false;
      const finish = (how) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.utterance = null;
        resolve(how);
      };
      const timer = setTimeout(() => {
        finish("timeout");
        try {
          speech.cancel(); // an engine stuck on this one would hold every later one too
        } catch {
          // nothing more to do: the queue moves on
        }
      }, timeoutMs);
      try {
        const utterance = new window.SpeechSynthesisUtterance(text);
        utterance.lang = voice.lang || this.i18n.lang;
        utterance.voice = voice;
        utterance.rate = 0.9;
        utterance.onend = () => finish("ended");
        utterance.onerror = () => finish("error");
        this.utterance = utterance;
        speech.speak(utterance);
      } catch (err) {
        console.warn("announcer: speech failed", err);
        finish("error");
      }
    });
  }
}
