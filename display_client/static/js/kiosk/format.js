// Numbers and dates as the kiosk shows them, through the catalogue's templates.

/** "12,345.67" from 1234567 fen; integer arithmetic, never floats. */
export function yuanText(fen) {
  const value = Number(fen);
  if (!Number.isFinite(value)) return "";
  const negative = value < 0;
  const abs = Math.abs(Math.trunc(value));
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = String(abs % 100).padStart(2, "0");
  return `${negative ? "-" : ""}${whole}.${cents}`;
}

/** The amount in fen as a sentence of the catalogue ("1,234.56 元"); "" when it is missing. */
export function money(t, fen) {
  if (fen === null || fen === undefined || !Number.isFinite(Number(fen))) return t("value.none");
  return t("money.yuan", { amount: yuanText(fen) });
}

/** "2024-03" → the catalogue's month label ("2024年3月"). */
export function monthLabel(t, month) {
  const match = /^(\d{4})-(\d{2})$/.exec(String(month || ""));
  if (!match) return String(month || "");
  return t("date.month", { year: match[1], month: String(Number(match[2])) });
}

/** "2024-03-05" (or an ISO date-time) → the catalogue's date label. */
export function dateLabel(t, iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
  if (!match) return t("value.none");
  return t("date.day", { year: match[1], month: String(Number(match[2])), day: String(Number(match[3])) });
}

/**
 * "HH:MM" of an ISO date-time on the hall's clock (`timeZone`, from welcome), never the browser's: a
 * kiosk whose system zone is wrong still says the time the citizen sees on the hall's walls.
 */
export function timeLabel(iso, timeZone = "Asia/Shanghai") {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  let format;
  try {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  } catch {
    // A zone this browser does not know: the default hall zone rather than no time at all.
    format = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  return `${parts.hour}:${parts.minute}`;
}

/** The salary of a vacancy per month, from its numbers. */
export function salaryLabel(t, vacancy) {
  const min = Number(vacancy.salary_min) || 0;
  const max = Number(vacancy.salary_max) || 0;
  if (min && max && max !== min) return t("salary.range", { min, max });
  if (min || max) return t("salary.from", { min: min || max });
  return t("salary.none");
}
