/**
 * What a desired retention costs this learner: reviews a day over the coming weeks, simulated card by card
 * with FSRS (each review recalled with the probability FSRS predicts at that moment). Pure: the scheduler
 * factory and the rng come in.
 */
import type { Scheduler } from './scheduler.js';
import type { StoredCard } from './types.js';

const DAY = 86_400_000;

export function reviewsPerDay(cards: readonly StoredCard[], scheduler: Scheduler, now: Date, rng: () => number, days = 30): number {
  const end = now.getTime() + days * DAY;
  let reviews = 0;
  for (const start of cards) {
    if (start.state === 0) continue;
    let card = start;
    let at = Math.max(now.getTime(), Date.parse(card.due));
    while (at < end) {
      reviews++;
      const recalled = rng() < scheduler.retrievability(card, new Date(at));
      card = scheduler.next(card, recalled ? 3 : 1, new Date(at));
      at = Math.max(at + 60_000, Date.parse(card.due));
    }
  }
  return reviews / days;
}
