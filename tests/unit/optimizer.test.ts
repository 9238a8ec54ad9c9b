import { default_w } from 'ts-fsrs';
import { describe, expect, it } from 'vitest';
import { loadOptimizer } from '../../src/app/fsrs-optimizer.js';
import { evaluateWeights } from '../../src/srs/evaluate.js';
import { longTermReviews, optimize, trainingCards } from '../../src/srs/optimizer.js';
import type { LogRecord } from '../../src/srs/types.js';
import { simulatedLog } from '../helpers/simulated-learner.js';

const dayNumber = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000);

describe('the FSRS optimizer on a generated review log', () => {
  it('turns the log into per-card training sequences in whole days', () => {
    const records: LogRecord[] = [
      { id: 'a', card: 't/x', rating: 3, at: '2026-01-01T10:00:00Z' },
      { id: 'b', card: 't/x', rating: 1, at: '2026-01-01T10:10:00Z' },
      { id: 'c', card: 't/x', rating: 3, at: '2026-01-04T08:00:00Z' },
      { amend: 'c', card: 't/x', rating: 4, at: '2026-01-04T08:01:00Z' },
      { id: 'd', card: 't/y', rating: 3, at: '2026-01-02T10:00:00Z' },
      { undo: 'd', card: 't/y', at: '2026-01-02T10:00:05Z' },
    ];
    const cards = trainingCards(records, dayNumber);
    expect(cards).toEqual([
      [
        { rating: 3, deltaT: 0 },
        { rating: 1, deltaT: 0 },
        { rating: 4, deltaT: 3 },
      ],
    ]);
    expect(longTermReviews(cards)).toBe(1);
  });

  it('judges the parameters that generated a history better than the defaults', () => {
    const { records, truth } = simulatedLog(11, 200);
    const cards = trainingCards(records, dayNumber);
    const right = evaluateWeights(truth, cards);
    const wrong = evaluateWeights(default_w, cards);
    // Log loss is the proper score; calibration over 20 bins is too noisy on 200 cards to rank the two.
    expect(right.logLoss).toBeLessThan(wrong.logLoss);
  });

  it('fits parameters that predict the learner better than the defaults, and moves them towards the truth', async () => {
    const optimizer = await loadOptimizer();
    if ('error' in optimizer) throw new Error(`the optimizer must load on the test machine: ${optimizer.error}`);
    const { records, truth } = simulatedLog(7, 400);
    const cards = trainingCards(records, dayNumber);
    expect(longTermReviews(cards)).toBeGreaterThan(1000);
    const result = await optimize(cards, default_w, optimizer, evaluateWeights);
    expect(result.better).toBe(true);
    // Log loss has a floor (recall is random even when predicted perfectly): a percent is a real gain.
    expect(result.fitted.evaluation.logLoss).toBeLessThan(result.current.evaluation.logLoss * 0.99);
    expect(result.fitted.evaluation.rmseBins).toBeLessThan(result.current.evaluation.rmseBins);
    // The initial stability after Good (w[2]) was four times the default in truth: the fit moves well towards it.
    expect(result.fitted.weights[2]!).toBeGreaterThan(default_w[2]! * 2);
    expect(Math.abs(result.fitted.weights[2]! - truth[2]!)).toBeLessThan(Math.abs(default_w[2]! - truth[2]!));
  }, 120_000);
});
