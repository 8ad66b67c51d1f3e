// Numbers, rates and times as every screen shows them: the browser's locale and time zone.
const count = new Intl.NumberFormat(undefined);
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A whole number with the locale's grouping. */
export function formatCount(n: number): string {
  return count.format(n);
}

/** `part` as a share of `whole`, or an en dash when there is no whole to divide by. */
export function formatRate(part: number, whole: number): string {
  return whole > 0 ? percent.format(part / whole) : '–';
}

/** A day from an ISO time, e.g. "7 Dec 2026"; `fallback` when there is none. */
export function formatDate(iso: string | null | undefined, fallback = ''): string {
  return iso ? date.format(new Date(iso)) : fallback;
}

/** An ISO time as a local day and time, e.g. "7 Dec 2026, 14:05"; `fallback` when there is none. */
export function formatTime(iso: string | null | undefined, fallback = ''): string {
  return iso ? dateTime.format(new Date(iso)) : fallback;
}
