// Policy notice page: title, issuing office, effective date and the body, fitted to the region;
// a body too long even at the smallest legible size is paged. On LED panels it scrolls by.

import { fitDown, fitText, h, overflows, timedView, vh } from "./_dom.js";
import { marqueeView } from "./ticker.js";

// Body type from large to the smallest legible size, in vh (2.6vh ≈ 28 px at 1080p).
const BODY_MAX_VH = 4.2;
const BODY_MIN_VH = 2.6;

/** "2026-01-01" as a long date in the display language (2026年1月1日), or the text as given. */
export function formatDate(text, lang) {
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(text)) return text ?? "";
  const date = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return text;
  return new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" }).format(
    date,
  );
}

/** The body as plain text on one line (for the LED marquee). */
export function plainText(html) {
  const doc = new DOMParser().parseFromString(`<body>${html ?? ""}</body>`, "text/html");
  return (doc.body.textContent || "").replace(/\s+/g, " ").trim();
}

function meta(item, i18n) {
  const lines = [];
  if (item.issuing_office) lines.push(h("span", {}, i18n.t("notice.office", { office: item.issuing_office })));
  if (item.effective_date) {
    lines.push(h("span", {}, i18n.t("notice.effective", { date: formatDate(item.effective_date, i18n.lang) })));
  }
  return lines;
}

function pageNode(item, i18n) {
  const flow = h("div", { class: "notice__flow" });
  // The server sanitised this HTML (allow-listed tags, no scripts or handlers) before publishing.
  flow.innerHTML = item.html ?? "";
  // Notices are often written with their title as the first heading: do not show it twice.
  const first = flow.firstElementChild;
  if (first && /^H[1-4]$/.test(first.tagName) && first.textContent.trim() === (item.title ?? "").trim()) {
    first.remove();
  }
  return h(
    "article",
    { class: "notice", data: { notice: item.id } },
    h(
      "header",
      { class: "notice__head" },
      item.topic ? h("span", { class: "notice__topic" }, item.topic) : null,
      h("h2", { class: "notice__title" }, item.title ?? ""),
      h("p", { class: "notice__meta" }, meta(item, i18n)),
    ),
    h("div", { class: "notice__body" }, flow),
    h("footer", { class: "notice__pager" }),
  );
}

const PAGE_GAP_VH = 4;

/**
 * Lay the body out in fixed-height columns, as many per page as the stylesheet asks for (one, or
 * two on very wide regions): the text spills into further columns to the right, and a page is
 * shown by sliding the flow one body width sideways. Returns the number of pages.
 */
function paginate(body, flow) {
  const width = body.clientWidth;
  const gap = Math.round(vh(PAGE_GAP_VH));
  const perPage = parseInt(getComputedStyle(flow).columnCount, 10) || 1;
  flow.classList.add("notice__flow--paged");
  flow.style.columnCount = "auto";
  flow.style.columnWidth = `${(width - (perPage - 1) * gap) / perPage}px`;
  flow.style.columnGap = `${gap}px`;
  flow.style.height = `${body.clientHeight}px`;
  // The body clips; its scroll width spans every column the flow spilled into.
  return Math.max(1, Math.ceil((body.scrollWidth + gap) / (width + gap)));
}

/** Build a notice view in `staging`: each page lasts `ms`. */
export function buildNoticeView(item, { i18n, led, staging, ms }) {
  if (led) {
    const text = i18n.t("notice.led", { title: item.title ?? "", body: plainText(item.html) });
    return marqueeView(text, { staging, ms, className: "notice-led" });
  }
  const node = pageNode(item, i18n);
  staging.append(node);
  const body = node.querySelector(".notice__body");
  const flow = node.querySelector(".notice__flow");
  const title = node.querySelector(".notice__title");
  fitDown(title, { minRatio: 0.6, minPx: vh(BODY_MIN_VH) });
  fitText(flow, { min: vh(BODY_MIN_VH), max: vh(BODY_MAX_VH) });
  // The flow fills the body; if it still spills at the smallest size, page it.
  const pages = overflows(flow) ? paginate(body, flow) : 1;
  const pager = node.querySelector(".notice__pager");
  const width = body.clientWidth + Math.round(vh(PAGE_GAP_VH));
  return timedView(node, ms, {
    pages,
    showPage(page) {
      if (pages > 1) {
        flow.style.transform = `translateX(${-page * width}px)`;
        pager.textContent = i18n.t("pager", { page: page + 1, pages });
      }
    },
  });
}
