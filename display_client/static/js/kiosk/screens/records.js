// 社保查询: the person's insurances, 36 months of contributions with the gaps called out, the two
// account balances and the employment registration, one tab at a time; and the 参保证明 button.
// States are words with icons; a gap month is marked by an icon, a word and a hatch, never colour alone.

import { h } from "../../_dom.js";
import { dateLabel, money, monthLabel } from "../format.js";
import { icon } from "../icons.js";
import { pager } from "../pager.js";
import { employerLabel } from "../strings.js";

// How a month of the contribution grid looks: never by colour alone (an icon and a word each).
const MONTH_LOOK = {
  paid: { icon: "ok", state: "records.paid", label: "records.month.paid" },
  gap: { icon: "bad", state: "records.unpaid", label: "records.month.gap" },
  retired: { icon: "clock", state: "records.retired", label: "records.month.retired" },
};

const TABS = ["enrollments", "contributions", "balances", "employment"];
const STATE_ICONS = { active: "ok", suspended: "pause", terminated: "bad", never: "none" };
const INSURANCES = ["pension", "medical", "unemployment", "work_injury", "maternity"];

export function recordsScreen(ctx, params) {
  const { t } = ctx;
  const state = { tab: TABS.includes(params.tab) ? params.tab : TABS[0], year: params.year || null };
  const node = h("section", { class: "kscreen krecords" }, h("p", { class: "kloading", role: "status" }, t("records.loading")));

  ctx.records().then((records) => {
    const tabs = h("div", { class: "ktabs", role: "group", "aria-label": t("records.sections") });
    const panel = h("div", { class: "krecords__panel" });
    const cert = h("button", { type: "button", class: "kbtn kbtn--primary kcert-button", data: { action: "certificate" } },
      icon("policy"), t("records.certificate"));
    cert.addEventListener("click", () => ctx.go("certificate"));
    const show = () => {
      ctx.remember({ ...state });
      tabs.replaceChildren(...TABS.map((name) => {
        const chosen = name === state.tab;
        const button = h("button", { type: "button", class: "kbtn ktab", "aria-pressed": String(chosen), data: { tab: name } },
          chosen ? icon("check") : null, t(`records.tab.${name}`));
        button.addEventListener("click", () => {
          state.tab = name;
          show();
        });
        return button;
      }));
      const render = { enrollments, contributions, balances, employment }[state.tab];
      panel.replaceChildren(...render(records));
    };
    node.replaceChildren(
      h("div", { class: "krecords__head" },
        h("p", { class: "krecords__asof" }, t("records.as_of", { date: dateLabel(t, records.as_of) })), cert),
      pensionStatus(records), tabs, panel);
    show();
  });

  function enrollments(records) {
    const byInsurance = new Map((records.enrollments || []).map((e) => [e.insurance, e]));
    const rows = INSURANCES.map((name) => {
      const e = byInsurance.get(name) || { insurance: name, state: "never" };
      const stateName = STATE_ICONS[e.state] ? e.state : "never";
      const details = [
        e.place ? t("records.place", { place: e.place }) : "",
        e.since ? t("records.since", { date: dateLabel(t, e.since) }) : "",
      ].filter(Boolean);
      return h("li", { class: `kenroll kenroll--${stateName}`, data: { insurance: name, state: stateName } },
        icon(STATE_ICONS[stateName]),
        h("span", { class: "kenroll__name" }, t(`insurance.${name}`)),
        h("span", { class: "kenroll__state" }, t(`enrollment.${stateName}`)),
        details.length ? h("span", { class: "kenroll__detail" }, details.join(t("list.separator"))) : null);
    });
    return [h("h2", { class: "ksection" }, t("records.tab.enrollments")), h("ul", { class: "kenrolls" }, rows)];
  }

  /** A retiree's status, above every tab: 已退休 and since when, rather than counters of months not due. */
  function pensionStatus(records) {
    const e = records.employment || {};
    const since = (records.contributions || {}).retired_from || (e.since ? String(e.since).slice(0, 7) : "");
    if (e.state !== "retired") return null;
    return h("div", { class: "kpension", data: { state: "retired" } },
      icon("clock"),
      h("p", { class: "kpension__title" }, t("records.pension.title")),
      since ? h("p", { class: "kpension__since" }, t("records.pension.since", { month: monthLabel(t, since) })) : null);
  }

  function contributions(records) {
    const c = records.contributions || {};
    const months = Array.isArray(c.months) ? c.months : [];
    const gaps = Array.isArray(c.gaps) ? c.gaps : [];
    const paid = Number(c.paid_months) || months.filter((m) => m.paid).length;
    const total = Number(c.total_months) || months.length;
    const retiredMonths = months.filter((m) => m.retired).length;
    const liable = total - retiredMonths; // months before retiring: the only ones anything was due for
    const unpaid = liable - paid;
    if (c.retired_from && liable <= 0) {
      // Every month shown is after retiring: no counters of nothing and no grid of 退休 cells, the status says it.
      return [
        h("h2", { class: "ksection" }, t("records.tab.contributions")),
        h("p", { class: "kgap kgap--retired kcontrib__summary" }, icon("clock"), t("records.contrib.all_retired", { total })),
      ];
    }
    const side = [h("p", { class: "kcontrib__summary" }, c.retired_from
      ? t("records.contrib.before", { total: liable, paid, unpaid })
      : t("records.contrib.summary", { total, paid, unpaid }))];
    if (c.retired_from) {
      // A pensioner's months after retiring are no gap: said in words, shown as their own kind of month.
      side.push(h("p", { class: "kgap kgap--retired" }, icon("clock"),
        t("records.retired.since", { month: monthLabel(t, c.retired_from) })));
    }
    if (gaps.length) {
      side.push(h("ul", { class: "kgaps", "aria-label": t("records.gaps") }, gaps.map((g) =>
        h("li", { class: "kgap" }, icon("warn"),
          g.first === g.last
            ? t("records.gap.one", { month: monthLabel(t, g.first) })
            : t("records.gap", { first: monthLabel(t, g.first), last: monthLabel(t, g.last), months: g.months })))));
    } else if (!c.retired_from) {
      side.push(h("p", { class: "kgap kgap--none" }, icon("ok"), t("records.gap.none", { total })));
    }
    const last = [...months].reverse().find((m) => m.paid);
    if (last) {
      side.push(h("p", { class: "kcontrib__last" }, t("records.contrib.last", {
        month: monthLabel(t, last.month), base: money(t, last.base_fen), personal: money(t, last.personal_fen),
        employer: employerLabel(t, last.employer) || t("value.none"),
      })));
    }
    const years = [...new Set(months.map((m) => String(m.month).slice(0, 4)))];
    let shownYears = years;
    let yearPager = null;
    if (ctx.elder && years.length > 1) {
      // Elder mode: one year at a time, bigger.
      const index = years.includes(state.year) ? years.indexOf(state.year) : years.length - 1;
      shownYears = [years[index]];
      yearPager = pager(t, {
        page: index + 1, pages: years.length, prevKey: "records.year.prev", nextKey: "records.year.next",
        labelKey: "records.year.label",
        onPage: (n) => {
          state.year = years[n - 1];
          ctx.remember({ ...state });
          const panel = node.querySelector(".krecords__panel");
          if (panel) panel.replaceChildren(...contributions(records));
        },
      });
    }
    const grid = h("div", { class: "kmonths" }, shownYears.map((year) => {
      const cells = [];
      for (let m = 1; m <= 12; m += 1) {
        const key = `${year}-${String(m).padStart(2, "0")}`;
        const month = months.find((x) => x.month === key);
        if (!month) {
          cells.push(h("li", { class: "kmonth kmonth--outside", "aria-hidden": "true" }));
          continue;
        }
        const label = monthLabel(t, key);
        const kind = month.paid ? "paid" : month.retired ? "retired" : "gap";
        const look = MONTH_LOOK[kind];
        cells.push(h("li", { class: `kmonth kmonth--${kind}`, data: { month: key },
                             "aria-label": t(look.label, { month: label }) },
          h("span", { class: "kmonth__m", "aria-hidden": "true" }, t(`month.${m}`)),
          icon(look.icon),
          h("span", { class: "kmonth__state", "aria-hidden": "true" }, t(look.state))));
      }
      return h("div", { class: "kyear" }, h("h3", { class: "kyear__label" }, t("records.year", { year })),
        h("ul", { class: "kyear__months" }, cells));
    }));
    return [
      h("h2", { class: "ksection" }, t("records.tab.contributions")),
      h("div", { class: "kcontrib" },
        h("div", { class: "kcontrib__side" }, side),
        h("div", { class: "kcontrib__grid" }, grid, yearPager)),
    ];
  }

  function balances(records) {
    const b = records.balances || {};
    const card = (key, fen) => h("div", { class: "kbalance", data: { balance: key } },
      h("h3", { class: "kbalance__name" }, t(`records.balance.${key}`)),
      h("p", { class: "kbalance__amount" }, money(t, fen)));
    return [
      h("h2", { class: "ksection" }, t("records.tab.balances")),
      h("div", { class: "kbalances" }, card("pension", b.pension_account_fen), card("medical", b.medical_account_fen)),
      h("p", { class: "kbalance__asof" }, t("records.as_of", { date: dateLabel(t, b.as_of || records.as_of) })),
    ];
  }

  function employment(records) {
    const e = records.employment || {};
    const known = ["employed", "unemployed_registered", "flexible", "retired", "none"];
    const stateName = known.includes(e.state) ? e.state : "none";
    const facts = [
      ["records.employment.state", t(`employment.${stateName}`)],
      ["records.employment.since", e.since ? dateLabel(t, e.since) : ""],
      ["records.employment.employer", e.employer || ""],
      ["records.employment.office", e.office || ""],
    ].filter(([, value]) => value);
    return [
      h("h2", { class: "ksection" }, t("records.tab.employment")),
      h("dl", { class: "kfacts" }, facts.flatMap(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)])),
    ];
  }

  return { node, title: t("records.title"), personal: true };
}
