/** Derived numbers for progress, home and session limits. Pure: cards, reviews and `now` come in. */
import type { DayStats, StoredCard } from './types.js';

/** A card is mature once FSRS expects it to survive three weeks. */
export const MASTERY_STABILITY_DAYS = 21;

export function isDue(card: StoredCard, now: Date): boolean {
  return card.state !== 0 && Date.parse(card.due) <= now.getTime();
}

/** Local calendar day, `YYYY-MM-DD`: streaks and daily limits follow the learner's clock. */
export function dayKey(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function previousDay(d: Date): Date {
  const x = new Date(d);
  x.setDate(x.getDate() - 1);
  return x;
}

/** Consecutive days with at least one review, ending today, or yesterday if today has none yet. */
export function currentStreak(days: Readonly<Record<string, DayStats>>, now: Date): number {
  const active = (d: Date) => (days[dayKey(d)]?.n ?? 0) > 0;
  let d = active(now) ? now : previousDay(now);
  let n = 0;
  while (active(d)) {
    n++;
    d = previousDay(d);
  }
  return n;
}

/** New cards introduced and review cards answered today: what the daily limits count. */
export function todayCounts(days: Readonly<Record<string, DayStats>>, now: Date): { newCards: number; reviews: number } {
  const d = days[dayKey(now)];
  return { newCards: d?.new ?? 0, reviews: d?.rev ?? 0 };
}

export function totalAnswers(days: Readonly<Record<string, DayStats>>): number {
  let n = 0;
  for (const d of Object.values(days)) n += d.n;
  return n;
}

export interface TopicStats {
  readonly id: string;
  readonly total: number;
  readonly seen: number;
  readonly due: number;
  /** Share of the topic's questions whose card is mature (0..1). */
  readonly mastery: number;
}

export function topicStats(id: string, cardIds: readonly string[], cards: Readonly<Record<string, StoredCard>>, now: Date): TopicStats {
  let seen = 0;
  let due = 0;
  let mature = 0;
  for (const cid of cardIds) {
    const c = cards[cid];
    if (!c || c.state === 0) continue;
    seen++;
    if (isDue(c, now)) due++;
    if (c.stability >= MASTERY_STABILITY_DAYS) mature++;
  }
  return { id, total: cardIds.length, seen, due, mastery: cardIds.length ? mature / cardIds.length : 0 };
}
