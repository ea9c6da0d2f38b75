// Vacancy board: pages of vacancies as a table readable from across the hall, or on a small LED
// panel one vacancy per page in one big line.

import { fitText, fromParts, h, overflows, timedView, vh } from "./_dom.js";

export const DEFAULT_PAGE_SIZE = 8;

const COLUMNS = ["title", "employer", "headcount", "salary", "education", "district"];

// Row height at the smallest type the CSS allows (2.6vh ≈ 28 px at 1080p): font × line + padding.
const MIN_ROW_VH = 2.6 * 1.9;
// In a region narrower than 30 root ems the employer is a second line under the title (wall.css).
const NARROW_EM = 30;
const NARROW_ROW_VH = 2.6 * 2.9;

/**
 * How many rows fit in `regionEl` at the smallest legible type: a page never holds more, so a
 * manager's page_size of 20 on a short region gives more pages, not unreadable rows.
 */
export function maxRowsFor(regionEl) {
  const height = regionEl.clientHeight;
  if (!height) return DEFAULT_PAGE_SIZE;
  const rootEm = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const row = vh(regionEl.clientWidth < NARROW_EM * rootEm ? NARROW_ROW_VH : MIN_ROW_VH);
  // The title bar takes about two rows, the column headings one.
  return Math.max(1, Math.floor(height / row) - 3);
}

/** Rows per page for an entry: its page_size if valid, bounded by what fits; one on LED panels. */
export function pageSizeFor(entry, { led, maxRows }) {
  if (led) return 1;
  const wanted = Number.isInteger(entry.page_size) && entry.page_size > 0 ? entry.page_size : DEFAULT_PAGE_SIZE;
  return Math.max(1, Math.min(wanted, maxRows || wanted));
}

/** The vacancies of `ids` split into pages of `size`. */
export function paginate(vacancies, size) {
  const pages = [];
  for (let i = 0; i < vacancies.length; i += size) pages.push(vacancies.slice(i, i + size));
  return pages;
}

function salaryText(vacancy, i18n) {
  return vacancy.salary && String(vacancy.salary).trim() ? String(vacancy.salary) : i18n.t("vacancies.salary.none");
}

/**
 * The booth of the first fair that offers `vacancy` and is announced and not over at `now` (the
 * player's own clock: the badge goes when the fair ends, online or not), or "".
 */
export function fairBooth(vacancy, now = Date.now()) {
  for (const fair of Array.isArray(vacancy.fairs) ? vacancy.fairs : []) {
    const from = fair.from ? Date.parse(fair.from) : -Infinity;
    if (from <= now && now < Date.parse(fair.ends_at)) return String(fair.booth ?? "");
  }
  return "";
}

function fairBadge(vacancy, i18n) {
  const booth = fairBooth(vacancy);
  return booth ? h("span", { class: "vb__fair" }, i18n.t("fair.badge", { booth })) : null;
}

function cell(column, vacancy, i18n) {
  switch (column) {
    case "title":
      // The employer again, under the title: shown only where its own column is dropped (wall.css).
      return [
        String(vacancy.title ?? ""),
        fairBadge(vacancy, i18n),
        h("span", { class: "vb__title-employer" }, vacancy.employer ?? ""),
      ];
    case "headcount":
      return i18n.t("vacancies.headcount", { count: vacancy.headcount ?? "" });
    case "salary":
      return salaryText(vacancy, i18n);
    default:
      return vacancy[column] ?? "";
  }
}

function tableNode(rows, { page, pages, pageSize, i18n }) {
  const head = h(
    "tr",
    {},
    COLUMNS.map((c) => h("th", { class: `vb__col-${c}`, scope: "col" }, i18n.t(`vacancies.col.${c}`))),
  );
  const body = rows.map((vacancy) =>
    h(
      "tr",
      { data: { vacancy: vacancy.id } },
      COLUMNS.map((c) => h("td", { class: `vb__col-${c}` }, cell(c, vacancy, i18n))),
    ),
  );
  return h(
    "section",
    { class: "vb", style: { "--rows": pageSize } },
    h(
      "header",
      { class: "vb__head" },
      h("h2", { class: "vb__title" }, i18n.t("vacancies.title")),
      h("span", { class: "vb__pager" }, i18n.t("pager", { page, pages })),
    ),
    h(
      "table",
      { class: "vb__table" },
      h("colgroup", {}, COLUMNS.map((c) => h("col", { class: `vb__col-${c}` }))),
      h("thead", {}, head),
      h("tbody", {}, body),
    ),
  );
}

function ledNode(vacancy, { page, pages, i18n }) {
  const parts = i18n.parts("vacancies.led", {
    title: vacancy.title ?? "",
    salary: salaryText(vacancy, i18n),
    count: vacancy.headcount ?? "",
  });
  return h(
    "section",
    { class: "vb vb--led", data: { vacancy: vacancy.id } },
    h("p", { class: "vb__line" }, fromParts(parts, "vb__led"), fairBadge(vacancy, i18n)),
    h("span", { class: "vb__pager" }, i18n.t("pager", { page, pages })),
  );
}

/**
 * Employer and title wrap rather than being cut (a long 用人单位 takes two lines), so a page can come
 * out taller than its region: shrink the table's type in steps until it fits, never below 2.6vh.
 */
function fitRows(node) {
  const table = node.querySelector(".vb__table");
  if (!table || !node.clientHeight || !overflows(node)) return;
  const floor = vh(2.6);
  let size = parseFloat(getComputedStyle(table).fontSize) || floor;
  while (overflows(node) && size > floor) {
    size = Math.max(floor, size * 0.92);
    table.style.fontSize = `${size}px`;
  }
}

/**
 * Build one page in `staging` (laid out, invisible) and return its view.
 * rows: the vacancies of this page; page/pages: 1-based position; pageSize: rows per full page.
 */
export function buildVacancyPage(rows, { page, pages, pageSize, led, i18n, staging, ms }) {
  const node = led ? ledNode(rows[0], { page, pages, i18n }) : tableNode(rows, { page, pages, pageSize, i18n });
  staging.append(node);
  if (!led) fitRows(node);
  if (led) {
    const line = node.querySelector(".vb__line");
    // One line as large as the panel allows; never below a size an LED can still draw legibly.
    fitText(line, { min: Math.max(14, vh(6)), max: node.clientHeight * 0.6 });
  }
  return timedView(node, ms);
}
