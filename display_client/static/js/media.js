// Images and videos. Nothing waits forever: an image that fails is skipped, one that neither loads
// nor fails is skipped after the fallback; a video that errors or stops advancing moves on.
//
// Gapless video: while one step plays, the region player asks a VideoPreloader for the next step's
// video, a hidden <video preload="auto"> that buffers meanwhile; building that step takes the
// element already decoded instead of starting a new load, so the switch shows no empty frame.
// A preloader holds at most one element: asking for another url releases the one it had.

import { durationMs, firstEvent, h, timedView, withTimeout } from "./_dom.js";

const HAVE_FUTURE_DATA = 3; // HTMLMediaElement.readyState: enough to start playing

function release(video) {
  video.pause();
  video.removeAttribute("src");
  video.load(); // frees the decoder and the connection
}

function newVideo(url) {
  const video = h("video", { class: "media__video", preload: "auto" });
  video.muted = true; // a hall screen is silent, and muted video may autoplay
  video.playsInline = true;
  video.src = url;
  return video;
}

/** The next video of a region, buffering in a hidden container; at most one at a time. */
export class VideoPreloader {
  constructor(container) {
    this.container = container;
    this.video = null;
    this.url = null;
  }

  /** Start buffering `url` (no-op if it already is), releasing any other preloaded video. */
  want(url) {
    if (this.video && this.url === url) return;
    this.clear();
    this.video = newVideo(url);
    this.url = url;
    this.container.append(this.video);
  }

  /** The preloaded element for `url`, now the caller's, or null if none was preloaded for it. */
  take(url) {
    if (!this.video || this.url !== url) return null;
    const video = this.video;
    this.video = null;
    this.url = null;
    return video;
  }

  clear() {
    if (this.video) {
      release(this.video);
      this.video.remove();
    }
    this.video = null;
    this.url = null;
  }
}

async function buildImage(item, { staging, ms, fallbackMs }) {
  const img = h("img", { class: "media__img", alt: item.title ?? "", decoding: "async" });
  img.src = item.url;
  const loaded = await withTimeout(
    img.decode().then(
      () => true,
      () => false,
    ),
    fallbackMs,
    false,
  );
  if (!loaded) {
    img.removeAttribute("src");
    return null;
  }
  const node = h("figure", { class: "media media--image" }, img);
  staging.append(node);
  return timedView(node, ms);
}

async function buildVideo(item, { staging, ms, fallbackMs, preloader }) {
  const video = (preloader && preloader.take(item.url)) || newVideo(item.url);
  const node = h("figure", { class: "media media--video" }, video);
  staging.append(node);
  const ready =
    !video.error &&
    (video.readyState >= HAVE_FUTURE_DATA ||
      (await withTimeout(firstEvent(video, ["canplay"], ["error"]), fallbackMs, false)));
  if (!ready) {
    release(video);
    node.remove();
    return null;
  }
  let timers = [];
  let watchdog = null;
  let finish = null;
  const clear = () => {
    for (const t of timers) clearTimeout(t);
    timers = [];
    clearInterval(watchdog);
    watchdog = null;
    video.onended = video.onerror = null;
  };
  return {
    node,
    pages: 1,
    replay: true,
    start(done) {
      clear();
      let finished = false;
      finish = () => {
        if (finished) return;
        finished = true;
        clear();
        done();
      };
      video.onended = finish;
      video.onerror = finish;
      if (video.currentTime !== 0) video.currentTime = 0; // a preloaded video is at its start: no seek
      video.play().catch(() => {}); // refused or failed: the watchdog moves on
      if (ms !== null) timers.push(setTimeout(finish, ms));
      else if (Number.isFinite(video.duration)) timers.push(setTimeout(finish, video.duration * 1000 + fallbackMs));
      let last = -1;
      let stuckSince = Date.now();
      watchdog = setInterval(() => {
        if (video.currentTime !== last) {
          last = video.currentTime;
          stuckSince = Date.now();
        } else if (Date.now() - stuckSince >= fallbackMs) {
          finish(); // stalled: no progress for the whole fallback
        }
      }, 1000);
    },
    stop() {
      clear();
      video.pause();
    },
    dispose() {
      clear();
      release(video);
    },
  };
}

/**
 * Build a media view in `staging`, or null when it cannot be shown (the player moves on).
 * entryDuration: the playlist entry's seconds; an image without one shows for the fallback, a
 * video without one plays to its end. preloader: the region's VideoPreloader, whose element is
 * used when it holds this video.
 */
export async function buildMediaView(item, { staging, entryDuration, fallbackMs, preloader = null }) {
  if (!item || typeof item.url !== "string" || !item.url) return null;
  if (item.media_type === "video") {
    const ms = durationMs(entryDuration, null) ?? durationMs(item.duration, null);
    return buildVideo(item, { staging, ms, fallbackMs, preloader });
  }
  const ms = durationMs(entryDuration, null) ?? durationMs(item.duration, fallbackMs / 1000);
  return buildImage(item, { staging, ms, fallbackMs });
}
