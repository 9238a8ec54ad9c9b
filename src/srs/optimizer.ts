/**
 * Fitting FSRS to the learner: their review log turned into the training data FSRS's optimizer expects, and
 * the decision to keep fitted parameters only when they predict the learner's own history better. Pure: the
 * optimizer itself (a native module) is passed in.
 */
import { resolveAll } from './apply.js';
import type { Grade, LogRecord } from './types.js';

export interface TrainingReview {
  readonly rating: Grade;
  /** Whole days since the card's previous review (0 for the first, and for a review the same day). */
  readonly deltaT: number;
}

/** One card's reviews as FSRS trains on them. */
export type TrainingCard = readonly TrainingReview[];

/** FSRS's guidance: with fewer reviews than this, the defaults predict as well as anything fitted. */
export const MIN_TRAINING_REVIEWS = 400;

export function trainingCards(records: readonly LogRecord[], dayNumber: (iso: string) => number): TrainingCard[] {
  const out: TrainingCard[] = [];
  for (const reviews of resolveAll(records).values()) {
    let previous: number | undefined;
    out.push(
      reviews.map((r) => {
        const day = dayNumber(r.at);
        const deltaT = previous === undefined ? 0 : day - previous;
        previous = day;
        return { rating: r.rating, deltaT };
      }),
    );
  }
  return out;
}

/** Reviews FSRS learns long-term memory from: those a day or more after the card's previous review. */
export function longTermReviews(cards: readonly TrainingCard[]): number {
  let n = 0;
  for (const c of cards) for (const r of c) if (r.deltaT > 0) n++;
  return n;
}

export interface Evaluation {
  /** Mean log loss of the predicted recall against what happened: lower is better. */
  readonly logLoss: number;
  /** RMSE between predicted and actual recall over bins of similar predictions: calibration, lower is better. */
  readonly rmseBins: number;
}

export interface FsrsOptimizer {
  fit(cards: readonly TrainingCard[], progress?: (done: number, total: number) => void): Promise<number[]>;
}

export type Evaluate = (weights: readonly number[], cards: readonly TrainingCard[]) => Evaluation;

export interface OptimizeResult {
  readonly reviews: number;
  readonly current: { readonly weights: readonly number[]; readonly evaluation: Evaluation };
  readonly fitted: { readonly weights: readonly number[]; readonly evaluation: Evaluation };
  /** The fitted parameters predict this learner's history better (lower log loss) and should replace the current. */
  readonly better: boolean;
}

export async function optimize(
  cards: readonly TrainingCard[],
  current: readonly number[],
  optimizer: FsrsOptimizer,
  evaluate: Evaluate,
  progress?: (done: number, total: number) => void,
): Promise<OptimizeResult> {
  const fitted = await optimizer.fit(cards, progress);
  const before = evaluate(current, cards);
  const after = evaluate(fitted, cards);
  return {
    reviews: longTermReviews(cards),
    current: { weights: current, evaluation: before },
    fitted: { weights: fitted, evaluation: after },
    better: after.logLoss < before.logLoss,
  };
}
