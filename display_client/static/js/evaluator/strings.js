// The evaluator tablet's words, Chinese first, English second (?lang=en). Level and reason codes are
// the server's (content/queue/evaluations.py: Level, REASONS).

export const STRINGS = {
  "zh-CN": {
    title: "服务评价",
    "idle.invite": "请对我的服务进行评价",
    "idle.after": "办结业务后，请在此屏幕点选您的评价",
    "idle.unbound": "本评价器尚未绑定窗口",
    "staff.label": "工作人员",
    "staff.none": "工作人员未登录",
    "ask.title": "请您对本次服务进行评价",
    "ask.ticket": "票号",
    "ask.service": "业务类型",
    "ask.staff": "办理人员",
    "ask.countdown": "{seconds} 秒后自动结束",
    "level.5": "非常满意",
    "level.4": "满意",
    "level.3": "基本满意",
    "level.2": "不满意",
    "level.1": "非常不满意",
    "reasons.title": "请选择不满意的原因（可多选）",
    "reasons.back": "返回",
    "reasons.confirm": "提交评价",
    "reasons.need": "请至少选择一项原因",
    "reason.long_wait": "等候时间长",
    "reason.attitude": "服务态度差",
    "reason.unskilled": "业务不熟练",
    "reason.result": "办理结果不满意",
    "reason.unclear_materials": "材料要求不清楚",
    "reason.other": "其他",
    "thanks.title": "感谢您的评价",
    "thanks.sub": "我们将不断改进服务",
    "over.title": "本次评价已结束",
    "conn.offline": "网络连接中断",
  },
  en: {
    title: "Rate our service",
    "idle.invite": "Please rate my service",
    "idle.after": "When your business is done, tap your rating on this screen",
    "idle.unbound": "This evaluator is not bound to a counter yet",
    "staff.label": "Staff",
    "staff.none": "No staff signed in",
    "ask.title": "How was our service today?",
    "ask.ticket": "Ticket",
    "ask.service": "Service",
    "ask.staff": "Served by",
    "ask.countdown": "Ends in {seconds} s",
    "level.5": "Very satisfied",
    "level.4": "Satisfied",
    "level.3": "Fairly satisfied",
    "level.2": "Dissatisfied",
    "level.1": "Very dissatisfied",
    "reasons.title": "What went wrong? (choose any)",
    "reasons.back": "Back",
    "reasons.confirm": "Submit",
    "reasons.need": "Please choose at least one reason",
    "reason.long_wait": "Long wait",
    "reason.attitude": "Unfriendly staff",
    "reason.unskilled": "Staff unfamiliar with the business",
    "reason.result": "Unhappy with the outcome",
    "reason.unclear_materials": "Unclear document requirements",
    "reason.other": "Other",
    "thanks.title": "Thank you for your rating",
    "thanks.sub": "We keep improving our service",
    "over.title": "This rating has ended",
    "conn.offline": "Offline",
  },
};

/** A translator for `lang`: t(key, params) with {name} placeholders; a key missing in English falls back to Chinese. */
export function translator(lang) {
  const table = STRINGS[lang] || STRINGS["zh-CN"];
  return (key, params = {}) => {
    const template = table[key] ?? STRINGS["zh-CN"][key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
  };
}
