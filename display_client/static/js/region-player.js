// Region player: plays a region's entries in turn, one page or item at a time.
//
// Rules it keeps:
// - every step has a duration, FALLBACK_SECONDS when the manifest's is missing or invalid;
// - the next step is built offscreen (a hidden staging layer of the same size) and swapped in
//   whole, so the old content stays on screen until the new one is ready: no blank frame;
// - new data for the same programme (the same entries, only their item lists or item texts
//   changed: a vacancy added, a notice corrected) is applied at once: the step on screen is rebuilt
//   offscreen and swapped whole, or left alone if it did not change; the position in the pass is kept;
// - a new programme for the region (other entries) takes over at the end of the current pass; a
//   segment change (the schedule moved on) takes over at the end of the current item; never mid-item;
// - a step that cannot be built (a missing image) is skipped; if a whole pass builds nothing the
//   player waits the fallback before trying again rather than spinning;
// - with a play log (play-log.js), every step put on screen is a play of the items it shows, from
//   the moment it starts until another step replaces it (a step shown again is a new play).

import { canonicalJson, durationMs, FALLBACK_SECONDS, h } from "./_dom.js";
import { buildFeedView } from "./feed.js";
import { buildMediaView, VideoPreloader } from "./media.js";
import { buildDocumentView } from "./document.js";
import { guideSteps } from "./guide-card.js";
import { buildNoticeView } from "./notice.js";
import { buildVacancyPage, pageSizeFor, paginate } from "./vacancy-board.js";
import { buildTrainingPage } from "./training-board.js";
import { buildFairBooths, buildFairCover, buildFairMap } from "./fair-board.js";
import { marketSteps } from "./market-board.js";
import { buildTextView } from "./text-card.js";
import { buildWebPageView } from "./webpage.js";

function lookup(items, ids, kind) {
  const found = [];
  for (const id of Array.isArray(ids) ? ids : []) {
    const item = items[id];
    if (item && (!kind || item.kind === kind)) found.push(item);
  }
  return found;
}

function vacancySteps(vacancies, entry, env, ms) {
  const size = pageSizeFor(entry, env);
  const pages = paginate(vacancies, size);
  return pages.map((rows, i) => {
    const page = i + 1;
    return {
      key: canonicalJson(["vacancies", rows, page, pages.length, size, env.led, ms]),
      items: rows,
      build: (ctx) => buildVacancyPage(rows, { ...ctx, page, pages: pages.length, pageSize: size, led: env.led, ms }),
    };
  });
}

function trainingSteps(courses, entry, env, ms) {
  const size = pageSizeFor(entry, env);
  const pages = paginate(courses, size);
  return pages.map((rows, i) => {
    const page = i + 1;
    return {
      key: canonicalJson(["training", rows, page, pages.length, size, env.led, ms]),
      items: rows,
      build: (ctx) => buildTrainingPage(rows, { ...ctx, page, pages: pages.length, pageSize: size, led: env.led, ms }),
    };
  });
}

// Each fair: its cover (countdown, or 今日招聘会), its booths in pages (skipped before its day), its map.
function fairSteps(fairs, entry, env, ms) {
  const steps = [];
  const size = pageSizeFor(entry, env);
  const tz = env.timeZone;
  for (const fair of fairs) {
    const items = [fair];
    steps.push({
      key: canonicalJson(["fair", fair, env.led, tz, ms]),
      items,
      build: (ctx) => buildFairCover(fair, { ...ctx, led: env.led, timeZone: tz, ms }),
    });
    const pages = paginate(Array.isArray(fair.booths) ? fair.booths : [], size);
    pages.forEach((rows, i) => {
      const page = i + 1;
      steps.push({
        key: canonicalJson(["fair-booths", fair.id, rows, page, pages.length, size, env.led, tz, ms]),
        items,
        build: (ctx) =>
          buildFairBooths(fair, rows, { ...ctx, page, pages: pages.length, pageSize: size, led: env.led, timeZone: tz, ms }),
      });
    });
    if (fair.booth_map && !env.led) {
      steps.push({ key: canonicalJson(["fair-map", fair.id, fair.booth_map, ms]), items, build: (ctx) => buildFairMap(fair, { ...ctx, ms }) });
    }
  }
  return steps;
}

function itemStep(item, entry, env, ms) {
  const key = canonicalJson(["item", item, entry.duration ?? null, env.led, ms]);
  const items = [item];
  switch (item.kind) {
    case "notice":
      return { key, items, build: (ctx) => buildNoticeView(item, { ...ctx, led: env.led, ms }) };
    case "media":
      return {
        key,
        items,
        build: (ctx) => buildMediaView(item, { ...ctx, entryDuration: entry.duration }),
        preload: item.media_type === "video" && typeof item.url === "string" ? item.url : null, // media.js
      };
    case "document":
      return { key, items, build: (ctx) => buildDocumentView(item, { ...ctx, entryDuration: entry.duration }) };
    case "ticker":
      return { key, items, build: (ctx) => buildTextView(item.text ?? item.title ?? "", { ...ctx, ms }) };
    case "vacancy":
      return vacancySteps([item], entry, env, ms)[0];
    case "webpage":
      return { key, items, build: (ctx) => buildWebPageView(item, { ...ctx, ms }) };
    case "feed":
      return { key, items, build: (ctx) => buildFeedView(item, { ...ctx, led: env.led, ms }) };
    default:
      return null;
  }
}

/**
 * The steps of a region's entries: one per vacancy page, notice or media item; `items` are the
 * manifest items a step shows.
 * env: {led, maxRows} (how the screen can show things).
 */
export function expandEntries(entries, items, env) {
  const steps = [];
  for (const entry of Array.isArray(entries) ? entries : []) {
    if (!entry || typeof entry !== "object") continue;
    const ms = durationMs(entry.duration);
    if (entry.kind === "vacancy_board") {
      steps.push(...vacancySteps(lookup(items, entry.items, "vacancy"), entry, env, ms));
    } else if (entry.kind === "training_board") {
      steps.push(...trainingSteps(lookup(items, entry.items, "training"), entry, env, ms));
    } else if (entry.kind === "market_board") {
      steps.push(...marketSteps(entry, env, ms)); // the labour-market charts: figures, no items
    } else if (entry.kind === "fair_board") {
      steps.push(...fairSteps(lookup(items, entry.items, "fair"), entry, env, ms));
    } else if (entry.kind === "notice_feed") {
      for (const notice of lookup(items, entry.items, "notice")) steps.push(itemStep(notice, entry, env, ms));
    } else if (entry.kind === "guide_feed") {
      steps.push(...guideSteps(lookup(items, entry.items, "guide"), entry, env, ms));
    } else if (entry.kind === "item") {
      const [item] = lookup(items, [entry.item]);
      if (item?.kind === "guide") {
        steps.push(...guideSteps([item], entry, env, ms)); // one page, or the LED's several
        continue;
      }
      const step = item ? itemStep(item, entry, env, ms) : null;
      if (step) steps.push(step);
    }
  }
  return steps;
}

/** Identity of a region's programme: its entries without their item lists, and the screen profile. */
export function shapeKey(entries, env) {
  const bare = (Array.isArray(entries) ? entries : []).map((e) => {
    if (!e || typeof e !== "object") return e;
    const { items: _items, ...rest } = e;
    return rest;
  });
  return canonicalJson([bare, env]);
}

/** Identity of what a region would play: equal keys, equal steps. */
export function contentKey(entries, items, env) {
  return canonicalJson([entries, expandEntries(entries, items, env).map((s) => s.key)]);
}

export class RegionPlayer {
  /** playLog: a PlayLog told what this region shows (proof of play), or null to log nothing. */
  constructor(el, { i18n, fallbackMs = FALLBACK_SECONDS * 1000, playLog = null }) {
    this.el = el;
    this.i18n = i18n;
    this.fallbackMs = fallbackMs;
    this.playLog = playLog;
    this.play = null; // the play log's handle of what is on screen
    this.el.classList.add("region--playlist");
    this.viewEl = h("div", { class: "region__view" });
    this.stagingEl = h("div", { class: "region__staging", "aria-hidden": "true" });
    // The next step's video buffers here while this one plays (media.js, VideoPreloader): gapless switches.
    this.preloadEl = h("div", { class: "region__staging region__preload", "aria-hidden": "true" });
    this.preloader = new VideoPreloader(this.preloadEl);
    this.el.replaceChildren(this.viewEl, this.stagingEl, this.preloadEl);

    this.steps = [];
    this.key = null; // content key of `steps`
    this.shape = null; // programme key of `steps`
    this.pending = null; // {key, steps} waiting for its boundary
    this.atItemEnd = false; // the pending content may come in at the end of the current item
    this.index = 0; // next step to play
    this.current = null; // the view on screen
    this.currentKey = null;
    this.state = "empty"; // empty | building | playing | waiting
    this.generation = 0; // bumps cancel a build or timer that belongs to an older run
    this.waitTimer = null;
  }

  /**
   * Offer the region's content. urgent: the schedule moved on, so it comes in at the end of the
   * current item rather than at the end of the pass. immediately: the screen profile changed (LED or
   * not), the item on screen no longer fits it, so the new content is built and swapped in at once.
   */
  update({ entries, items, env, urgent = false, immediately = false }) {
    const key = contentKey(entries, items, env);
    if (key === this.key) {
      this.pending = null; // back to what is playing: forget anything queued
      this.atItemEnd = false;
      return;
    }
    const shape = shapeKey(entries, env);
    if (!urgent && !immediately && this.state === "playing" && shape === this.shape) {
      this._refreshInPlace(key, shape, expandEntries(entries, items, env));
      return;
    }
    if (!this.pending || this.pending.key !== key) {
      this.pending = { key, shape, steps: expandEntries(entries, items, env) };
    }
    this.atItemEnd = this.atItemEnd || urgent || immediately;
    if (immediately || this.state === "empty" || this.state === "waiting") this._advance();
  }

  /**
   * The console's "play now": play from the step showing `itemKey` ("notice:3") now, after taking in any
   * programme waiting for its boundary; a step already on screen starts its time again. Returns
   * whether this region holds the item.
   */
  playNow(itemKey) {
    if (this.pending) this._swap();
    const at = this.steps.findIndex((step) => step.items.some((item) => item && `${item.kind}:${item.id}` === itemKey));
    if (at < 0) return false;
    this.index = at;
    this._advance();
    return true;
  }

  destroy() {
    this.generation += 1;
    clearTimeout(this.waitTimer);
    this._endPlay();
    this._dispose(this.current);
    this.current = null;
    this.preloader.clear();
    this.el.replaceChildren();
  }

  /** Same programme, new data: keep the place in the pass, rebuild the step on screen only if it changed. */
  _refreshInPlace(key, shape, steps) {
    const position = Math.max(0, this.index - 1);
    this.steps = steps;
    this.key = key;
    this.shape = shape;
    this.pending = null;
    this.atItemEnd = false;
    if (position < steps.length && steps[position].key === this.currentKey) {
      this.index = position + 1; // what is on screen is unchanged: let it finish its time
      return;
    }
    this.index = Math.min(position, Math.max(0, steps.length - 1));
    this._advance();
  }

  _swap() {
    this.steps = this.pending.steps;
    this.key = this.pending.key;
    this.shape = this.pending.shape;
    this.pending = null;
    this.atItemEnd = false;
    this.index = 0;
  }

  async _advance() {
    const generation = ++this.generation;
    clearTimeout(this.waitTimer);
    this.state = "building";
    let failures = 0;
    for (;;) {
      if (this.pending && (this.atItemEnd || this.index >= this.steps.length)) this._swap();
      if (this.steps.length === 0) {
        this._show(null, null);
        this.state = "empty";
        return;
      }
      if (this.index >= this.steps.length) this.index = 0;
      if (failures >= this.steps.length) {
        // A whole pass and nothing could be shown: keep what is there, try again later.
        this.state = "waiting";
        this.waitTimer = setTimeout(() => this._advance(), this.fallbackMs);
        return;
      }
      const step = this.steps[this.index];
      this.index += 1;
      if (this.current && this.currentKey === step.key) {
        // The same thing again (a one-item region): keep the node, restart its time.
        this._start(this.current, generation, step);
        return;
      }
      let view = null;
      // Whatever an earlier build left behind (one that threw halfway) must not pile up for months.
      this.stagingEl.replaceChildren();
      try {
        const ctx = { staging: this.stagingEl, i18n: this.i18n, fallbackMs: this.fallbackMs };
        view = await step.build({ ...ctx, preloader: this.preloader });
      } catch (err) {
        console.error("wall: could not build", step.key, err);
      }
      if (generation !== this.generation || (view && this.pending && this.atItemEnd)) {
        // Overtaken while building (destroyed, or the schedule moved on): drop this one.
        this._dispose(view);
        if (generation !== this.generation) return;
        continue;
      }
      if (!view) {
        failures += 1;
        continue;
      }
      this._show(view, step.key);
      this._start(view, generation, step);
      return;
    }
  }

  _start(view, generation, step) {
    this.state = "playing";
    this._endPlay();
    if (this.playLog) this.play = this.playLog.begin(step.items);
    view.start(() => {
      if (generation === this.generation) this._advance();
    });
    this._preloadNext();
  }

  /** Buffer the next step's video while this step plays, or release a preloaded one no longer next. */
  _preloadNext() {
    const fromPending = this.pending && (this.atItemEnd || this.index >= this.steps.length);
    const steps = fromPending ? this.pending.steps : this.steps;
    const next = fromPending ? steps[0] : steps[this.index < steps.length ? this.index : 0];
    if (next && next.preload && next.key !== this.currentKey) this.preloader.want(next.preload);
    else this.preloader.clear();
  }

  _show(view, key) {
    const old = this.current;
    if (view !== old) this._endPlay();
    if (view) this.viewEl.replaceChildren(view.node);
    else this.viewEl.replaceChildren();
    this.current = view;
    this.currentKey = key;
    if (old && old !== view) this._dispose(old);
  }

  _endPlay() {
    if (this.play && this.playLog) this.playLog.end(this.play);
    this.play = null;
  }

  _dispose(view) {
    if (!view) return;
    view.stop();
    if (view.dispose) view.dispose();
    if (view.node.parentNode === this.stagingEl) view.node.remove();
  }
}
