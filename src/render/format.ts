/** Small formatting helpers shared by every screen. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "10 minutes", "3 hours", "4 days", "2.5 months", "1.2 years": how Anki words intervals. */
export function formatInterval(ms: number): string {
  if (ms < MINUTE) return 'less than a minute';
  if (ms < HOUR) return plural(Math.round(ms / MINUTE), 'minute');
  if (ms < DAY) return plural(Math.round(ms / HOUR), 'hour');
  const days = ms / DAY;
  if (days < 31) return plural(Math.round(days), 'day');
  if (days < 365) return `${(days / 30.44).toFixed(1).replace(/\.0$/, '')} months`;
  return `${(days / 365.25).toFixed(1).replace(/\.0$/, '')} years`;
}

/** Shorter form for key hints: "10m", "3h", "4d", "2.5mo", "1.2y". */
export function shortInterval(ms: number): string {
  if (ms < HOUR) return `${Math.max(1, Math.round(ms / MINUTE))}m`;
  if (ms < DAY) return `${Math.round(ms / HOUR)}h`;
  const days = ms / DAY;
  if (days < 31) return `${Math.round(days)}d`;
  if (days < 365) return `${(days / 30.44).toFixed(1).replace(/\.0$/, '')}mo`;
  return `${(days / 365.25).toFixed(1).replace(/\.0$/, '')}y`;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** A horizontal bar `width` cells wide, filled to `fraction`. */
export function bar(fraction: number, width: number, full: string, empty: string): string {
  const n = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return full.repeat(n) + empty.repeat(width - n);
}

/** 12,345: thousands separated as en-US does, without Intl (slow when called per row of a big table). */
export function thousands(n: number): string {
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US');
}

export function countNoun(n: number, noun: string, pluralForm = `${noun}s`): string {
  return `${thousands(n)} ${n === 1 ? noun : pluralForm}`;
}
