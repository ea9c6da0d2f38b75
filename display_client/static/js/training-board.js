// Training board (培训信息): pages of live training courses as a table readable from across the hall
// (course and provider, dates, places left, subsidy, fee), or on a small LED panel one course per page
// in one big line. Paging and the smallest type follow the vacancy board (vacancy-board.js).

import { fitText, fromParts, h, overflows, timedView, vh } from "./_dom.js";

const COLUMNS = ["title", "dates", "places", "subsidy", "fee"];

/** "12月5日–12月25日" (or "Dec 5 – Dec 25") from the course's ISO days; "" when they are missing. */
export function datesText(course, i18n) {
  const day = (iso) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ""));
    return m ? i18n.t("training.day", { month: Number(m[2]), day: Number(m[3]) }) : "";
  };
  const from = day(course.starts_on);
  const to = day(course.ends_on);
  return from && to ? i18n.t("training.dates", { from, to }) : from;
}

function placesText(course, i18n) {
  const left = Number(course.places_left);
  return Number.isInteger(left) && left > 0 ? i18n.t("training.places", { count: left }) : i18n.t("training.full");
}

function feeText(course, i18n) {
  const fee = Number(course.fee_yuan);
  return Number.isInteger(fee) && fee > 0 ? i18n.t("training.fee", { yuan: fee }) : i18n.t("training.free");
}

function subsidyText(course, i18n) {
  const groups = Array.isArray(course.subsidy_groups) ? course.subsidy_groups : [];
  if (course.subsidy && String(course.subsidy).trim()) return String(course.subsidy);
  return groups.length ? i18n.t("training.subsidy.groups", { groups: groups.join(i18n.t("training.joiner")) }) : "";
}

function cell(column, course, i18n) {
  switch (column) {
    case "title":
      return [String(course.title ?? ""), h("span", { class: "tb__provider" }, course.provider ?? "")];
    case "dates":
      return datesText(course, i18n);
    case "places":
      return placesText(course, i18n);
    case "fee":
      return feeText(course, i18n);
    case "subsidy":
      return subsidyText(course, i18n);
    default:
      return "";
  }
}

function tableNode(rows, { page, pages, pageSize, i18n }) {
  const head = h(
    "tr",
    {},
    COLUMNS.map((c) => h("th", { class: `tb__col-${c}`, scope: "col" }, i18n.t(`training.col.${c}`))),
  );
  const body = rows.map((course) =>
    h(
      "tr",
      { class: Number(course.places_left) > 0 ? "" : "tb__row--full", data: { course: course.id } },
      COLUMNS.map((c) => h("td", { class: `tb__col-${c}` }, cell(c, course, i18n))),
    ),
  );
  return h(
    "section",
    { class: "vb tb", style: { "--rows": pageSize } },
    h(
      "header",
      { class: "vb__head" },
      h("h2", { class: "vb__title" }, i18n.t("training.title")),
      h("span", { class: "vb__pager" }, i18n.t("pager", { page, pages })),
    ),
    h(
      "table",
      { class: "vb__table tb__table" },
      h("colgroup", {}, COLUMNS.map((c) => h("col", { class: `tb__col-${c}` }))),
      h("thead", {}, head),
      h("tbody", {}, body),
    ),
  );
}

function ledNode(course, { page, pages, i18n }) {
  const parts = i18n.parts("training.led", {
    title: course.title ?? "",
    dates: datesText(course, i18n),
    places: placesText(course, i18n),
    fee: feeText(course, i18n),
  });
  return h(
    "section",
    { class: "vb vb--led tb", data: { course: course.id } },
    h("p", { class: "vb__line" }, fromParts(parts, "tb__led")),
    h("span", { class: "vb__pager" }, i18n.t("pager", { page, pages })),
  );
}

// Course names, providers and subsidy texts wrap rather than being cut: shrink the page's type in
// steps until it fits the region, never below 2.6vh (the wall's smallest legible type).
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

/** Build one page of courses in `staging` (laid out, invisible) and return its view. */
export function buildTrainingPage(rows, { page, pages, pageSize, led, i18n, staging, ms }) {
  const node = led ? ledNode(rows[0], { page, pages, i18n }) : tableNode(rows, { page, pages, pageSize, i18n });
  staging.append(node);
  if (led) {
    const line = node.querySelector(".vb__line");
    fitText(line, { min: Math.max(14, vh(6)), max: node.clientHeight * 0.6 });
  } else {
    fitRows(node);
  }
  return timedView(node, ms);
}
