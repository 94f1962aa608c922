/**
 * Wall-clock time in Vietnam (Asia/Ho_Chi_Minh, UTC+7 all year, no daylight saving), computed
 * explicitly so nothing depends on the process's TZ.
 */

/** UTC+7 in milliseconds. */
export const VN_OFFSET_MS = 7 * 60 * 60 * 1000;

/** Local (Asia/Ho_Chi_Minh) calendar fields of an instant. Month is 1–12. */
export interface VnDateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Calendar fields of `instant` as read on a clock in Asia/Ho_Chi_Minh. */
export function vnDateParts(instant: Date): VnDateParts {
  const d = new Date(instant.getTime() + VN_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}
