// PDF document (文档): its pages, rendered to images on upload, shown one after another.
//
// One view for the whole document, so proof of play counts one showing of it; it lasts
// pages × seconds_per_page (the entry's duration per page when the item has none). Pages fit the
// region without distortion (object-fit: contain on a dark ground). Only the page on screen and the
// next one are held decoded: the next is decoded while the current shows, and swapped in whole.
// Nothing waits forever: a page that neither loads nor fails within the fallback is skipped, and a
// document whose first page cannot be shown is skipped by the player.

import { durationMs, h, withTimeout } from "./_dom.js";

function pageUrls(item) {
  const pages = Array.isArray(item?.pages) ? item.pages : [];
  return pages.map((page) => page?.url).filter((url) => typeof url === "string" && url !== "");
}

/** A decoded <img> of `url`, or null when it fails or takes longer than `fallbackMs`. */
async function decodedPage(url, alt, fallbackMs) {
  const img = h("img", { class: "document__page", alt, decoding: "async" });
  img.src = url;
  const ok = await withTimeout(
    img.decode().then(
      () => true,
      () => false,
    ),
    fallbackMs,
    false,
  );
  if (ok) return img;
  img.removeAttribute("src");
  return null;
}

/**
 * Build a document view in `staging`, or null when it has no page that can be shown.
 * entryDuration: the playlist entry's seconds, used per page when the item has no seconds_per_page.
 */
export async function buildDocumentView(item, { staging, entryDuration, fallbackMs }) {
  const urls = pageUrls(item);
  if (urls.length === 0) return null;
  const ms = durationMs(item.seconds_per_page, null) ?? durationMs(entryDuration);
  const title = typeof item.title === "string" ? item.title : "";
  const first = await decodedPage(urls[0], title, fallbackMs);
  if (!first) return null;
  const counter = h("span", { class: "document__counter" });
  const node = h("figure", { class: "document", data: { pages: urls.length } }, first, counter);
  staging.append(node);

  let shown = first;
  let timer = null;
  let ahead = null; // {index, promise} of the next page being decoded
  let run = 0; // bumps cancel a page change that belongs to an earlier start()

  const prefetch = (index) => {
    ahead = index < urls.length ? { index, promise: decodedPage(urls[index], title, fallbackMs) } : null;
  };
  const showCounter = (index) => {
    counter.textContent = `${index + 1} / ${urls.length}`;
    counter.hidden = urls.length < 2;
  };
  const clear = () => {
    clearTimeout(timer);
    timer = null;
  };

  return {
    node,
    pages: urls.length,
    start(done) {
      clear();
      const mine = ++run;
      if (shown !== first) {
        shown.replaceWith(first); // played again: from the first page
        shown = first;
      }
      showCounter(0);
      prefetch(1);
      const next = async () => {
        // The next page, skipping any that cannot be shown; each waited on at most the fallback.
        while (ahead && mine === run) {
          const { index: at, promise } = ahead;
          const img = await promise;
          if (mine !== run) return;
          if (img) {
            shown.replaceWith(img);
            if (shown !== first) shown.removeAttribute("src"); // frees the decoded page
            shown = img;
            showCounter(at);
            prefetch(at + 1);
            timer = setTimeout(next, ms);
            return;
          }
          prefetch(at + 1);
        }
        if (mine === run) done();
      };
      timer = setTimeout(next, ms);
    },
    stop() {
      run += 1;
      clear();
    },
    dispose() {
      run += 1;
      clear();
      for (const img of node.querySelectorAll("img")) img.removeAttribute("src");
      ahead = null;
    },
  };
}
