/** The FSRS optimizer (fsrs-rs through @open-spaced-repetition/binding), loaded only by `optimize`. */
import type { FsrsOptimizer, TrainingCard } from '../srs/optimizer.js';

type Binding = typeof import('@open-spaced-repetition/binding');

/** The optimizer, or why it cannot be loaded on this machine (it is an optional, native dependency). */
export async function loadOptimizer(): Promise<FsrsOptimizer | { readonly error: string }> {
  let b: Binding;
  try {
    b = await import('@open-spaced-repetition/binding');
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0]! };
  }
  // FSRS trains on one item per review after a card's first: the review with every review before it.
  const items = (cards: readonly TrainingCard[]) =>
    cards.flatMap((card) => {
      const reviews = card.map((r) => new b.FSRSBindingReview(r.rating, r.deltaT));
      return reviews.slice(1).map((_, i) => new b.FSRSBindingItem(reviews.slice(0, i + 2)));
    });
  return {
    async fit(cards, progress) {
      return b.computeParameters(items(cards), { enableShortTerm: true, ...(progress ? { progress: (done: number, total: number) => void progress(done, total) } : {}) });
    },
  };
}
