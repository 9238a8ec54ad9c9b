/** The numbers behind the progress screen: all derived from card states and per-day statistics, no log reads. */
import { dayKey } from './stats.js';
import type { DayStats, StoredCard } from './types.js';

type Days = Readonly<Record<string, DayStats>>;

const addDays = (d: Date, n: number) => {
  const x = new Date(d);
  x.setDate(x.getDate() + n);
  return x;
};

/** The longest run of consecutive days with at least one answer. */
export function longestStreak(days: Days): number {
  const keys = Object.keys(days)
    .filter((k) => days[k]!.n > 0)
    .sort();
  let best = 0;
  let run = 0;
  let prev: string | undefined;
  for (const k of keys) {
    const [y, m, d] = k.split('-').map(Number) as [number, number, number];
    run = prev !== undefined && dayKey(addDays(new Date(y, m - 1, d), -1)) === prev ? run + 1 : 1;
    best = Math.max(best, run);
    prev = k;
  }
  return best;
}

export interface HeatCell {
  readonly date: string;
  readonly reviews: number;
}

/**
 * `weeks` whole weeks ending with the current week, Monday first, as a contribution calendar shows them:
 * one array per week of seven days; days after today are absent.
 */
export function heatmap(days: Days, now: Date, weeks = 26): HeatCell[][] {
  const weekday = (now.getDay() + 6) % 7; // Monday 0 … Sunday 6
  const firstMonday = addDays(now, -weekday - 7 * (weeks - 1));
  const out: HeatCell[][] = [];
  for (let w = 0; w < weeks; w++) {
    const week: HeatCell[] = [];
    for (let d = 0; d < 7; d++) {
      const date = addDays(firstMonday, w * 7 + d);
      if (date > now && dayKey(date) !== dayKey(now)) break;
      const key = dayKey(date);
      week.push({ date: key, reviews: days[key]?.n ?? 0 });
    }
    out.push(week);
  }
  return out;
}

export interface ForecastDay {
  readonly date: string;
  readonly due: number;
}

/** Cards falling due on each of the next `n` days; today includes everything already overdue. */
export function forecast(cards: Readonly<Record<string, StoredCard>>, now: Date, n = 14): ForecastDay[] {
  const counts = new Array<number>(n).fill(0);
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  for (const c of Object.values(cards)) {
    if (c.state === 0) continue;
    const day = Math.floor((Date.parse(c.due) - start.getTime()) / 86_400_000);
    if (day < n) counts[Math.max(0, day)]!++;
  }
  return counts.map((due, i) => ({ date: dayKey(addDays(start, i)), due }));
}

export interface Retention {
  readonly reviews: number;
  readonly passed: number;
  /** passed / reviews, or null when there were none. */
  readonly rate: number | null;
}

/** Anki's true retention: the pass rate of reviews of young or mature cards over the last `window` days. */
export function trueRetention(days: Days, now: Date, bucket: 'young' | 'mature', window = 30): Retention {
  let reviews = 0;
  let passed = 0;
  for (let i = 0; i < window; i++) {
    const d = days[dayKey(addDays(now, -i))];
    if (!d) continue;
    reviews += d[bucket][0];
    passed += d[bucket][1];
  }
  return { reviews, passed, rate: reviews ? passed / reviews : null };
}

export function timeStudiedMs(days: Days): number {
  let ms = 0;
  for (const d of Object.values(days)) ms += d.ms;
  return ms;
}

/** Anki's leech threshold: a card forgotten this many times is worth a different approach, not more drilling. */
export const LEECH_LAPSES = 8;

export function leeches(cards: Readonly<Record<string, StoredCard>>): { cardId: string; lapses: number }[] {
  return Object.entries(cards)
    .filter(([, c]) => c.lapses >= LEECH_LAPSES)
    .map(([cardId, c]) => ({ cardId, lapses: c.lapses }))
    .sort((a, b) => b.lapses - a.lapses);
}
