// The manifest's timeline: which segment is on now, and a timer for the next transition.
//
// The clock is the device clock corrected by the offset learned from welcome.server_time, so a
// wall whose clock is off still switches with the hall. With the network gone the timer keeps
// firing at each segment start from the cached manifest (docs/protocol.md §2).

// Wake at least this often even with no transition ahead: covers clock jumps and sleeping tabs.
const MAX_WAIT_MS = 60_000;
// Wake a little after a boundary, never a little before it.
const LATE_MS = 20;

/** Milliseconds since the epoch for an ISO 8601 time, NaN when it is not one. */
export function parseTime(iso) {
  return typeof iso === "string" ? Date.parse(iso) : NaN;
}

/**
 * Index of the segment containing `nowMs` (start ≤ now < end). Before the first segment the
 * first one plays, after the horizon the last one: last good content beats an empty screen.
 * -1 only when there are no segments.
 */
export function segmentIndexAt(manifest, nowMs) {
  const segments = manifest && Array.isArray(manifest.segments) ? manifest.segments : [];
  if (segments.length === 0) return -1;
  for (let i = 0; i < segments.length; i++) {
    const start = parseTime(segments[i].start);
    const end = parseTime(segments[i].end);
    if (start <= nowMs && nowMs < end) return i;
  }
  if (nowMs < parseTime(segments[0].start)) return 0;
  return segments.length - 1;
}

/** Start of the first segment beginning after `nowMs`, or null. */
export function nextBoundaryAfter(manifest, nowMs) {
  const segments = manifest && Array.isArray(manifest.segments) ? manifest.segments : [];
  let next = null;
  for (const segment of segments) {
    for (const t of [parseTime(segment.start), parseTime(segment.end)]) {
      if (t > nowMs && (next === null || t < next)) next = t;
    }
  }
  return next;
}

export class Timeline {
  constructor({ onChange = () => {}, systemNow = () => Date.now() } = {}) {
    this.onChange = onChange;
    this.systemNow = systemNow;
    this.offsetMs = 0;
    this.manifest = null;
    this.index = -1;
    this.key = null;
    this.timer = null;
  }

  /** The server's clock as best known: device clock plus the offset from welcome. */
  now() {
    return this.systemNow() + this.offsetMs;
  }

  /** Learn the offset from welcome.server_time, received at `receivedAt` on the device clock. */
  setServerTime(iso, receivedAt = this.systemNow()) {
    const server = parseTime(iso);
    if (!Number.isFinite(server)) return;
    this.offsetMs = server - receivedAt;
    this.refresh();
  }

  setManifest(manifest) {
    this.manifest = manifest;
    this.refresh();
  }

  /** The segment on now: {segment, index, key} or null without a manifest. */
  current() {
    if (this.index < 0 || !this.manifest) return null;
    return { segment: this.manifest.segments[this.index], index: this.index, key: this.key };
  }

  /** Re-evaluate now; calls onChange when another segment is on, and re-arms the timer. */
  refresh() {
    const now = this.now();
    const index = segmentIndexAt(this.manifest, now);
    const segment = index >= 0 ? this.manifest.segments[index] : null;
    const key = segment ? `${segment.start}/${segment.end}` : null;
    const changed = key !== this.key;
    this.index = index;
    this.key = key;
    this._arm(now);
    if (changed) this.onChange(this.current());
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  _arm(now) {
    clearTimeout(this.timer);
    const next = nextBoundaryAfter(this.manifest, now);
    const wait = next === null ? MAX_WAIT_MS : Math.min(MAX_WAIT_MS, next - now + LATE_MS);
    this.timer = setTimeout(() => this.refresh(), Math.max(0, wait));
  }
}
