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

/** "HH:MM" of an ISO date-time in the kiosk's own clock. */
export function timeLabel(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}

/** The salary of a vacancy per month, from its numbers. */
export function salaryLabel(t, vacancy) {
  const min = Number(vacancy.salary_min) || 0;
  const max = Number(vacancy.salary_max) || 0;
  if (min && max && max !== min) return t("salary.range", { min, max });
  if (min || max) return t("salary.from", { min: min || max });
  return t("salary.none");
}
