/** Changes to the review log and the card states derived from it. Pure: the caller persists. */
import type { Scheduler } from './scheduler.js';
import type { Grade, ReviewRecord, StoredCard } from './types.js';

export interface CardLog {
  cards: Record<string, StoredCard>;
  reviews: ReviewRecord[];
}

/** Append an answer and move its card on. Returns the card before and after. */
export function applyReview(log: CardLog, review: ReviewRecord, s: Scheduler): { before: StoredCard | undefined; after: StoredCard } {
  const before = log.cards[review.card];
  const after = s.next(before, review.rating, new Date(review.at));
  log.reviews.push(review);
  log.cards[review.card] = after;
  return { before, after };
}

/** Change an answer's rating and rebuild its card from the card's whole log (the log is the truth). */
export function amendReview(log: CardLog, reviewId: string, rating: Grade, s: Scheduler): StoredCard | undefined {
  let i = log.reviews.length - 1;
  while (i >= 0 && log.reviews[i]!.id !== reviewId) i--;
  if (i < 0) return undefined;
  const review = { ...log.reviews[i]!, rating };
  log.reviews[i] = review;
  const card = s.replay(log.reviews.filter((r) => r.card === review.card));
  if (card) log.cards[review.card] = card;
  return card;
}
