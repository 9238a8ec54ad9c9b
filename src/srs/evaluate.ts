/**
 * How well a set of FSRS parameters predicts a learner's history: replay each card's reviews through FSRS's
 * memory model and score the predicted recall of every review made a day or more after the previous one.
 * Pure, and independent of the optimizer, so default and fitted parameters are judged by the same yardstick.
 */
import { fsrs, generatorParameters, type FSRSState } from 'ts-fsrs';
import type { Evaluation, TrainingCard } from './optimizer.js';

/** Predicted recall is binned this finely for calibration. */
const BINS = 20;
const EPS = 1e-4;

export function evaluateWeights(weights: readonly number[], cards: readonly TrainingCard[]): Evaluation {
  const f = fsrs(generatorParameters({ w: [...weights], enable_short_term: true }));
  let n = 0;
  let loss = 0;
  const binN = new Array<number>(BINS).fill(0);
  const binP = new Array<number>(BINS).fill(0);
  const binY = new Array<number>(BINS).fill(0);
  for (const card of cards) {
    let memory: FSRSState | null = null;
    for (const r of card) {
      if (memory && r.deltaT > 0) {
        const p = Math.min(1 - EPS, Math.max(EPS, f.forgetting_curve(r.deltaT, memory.stability)));
        const y = r.rating > 1 ? 1 : 0;
        loss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
        const b = Math.min(BINS - 1, Math.floor(p * BINS));
        binN[b]!++;
        binP[b]! += p;
        binY[b]! += y;
        n++;
      }
      memory = f.next_state(memory, r.deltaT, r.rating);
    }
  }
  let sq = 0;
  for (let b = 0; b < BINS; b++) if (binN[b]) sq += binN[b]! * (binP[b]! / binN[b]! - binY[b]! / binN[b]!) ** 2;
  return { logLoss: n ? loss / n : 0, rmseBins: n ? Math.sqrt(sq / n) : 0 };
}
