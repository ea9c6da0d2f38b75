// The one catalogue of every string the wall shows, Chinese first, with named placeholders.
//
// Strings are whole templates ("第 {page}/{pages} 页"), never glued together from fragments,
// so a translator sees the full sentence and may reorder the placeholders.

const CATALOGUE = {
  "zh-CN": {
    "document.title": "信息发布屏",
    "hall.fallback": "人力资源和社会保障服务大厅",
    "idle.welcome": "欢迎光临",
    "clock.date": "{date} {weekday}",
    "vacancies.title": "招聘岗位",
    "vacancies.col.title": "岗位名称",
    "vacancies.col.employer": "用人单位",
    "vacancies.col.headcount": "人数",
    "vacancies.col.salary": "薪资",
    "vacancies.col.education": "学历",
    "vacancies.col.district": "区域",
    "vacancies.headcount": "{count}人",
    "vacancies.salary.none": "面议",
    "vacancies.led": "{title}　{salary}　招{count}人",
    "training.title": "职业技能培训",
    "training.col.title": "培训课程 / 培训机构",
    "training.col.dates": "培训时间",
    "training.col.places": "剩余名额",
    "training.col.subsidy": "补贴政策",
    "training.col.fee": "费用",
    "training.day": "{month}月{day}日",
    "training.dates": "{from}–{to}",
    "training.places": "余{count}人",
    "training.full": "已满",
    "training.fee": "{yuan}元",
    "training.free": "免费",
    "training.subsidy.groups": "{groups}可享补贴",
    "training.joiner": "、",
    "training.led": "{title}　{dates}　{places}　{fee}",
    "market.title.demand": "{area}人力资源市场供求情况",
    "market.title.pay": "{area}招聘岗位月薪范围",
    "market.title.trend": "{area}求人倍率走势",
    "market.quarter": "{year}年第{q}季度",
    "market.quarter.short": "{year}Q{q}",
    "market.period": "{from}至{to}",
    "market.demand": "岗位需求人数",
    "market.seekers": "求职人数",
    "market.ratio": "求人倍率",
    "market.pay.unit": "月薪中位数（元）",
    "market.pay.range": "{low}–{high}",
    "market.pay.none": "面议",
    "market.balance": "供求平衡线 1.00",
    "market.empty": "暂无数据",
    "market.group.1": "单位负责人",
    "market.group.2": "专业技术人员",
    "market.group.3": "办事人员",
    "market.group.4": "生产生活服务",
    "market.group.5": "农林牧渔业",
    "market.group.6": "生产制造",
    "market.group.7": "军人",
    "market.group.8": "其他从业人员",
    "pager": "第 {page}/{pages} 页",
    "webpage.unavailable": "无法显示此网页",
    "webpage.scan": "请用手机扫码查看",
    "webpage.qr_label": "网页地址二维码",
    "feed.title": "信息源",
    "feed.date": "{month}月{day}日",
    "feed.empty": "暂无内容",
    "feed.line": "{title}：{entries}",
    "feed.line.dated": "{title}（{date}）",
    "feed.line.separator": "　·　",
    "fair.kicker": "招聘会",
    "fair.countdown.days": "距开幕还有 {days} 天",
    "fair.countdown.hours": "距开幕还有 {hours} 小时",
    "fair.today": "今日招聘会",
    "fair.running": "正在进行，欢迎入场",
    "fair.over": "已结束",
    "fair.when": "时间",
    "fair.where": "地点",
    "fair.online": "线上招聘会",
    "fair.employers": "参会单位",
    "fair.employers.count": "{count} 家",
    "fair.hours": "{from}–{to}",
    "fair.today.title": "今日招聘会 · {title}",
    "fair.col.booth": "展位",
    "fair.col.employer": "参会单位 / 招聘岗位",
    "fair.col.positions": "岗位数",
    "fair.positions": "{count}个",
    "fair.joiner": "、",
    "fair.map": "展位图 · {title}",
    "fair.map.alt": "{title}的展位图",
    "fair.led.cover": "{title}　{countdown}",
    "fair.led.booth": "{booth}　{employer}　{count}个岗位",
    "fair.badge": "招聘会 · {booth}",
    "notice.office": "发布单位：{office}",
    "notice.effective": "生效日期：{date}",
    "notice.led": "{title}：{body}",
    "guide.conditions": "申办条件",
    "guide.materials": "申请材料",
    "guide.material": "{copies}份",
    "guide.material.original": "原件＋{copies}份复印件",
    "guide.material.original_only": "原件",
    "guide.steps": "办理流程",
    "guide.time_limit": "办理时限",
    "guide.fee": "收费标准",
    "guide.location": "办理地点",
    "guide.where": "{location} {counter}",
    "guide.hours": "办理时间",
    "guide.phone": "咨询电话",
    "guide.qr": "扫码网上办理",
    "guide.led.time_limit": "办理时限：{value}",
    "guide.led.where": "办理地点：{value}",
    "guide.led.step": "第{n}步：{step}",
    "emergency.critical": "紧急",
    "emergency.warning": "警告",
    "emergency.info": "提示",
    "emergency.also": "同时生效：",
    "emergency.line": "{title}：{body}",
    "emergency.line.title": "{title}",
    "connection.online": "已连接服务器",
    "connection.connecting": "正在连接服务器",
    "connection.offline": "未连接服务器，正按缓存内容播放",
    "queue.title": "叫号信息",
    "queue.call": "请{ticket}号到{counter}办理",
    "queue.call.recall": "重呼：请{ticket}号到{counter}办理",
    "queue.recall": "重呼",
    "queue.counter.number": "{number}号窗口",
    "queue.empty": "暂无叫号",
    "queue.lines": "等候情况",
    "queue.waiting": "等候 {count} 人",
    "queue.wait": "约 {minutes} 分钟",
    "queue.wait.range": "约 {low}–{high} 分钟",
    "queue.wait.none": "无需等候",
    "queue.stale": "排队信息暂未更新",
    "queue.recent": "已叫号",
    "queue.counters.col.counter": "窗口",
    "queue.counters.page": "（{page}/{pages}）",
    "queue.counters.col.status": "状态",
    "queue.counters.col.ticket": "当前号",
    "queue.counters.calling": "呼叫中",
    "queue.counters.serving": "办理中",
    "queue.counters.idle": "空闲",
    "queue.counters.paused": "暂停服务",
    "queue.counters.closed": "未开放",
    "queue.counters.none": "—",
    "queue.strip.called": "请{ticket}号",
    "queue.strip.serving": "正在办理 {ticket}",
    "queue.strip.idle": "欢迎光临",
    "queue.strip.paused": "暂停服务",
    "queue.strip.paused.reason": "暂停服务 · {reason}",
  },
  en: {
    "document.title": "Information display",
    "hall.fallback": "Human Resources and Social Security Service Hall",
    "idle.welcome": "Welcome",
    "clock.date": "{weekday}, {date}",
    "vacancies.title": "Job vacancies",
    "vacancies.col.title": "Position",
    "vacancies.col.employer": "Employer",
    "vacancies.col.headcount": "Openings",
    "vacancies.col.salary": "Salary",
    "vacancies.col.education": "Education",
    "vacancies.col.district": "District",
    "vacancies.headcount": "{count}",
    "vacancies.salary.none": "Negotiable",
    "vacancies.led": "{title} · {salary} · {count} openings",
    "training.title": "Skills training",
    "training.col.title": "Course / provider",
    "training.col.dates": "Dates",
    "training.col.places": "Places left",
    "training.col.subsidy": "Subsidy",
    "training.col.fee": "Fee",
    "training.day": "{month}/{day}",
    "training.dates": "{from} – {to}",
    "training.places": "{count} left",
    "training.full": "Full",
    "training.fee": "¥{yuan}",
    "training.free": "Free",
    "training.subsidy.groups": "Subsidised for: {groups}",
    "training.joiner": ", ",
    "training.led": "{title} · {dates} · {places} · {fee}",
    "market.title.demand": "Jobs and job seekers, {area}",
    "market.title.pay": "Monthly pay offered, {area}",
    "market.title.trend": "Jobs per seeker over time, {area}",
    "market.quarter": "Q{q} {year}",
    "market.quarter.short": "{year}Q{q}",
    "market.period": "{from} to {to}",
    "market.demand": "Jobs offered",
    "market.seekers": "Job seekers",
    "market.ratio": "Jobs per seeker",
    "market.pay.unit": "Median monthly pay (yuan)",
    "market.pay.range": "{low}–{high}",
    "market.pay.none": "Negotiable",
    "market.balance": "Balance 1.00",
    "market.empty": "No data yet",
    "market.group.1": "Managers",
    "market.group.2": "Professionals",
    "market.group.3": "Clerical staff",
    "market.group.4": "Service workers",
    "market.group.5": "Farming, fishery",
    "market.group.6": "Production",
    "market.group.7": "Armed forces",
    "market.group.8": "Other workers",
    "pager": "Page {page} of {pages}",
    "webpage.unavailable": "This web page cannot be shown here",
    "webpage.scan": "Scan the code to open it on your phone",
    "webpage.qr_label": "QR code of the web page's address",
    "feed.title": "News feed",
    "feed.date": "{month}/{day}",
    "feed.empty": "Nothing to show yet",
    "feed.line": "{title}: {entries}",
    "feed.line.dated": "{title} ({date})",
    "feed.line.separator": "  ·  ",
    "fair.kicker": "Job fair",
    "fair.countdown.days": "Opens in {days} days",
    "fair.countdown.hours": "Opens in {hours} hours",
    "fair.today": "Job fair today",
    "fair.running": "On now, come in",
    "fair.over": "Over",
    "fair.when": "When",
    "fair.where": "Where",
    "fair.online": "Online fair",
    "fair.employers": "Employers",
    "fair.employers.count": "{count}",
    "fair.hours": "{from} – {to}",
    "fair.today.title": "Job fair today · {title}",
    "fair.col.booth": "Booth",
    "fair.col.employer": "Employer / positions",
    "fair.col.positions": "Positions",
    "fair.positions": "{count}",
    "fair.joiner": ", ",
    "fair.map": "Booth map · {title}",
    "fair.map.alt": "Booth map of {title}",
    "fair.led.cover": "{title} · {countdown}",
    "fair.led.booth": "{booth} · {employer} · {count} positions",
    "fair.badge": "Job fair · {booth}",
    "notice.office": "Issued by {office}",
    "notice.effective": "Effective {date}",
    "notice.led": "{title}: {body}",
    "guide.conditions": "Who can apply",
    "guide.materials": "What to bring",
    "guide.material": "{copies} cop(ies)",
    "guide.material.original": "original + {copies} cop(ies)",
    "guide.material.original_only": "original",
    "guide.steps": "Steps",
    "guide.time_limit": "Time limit",
    "guide.fee": "Fee",
    "guide.location": "Where",
    "guide.where": "{location}, {counter}",
    "guide.hours": "Hours",
    "guide.phone": "Enquiries",
    "guide.qr": "Scan to apply online",
    "guide.led.time_limit": "Time limit: {value}",
    "guide.led.where": "Where: {value}",
    "guide.led.step": "Step {n}: {step}",
    "emergency.critical": "EMERGENCY",
    "emergency.warning": "WARNING",
    "emergency.info": "NOTICE",
    "emergency.also": "Also in effect:",
    "emergency.line": "{title}: {body}",
    "emergency.line.title": "{title}",
    "connection.online": "Connected to the server",
    "connection.connecting": "Connecting to the server",
    "connection.offline": "Not connected; playing cached content",
    "queue.title": "Now calling",
    "queue.call": "Ticket {ticket}, please go to {counter}",
    "queue.call.recall": "Recall: ticket {ticket}, please go to {counter}",
    "queue.recall": "RECALL",
    "queue.counter.number": "Counter {number}",
    "queue.empty": "No tickets called yet",
    "queue.lines": "Waiting",
    "queue.waiting": "{count} waiting",
    "queue.wait": "about {minutes} min",
    "queue.wait.range": "about {low}–{high} min",
    "queue.wait.none": "No wait",
    "queue.stale": "Queue information may be out of date",
    "queue.recent": "Called before",
    "queue.counters.col.counter": "Counter",
    "queue.counters.page": " ({page}/{pages})",
    "queue.counters.col.status": "Status",
    "queue.counters.col.ticket": "Ticket",
    "queue.counters.calling": "Calling",
    "queue.counters.serving": "Serving",
    "queue.counters.idle": "Free",
    "queue.counters.paused": "Paused",
    "queue.counters.closed": "Not open",
    "queue.counters.none": "—",
    "queue.strip.called": "Ticket {ticket}, please come",
    "queue.strip.serving": "Now serving {ticket}",
    "queue.strip.idle": "Welcome",
    "queue.strip.paused": "Closed",
    "queue.strip.paused.reason": "Closed · {reason}",
  },
};

export const DEFAULT_LANG = "zh-CN";

const PLACEHOLDER = /\{(\w+)\}/g;

/** The language of `catalogue` closest to `lang` ("zh-CN", "zh", "en-GB" …), Chinese when none fits. */
export function pickLang(lang, catalogue = CATALOGUE) {
  if (lang && catalogue[lang]) return lang;
  const base = String(lang || "").split("-")[0].toLowerCase();
  if (base === "zh") return "zh-CN";
  if (catalogue[base]) return base;
  return DEFAULT_LANG;
}

/**
 * Translator over `catalogue` ({lang: {key: template}}) bound to one language: t(key, params) and
 * parts(key, params). A key missing in that language falls back to Chinese; a key missing there throws.
 */
export function translator(catalogue, lang) {
  const code = pickLang(lang, catalogue);
  const strings = catalogue[code];
  const fallback = catalogue[DEFAULT_LANG];

  function template(key) {
    const found = strings[key] ?? fallback[key];
    if (found === undefined) throw new Error(`i18n: no string "${key}"`);
    return found;
  }

  /** The string for `key` with every {name} replaced by params[name]. */
  function t(key, params = {}) {
    return template(key).replace(PLACEHOLDER, (_, name) => (name in params ? String(params[name]) : ""));
  }

  /**
   * The template split into literal text and named placeholders, so a renderer can wrap one
   * placeholder in its own element (say the salary in a colour) without building the sentence itself.
   */
  function parts(key, params = {}) {
    const out = [];
    const text = template(key);
    let last = 0;
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match.index > last) out.push({ text: text.slice(last, match.index) });
      const name = match[1];
      out.push({ name, text: name in params ? String(params[name]) : "" });
      last = match.index + match[0].length;
    }
    if (last < text.length) out.push({ text: text.slice(last) });
    return out;
  }

  return { lang: code, t, parts };
}

/** Translator of the wall's catalogue bound to one language. */
export function createI18n(lang) {
  return translator(CATALOGUE, lang);
}

/** Every catalogue, for tests that check both languages define the same keys. */
export function catalogues() {
  return CATALOGUE;
}
