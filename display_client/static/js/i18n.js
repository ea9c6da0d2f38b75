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
    "pager": "第 {page}/{pages} 页",
    "notice.office": "发布单位：{office}",
    "notice.effective": "生效日期：{date}",
    "notice.led": "{title}：{body}",
    "emergency.critical": "紧急",
    "emergency.warning": "警示",
    "emergency.info": "通知",
    "emergency.also": "同时生效：",
    "connection.online": "已连接服务器",
    "connection.connecting": "正在连接服务器",
    "connection.offline": "未连接服务器，正按缓存内容播放",
    "session.identified": "已识别身份",
    "session.greeting": "{name}，您好",
    "session.id": "证件号码：{id}",
    "session.source.idcard": "读取方式：居民身份证",
    "session.source.ssc": "读取方式：社会保障卡",
    "session.source.ecard": "读取方式：电子社保卡",
    "session.hint.card": "取走卡片即可结束；{seconds} 秒内无操作将自动退出",
    "session.hint.ecard": "{seconds} 秒内无操作将自动退出",
    "session.refused": "未能识别",
    "session.error.invalid_identity": "证件信息无法识别，请重新放置证件",
    "session.error.unknown_person": "未查询到您的信息，请到人工窗口办理",
    "session.error.token_expired": "二维码已过期，请在手机上刷新后重新扫码",
    "session.error.token_invalid": "无法识别此二维码，请出示电子社保卡二维码",
    "session.error.backend_unavailable": "查询服务暂时不可用，请稍后再试或到人工窗口办理",
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
    "pager": "Page {page} of {pages}",
    "notice.office": "Issued by {office}",
    "notice.effective": "Effective {date}",
    "notice.led": "{title}: {body}",
    "emergency.critical": "EMERGENCY",
    "emergency.warning": "WARNING",
    "emergency.info": "NOTICE",
    "emergency.also": "Also in effect:",
    "connection.online": "Connected to the server",
    "connection.connecting": "Connecting to the server",
    "connection.offline": "Not connected; playing cached content",
    "session.identified": "Identified",
    "session.greeting": "Hello, {name}",
    "session.id": "ID number: {id}",
    "session.source.idcard": "Read from: resident ID card",
    "session.source.ssc": "Read from: social-security card",
    "session.source.ecard": "Read from: electronic social-security card",
    "session.hint.card": "Take your card to finish; the session ends after {seconds} s without use",
    "session.hint.ecard": "The session ends after {seconds} s without use",
    "session.refused": "Not recognised",
    "session.error.invalid_identity": "The card could not be read; please place it again",
    "session.error.unknown_person": "No records found; please ask at a service counter",
    "session.error.token_expired": "The QR code has expired; refresh it on your phone and scan again",
    "session.error.token_invalid": "This is not an electronic social-security card QR code",
    "session.error.backend_unavailable": "The lookup service is unavailable; please try later or ask at a counter",
  },
};

export const DEFAULT_LANG = "zh-CN";

const PLACEHOLDER = /\{(\w+)\}/g;

/** The catalogue language closest to `lang` ("zh-CN", "zh", "en-GB" …), Chinese when none fits. */
export function pickLang(lang) {
  if (lang && CATALOGUE[lang]) return lang;
  const base = String(lang || "").split("-")[0].toLowerCase();
  if (base === "zh") return "zh-CN";
  if (CATALOGUE[base]) return base;
  return DEFAULT_LANG;
}

/** Translator bound to one language: t(key, params) and parts(key, params). */
export function createI18n(lang) {
  const code = pickLang(lang);
  const strings = CATALOGUE[code];
  const fallback = CATALOGUE[DEFAULT_LANG];

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

/** Every catalogue, for tests that check both languages define the same keys. */
export function catalogues() {
  return CATALOGUE;
}
