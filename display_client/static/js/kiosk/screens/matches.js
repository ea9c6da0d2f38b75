// 岗位匹配: vacancies the matcher suggests for the person, best first, each with its reasons.
//
// The person's 求职登记 (from the records backend) says what they want; without one the server asks
// for a statement (`needs_statement`) and the citizen gives it in three taps (match-statement.js),
// kept in this screen's params only and sent as query parameters. 修改条件 goes back to the taps.
// The steps, the chosen values and the page are kept in the params, so a language or elder-mode
// switch draws the same step or page again.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";
import { matchesPrint } from "../match-print.js";
import { profileOf, profileSummary } from "../match-profile.js";
import { matchList } from "../match-row.js";
import { STEPS, choicesOf, statementQuery, statementStep } from "../match-statement.js";
import { pager } from "../pager.js";

export const MATCH_ROWS = 5;
export const ELDER_MATCH_ROWS = 3;
// 打印列表 prints the ten best.
export const PRINTED_MATCHES = 10;

export function matchesScreen(ctx, params) {
  const { t } = ctx;
  const rows = ctx.elder ? ELDER_MATCH_ROWS : MATCH_ROWS;
  const state = {
    page: params.page || 1,
    statement: params.statement || null, // {family, district, pay_min}: the three taps, in memory only
    step: STEPS.includes(params.step) ? params.step : null, // a tap step on screen, or null for the list
    chosen: params.chosen || {}, // the taps so far
  };
  let choices = choicesOf(null);
  let latest = 0;
  let printing = null;
  const node = h("section", { class: "kscreen kmatches" }, h("p", { class: "kloading", role: "status" }, t("matches.loading")));
  const view = {
    node, title: t("matches.title"), personal: true,
    dispose: () => printing && printing.dispose(),
  };
  const remember = () => ctx.remember({ ...state });
  // The ids of the pages shown, to print the best without asking for page 1 again (the server counts
  // a first page as matches shown, in the hall's statistics).
  const seen = new Map();
  const ask = (page, perPage) => ctx.personalGet("/session/matches",
                                                 { page, per_page: perPage, ...statementQuery(state.statement) });

  /** The ids of the `count` best matches, from the pages shown and, for the rest, asked page by page. */
  async function bestIds(count) {
    const ids = [];
    for (let page = 1; ids.length < count && page <= Math.ceil(count / rows); page += 1) {
      if (!seen.has(page)) {
        const answer = await ask(page, rows);
        seen.set(page, (Array.isArray(answer.items) ? answer.items : []).map((item) => item.id));
      }
      ids.push(...seen.get(page));
    }
    return ids.slice(0, count);
  }

  function taps(step) {
    state.step = step;
    remember();
    node.dataset.step = step;
    node.replaceChildren(statementStep(ctx, {
      choices, step, chosen: state.chosen,
      onPick: (value) => {
        const key = step === "family" ? "family" : step === "district" ? "district" : "pay_min";
        state.chosen = { ...state.chosen, [key]: value };
        const next = STEPS[STEPS.indexOf(step) + 1];
        if (next) {
          taps(next);
          return;
        }
        state.statement = { family: state.chosen.family, district: state.chosen.district || "",
                            pay_min: state.chosen.pay_min || null };
        state.step = null;
        state.page = 1;
        seen.clear(); // another statement, other matches
        refresh();
      },
      onBack: () => taps(STEPS[Math.max(0, STEPS.indexOf(step) - 1)]),
    }));
  }

  function changeButton(key) {
    const button = h("button", { type: "button", class: "kbtn kprofile__change", data: { action: "change-statement" } },
      icon("filter"), t(key));
    button.addEventListener("click", () => {
      state.chosen = state.statement ? { ...state.statement } : {};
      taps("family");
    });
    return button;
  }

  function list(data) {
    const profile = profileOf(data.profile);
    const items = Array.isArray(data.items) ? data.items : [];
    const total = Number(data.total) || 0;
    const pages = Math.max(1, Math.ceil(total / rows));
    if (state.page > pages) {
      state.page = pages;
      refresh();
      return;
    }
    const action = profile.source === "registration" ? null
      : changeButton(profile.source === "stated" ? "matches.change" : "matches.choose");
    seen.set(state.page, items.map((item) => item.id));
    if (printing) printing.dispose();
    printing = total ? matchesPrint(ctx, () => bestIds(Math.min(total, PRINTED_MATCHES))) : null;
    node.dataset.step = "list";
    node.replaceChildren(
      profileSummary(ctx, profile, { choices, action }),
      h("p", { class: "kcount-line", role: "status" }, t(total ? "matches.count" : "matches.count.none", { count: total })),
      h("div", { class: "klist" }, matchList(ctx, items, (item) =>
        ctx.go("job", { id: item.id, vacancy: item, match: item.match || {}, statement: state.statement }))),
      h("div", { class: "kpager-slot" }, pager(t, { page: state.page, pages, onPage: (n) => {
        state.page = n;
        refresh();
      } })),
      h("div", { class: "kmatches__foot" }, printing ? printing.node : null,
        h("p", { class: "kmatches__note" }, t("matches.note"))));
  }

  async function refresh() {
    remember();
    const mine = ++latest;
    const data = await ask(state.page, rows);
    if (mine !== latest) return;
    choices = choicesOf(data.choices);
    if (state.step) taps(state.step); // drawn again (language, elder mode) in the middle of the taps
    else if (data.needs_statement && !state.statement) taps("family");
    else list(data);
  }

  refresh();
  return view;
}
