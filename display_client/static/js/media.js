// Images and videos. Nothing waits forever: an image that fails is skipped, one that neither loads
// nor fails is skipped after the fallback; a video that errors or stops advancing moves on.

import { durationMs, firstEvent, h, timedView, withTimeout } from "./_dom.js";

function release(video) {
  video.pause();
  video.removeAttribute("src");
  video.load(); // frees the decoder and the connection
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

async function buildVideo(item, { staging, ms, fallbackMs }) {
  const video = h("video", { class: "media__video", preload: "auto" });
  video.muted = true; // a hall screen is silent, and muted video may autoplay
  video.playsInline = true;
  video.src = item.url;
  const node = h("figure", { class: "media media--video" }, video);
  staging.append(node);
  const ready = await withTimeout(firstEvent(video, ["canplay"], ["error"]), fallbackMs, false);
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
      video.currentTime = 0;
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
 * video without one plays to its end.
 */
export async function buildMediaView(item, { staging, entryDuration, fallbackMs }) {
  if (!item || typeof item.url !== "string" || !item.url) return null;
  if (item.media_type === "video") {
    const ms = durationMs(entryDuration, null) ?? durationMs(item.duration, null);
    return buildVideo(item, { staging, ms, fallbackMs });
  }
  const ms = durationMs(entryDuration, null) ?? durationMs(item.duration, fallbackMs / 1000);
  return buildImage(item, { staging, ms, fallbackMs });
}
