// Voice pack: calls assembled from recorded segments, played with Web Audio (docs/protocol.md §2,
// "Voice"). 请A023号到5号窗口办理 reads 请 A 零 二 三 号 到 五 号窗口办理 (every digit on its own, as
// halls read ticket numbers); a recall starts with 重呼. The pack's index and files are
// content-addressed (/voice/<sha256>), so the service worker keeps them offline.
//
// Segments are decoded once (decodeAudioData) and scheduled back to back on the audio clock with
// start(when), each at the previous one's end: no gaps from timers, no overlap. What was scheduled
// is kept in `log` (and window.__voiceLog) for technicians and tests.

const MAX_LOG = 200;
const FETCH_TIMEOUT_MS = 10_000;

/** The segment names of one character of a ticket or counter number, or null if the pack has none. */
function charSegment(ch) {
  if (/^[0-9]$/.test(ch)) return ch;
  if (/^[A-Za-z]$/.test(ch)) return ch.toUpperCase();
  return null; // anything else is not read (a counter named in words: its digits only)
}

/** The segments of a call, in order: [重呼] 请 <ticket> 号 到 <counter> 号窗口办理. */
export function callSegments(call) {
  const chars = (value) => [...String(value ?? "")].map(charSegment).filter(Boolean);
  return [
    ...(call.recall ? ["chonghu"] : []),
    "qing",
    ...chars(call.ticket),
    "hao",
    "dao",
    ...chars(call.counter),
    "haochuangkoubanli",
  ];
}

/** The quiet mode ("chime" or "silent") in force at `ms` in `timezone`, or null outside quiet hours. */
export function quietMode(quiet, timezone, ms) {
  if (!Array.isArray(quiet) || !quiet.length) return null;
  let hhmm;
  try {
    hhmm = new Intl.DateTimeFormat("en-GB", {
      timeZone: timezone || undefined, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(new Date(ms));
  } catch {
    return null; // an unknown zone: play rather than stay silent for good
  }
  for (const window of quiet) {
    const { from, to, mode } = window || {};
    if (typeof from !== "string" || typeof to !== "string") continue;
    const inside = from < to ? hhmm >= from && hhmm < to : hhmm >= from || hhmm < to; // across midnight
    if (inside) return mode === "silent" ? "silent" : "chime";
  }
  return null;
}

async function fetchWithTimeout(url, as) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
  try {
    const response = await fetch(url, { signal: abort.signal });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return as === "json" ? await response.json() : await response.arrayBuffer();
  } finally {
    clearTimeout(timer);
  }
}

export class VoicePack {
  constructor() {
    this.url = null; // the index wanted
    this.loadedUrl = null; // the index whose buffers are decoded
    this.buffers = new Map(); // segment name -> AudioBuffer
    this.texts = new Map(); // segment name -> what it says (from the index)
    this.loading = null;
    this.error = null;
    this.log = [];
    window.__voiceLog = this.log;
  }

  /** Whether every segment of `names` is decoded and ready to play. */
  ready(names) {
    return this.loadedUrl !== null && this.loadedUrl === this.url && names.every((n) => this.buffers.has(n));
  }

  /** Follow the pack the manifest names (null: none); loading starts when an audio context exists. */
  want(url) {
    if (url === this.url) return;
    this.url = url || null;
    this.error = null;
  }

  /** Decode the wanted pack's segments with `ctx` (once per pack); resolves when done or failed. */
  async load(ctx) {
    const url = this.url;
    if (!url || !ctx || this.loadedUrl === url) return;
    if (this.loading && this.loading.url === url) return this.loading.promise;
    const promise = (async () => {
      try {
        const index = await fetchWithTimeout(url, "json");
        const buffers = new Map();
        const texts = new Map();
        await Promise.all(
          Object.entries(index.segments || {}).map(async ([name, seg]) => {
            const bytes = await fetchWithTimeout(seg.file, "bytes");
            buffers.set(name, await ctx.decodeAudioData(bytes));
            texts.set(name, seg.text ?? name);
          }),
        );
        if (this.url !== url) return; // another pack was named meanwhile
        this.buffers = buffers;
        this.texts = texts;
        this.loadedUrl = url;
        this.error = null;
      } catch (err) {
        this.error = String(err && err.message ? err.message : err);
        console.warn("voice-pack: cannot load", url, err);
      } finally {
        if (this.loading && this.loading.url === url) this.loading = null;
      }
    })();
    this.loading = { url, promise };
    return promise;
  }

  /**
   * Schedule `names` back to back from `at` (audio clock seconds) through `destination`.
   * Returns the scheduled segments [{name, when, duration}] and the end time.
   */
  schedule(ctx, names, at, destination) {
    let when = at;
    const scheduled = [];
    for (const name of names) {
      const buffer = this.buffers.get(name);
      if (!buffer) continue;
      const source = ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(destination);
      source.start(when);
      scheduled.push({ name, when, duration: buffer.duration });
      when += buffer.duration;
    }
    this.log.push(...scheduled.map((s) => ({ ...s, text: this.texts.get(s.name) ?? s.name })));
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    return { scheduled, end: when };
  }
}
