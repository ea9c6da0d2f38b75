// One job fair: when and where, the theme and organiser, the booth map if there is one, then every
// employer with its booth and its jobs; a job opens the job screen (the same detail as 岗位查询).

import { h } from "../../_dom.js";
import { icon } from "../icons.js";
import { fairHours, fairTheme } from "./fairs.js";

function boothCard(ctx, booth) {
  const { t } = ctx;
  const jobs = Array.isArray(booth.jobs) ? booth.jobs : [];
  const list = jobs.length
    ? h("ul", { class: "kfair__jobs" }, jobs.map((job) => {
      const button = h("button", { type: "button", class: "kfair__job", data: { id: job.id } },
        h("span", { class: "kfair__job-title" }, job.title || ""),
        h("span", { class: "kfair__job-salary" }, job.salary_text || ""),
        icon("next"));
      button.addEventListener("click", () => ctx.go("job", { id: job.id, vacancy: job }));
      return h("li", {}, button);
    }))
    : h("p", { class: "kfair__nojobs" }, t("fair.no_jobs"));
  return h("li", { class: "kfair__booth", data: { booth: booth.booth } },
    h("p", { class: "kfair__head" },
      h("span", { class: "kfair__number" }, t("fair.booth", { booth: booth.booth || "" })),
      h("span", { class: "kfair__employer" }, booth.employer || "")),
    list);
}

export function fairScreen(ctx, params) {
  const { t } = ctx;
  const node = h("section", { class: "kscreen kjob kfair" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  const show = (fair) => {
    const row = (key, value) => (value ? [h("dt", {}, t(key)), h("dd", {}, value)] : []);
    const booths = Array.isArray(fair.booths) ? fair.booths : [];
    const parts = [
      h("h2", { class: "kjob__title" }, fair.title || ""),
      h("p", { class: "kjob__salary" }, fairTheme(ctx, fair)),
      h("dl", { class: "kjob__facts" },
        row("fair.when", fairHours(ctx, fair)),
        row("fair.where", [fair.venue || t("fairs.online"), fair.address].filter(Boolean).join(" ")),
        row("fair.organiser", fair.organiser),
        row("fair.employers", t("fairs.employers", { count: booths.length }))),
      fair.booth_map
        ? h("figure", { class: "kfair__map" }, h("img", { src: fair.booth_map, alt: t("fair.map_alt") }),
          h("figcaption", {}, t("fair.map")))
        : null,
      h("h3", { class: "kfair__subtitle" }, t("fair.booths")),
      booths.length ? h("ul", { class: "kfair__booths" }, booths.map((b) => boothCard(ctx, b)))
        : h("p", { class: "kempty" }, icon("info"), t("fair.no_booths")),
    ];
    node.replaceChildren(...parts.filter(Boolean));
  };
  ctx.load((signal) => ctx.api.get(`/fairs/${encodeURIComponent(params.id)}`, { signal })).then(show);
  return { node, title: t("fairs.fair_title") };
}
