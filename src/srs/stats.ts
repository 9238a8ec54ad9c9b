/** Derived numbers for progress, home and session limits. Pure: cards, reviews and `now` come in. */
import type { ReviewRecord, StoredCard } from './types.js';

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
export function currentStreak(reviews: readonly ReviewRecord[], now: Date): number {
  const days = new Set(reviews.map((r) => dayKey(new Date(r.at))));
  let d = days.has(dayKey(now)) ? now : previousDay(now);
  let n = 0;
  while (days.has(dayKey(d))) {
    n++;
    d = previousDay(d);
  }
  return n;
}

/** How many new cards were introduced today and how many reviews of older cards were done. */
export function todayCounts(reviews: readonly ReviewRecord[], now: Date): { newCards: number; reviews: number } {
  const today = dayKey(now);
  const firstSeen = new Map<string, string>();
  for (const r of reviews) {
    const seen = firstSeen.get(r.card);
    if (seen === undefined || r.at < seen) firstSeen.set(r.card, r.at);
  }
  let newCards = 0;
  let reviewCount = 0;
  for (const r of reviews) {
    if (dayKey(new Date(r.at)) !== today) continue;
    if (firstSeen.get(r.card) === r.at) newCards++;
    else if (dayKey(new Date(firstSeen.get(r.card)!)) !== today) reviewCount++;
  }
  return { newCards, reviews: reviewCount };
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
