/**
 * The ts-fsrs adapter: the only place that knows ts-fsrs's Card shape. Cards go in and out as StoredCard
 * (ISO strings, no deprecated fields); fuzz is on, as in Anki (ts-fsrs seeds it from the card, so it is
 * reproducible).
 */
import { computeDecayFactor, createEmptyCard, default_w, fsrs, generatorParameters, TypeConvert, type Card, type FSRS, type StepUnit } from 'ts-fsrs';
import type { Grade, ReviewRecord, SchedulerSettings, StoredCard } from './types.js';

export interface Scheduler {
  /** The card after answering `rating` at `at`; `undefined` means a card never seen. */
  next(card: StoredCard | undefined, rating: Grade, at: Date): StoredCard;
  /** What each of the four ratings would do now, for "next review in …" hints. */
  preview(card: StoredCard | undefined, at: Date): Record<Grade, StoredCard>;
  /** Probability of recall now (0 for a new card). */
  retrievability(card: StoredCard, now: Date): number;
  /** A card's state from its reviews alone: used to amend an answer and to merge two sessions' logs. */
  replay(reviews: readonly Pick<ReviewRecord, 'rating' | 'at'>[]): StoredCard | undefined;
}

function toStored(card: Card): StoredCard {
  const out: StoredCard = {
    due: card.due.toISOString(),
    stability: card.stability,
    difficulty: card.difficulty,
    scheduled_days: card.scheduled_days,
    learning_steps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state as StoredCard['state'],
  };
  return card.last_review ? { ...out, last_review: card.last_review.toISOString() } : out;
}

function revive(card: StoredCard): Card {
  return TypeConvert.card({ ...card, elapsed_days: 0 });
}

export function createScheduler(settings: SchedulerSettings): Scheduler {
  const f: FSRS = fsrs(
    generatorParameters({
      request_retention: settings.desiredRetention,
      maximum_interval: settings.maximumIntervalDays,
      enable_fuzz: true,
      learning_steps: settings.learningSteps as StepUnit[],
      relearning_steps: settings.relearningSteps as StepUnit[],
      ...(settings.weights ? { w: [...settings.weights] } : {}),
    }),
  );
  const current = (card: StoredCard | undefined, at: Date): Card => (card ? revive(card) : createEmptyCard(at));
  const { decay, factor } = computeDecayFactor(f.parameters.w);
  const next = (card: StoredCard | undefined, rating: Grade, at: Date): StoredCard => toStored(f.next(current(card, at), at, rating).card);
  return {
    next,
    preview(card, at) {
      const p = f.repeat(current(card, at), at);
      return { 1: toStored(p[1].card), 2: toStored(p[2].card), 3: toStored(p[3].card), 4: toStored(p[4].card) };
    },
    retrievability(card, now) {
      if (card.state === 0 || !card.last_review) return 0;
      // FSRS's forgetting curve straight from the stored fields (no Card revival): cheap enough for 50,000 cards.
      const elapsedDays = Math.max(0, (now.getTime() - Date.parse(card.last_review)) / 86_400_000);
      return Math.pow(1 + (factor * elapsedDays) / card.stability, decay);
    },
    replay(reviews) {
      let card: StoredCard | undefined;
      for (const r of [...reviews].sort((a, b) => a.at.localeCompare(b.at))) card = next(card, r.rating, new Date(r.at));
      return card;
    },
  };
}

/** The parameters a scheduler for these settings uses: the learner's fitted ones, or FSRS's defaults. */
export const weightsOf = (settings: SchedulerSettings): readonly number[] => settings.weights ?? default_w;
