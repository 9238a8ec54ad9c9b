/** The request-context lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('request-context lab', () => {
  it('keeps every id with AsyncLocalStorage, loses them with a global, and cancels downstream work', async () => {
    const { obs } = await run('request-context', 1, { requests: 30, pool: 3, timeoutMs: 100 });
    expect(obs.global.lines).toBe(150);
    expect(obs.global.wrong).toBeGreaterThan(0);
    // A handler logs "received" right after setting the variable: only later lines go wrong.
    expect(obs.global.wrongByPoint.received).toBe(0);
    expect(obs.global.repliesWithWrongId).toBeGreaterThan(0);
    expect(obs.als).toMatchObject({ lines: 150, wrong: 0, repliesWithWrongId: 0 });
    // An unbound pooled callback runs in another request's context; awaiting restores the right one.
    expect(obs.unboundPool.maxQueued).toBeGreaterThan(0);
    expect(obs.unboundPool.wrongByPoint['db callback']).toBeGreaterThan(0);
    expect(obs.unboundPool.wrong).toBe(obs.unboundPool.wrongByPoint['db callback']);
    // The deadline: 504 either way; only the propagated signal stops the downstream work.
    expect(obs.withoutSignal.statuses).toEqual([504, 504, 504, 504, 504]);
    expect(obs.withSignal.statuses).toEqual([504, 504, 504, 504, 504]);
    expect(obs.withoutSignal).toMatchObject({ completed: 5, sawClose: 0, unitsDone: 50 });
    expect(obs.withSignal).toMatchObject({ completed: 0, sawClose: 5, logMismatches: 0 });
    expect(obs.withSignal.unitsDone).toBeLessThan(obs.withSignal.unitsPlanned);
  });

  it('plans the same request delays for the same seed', async () => {
    const a = await run('request-context', 3, { requests: 6, pool: 2, timeoutMs: 60 });
    const b = await run('request-context', 3, { requests: 6, pool: 2, timeoutMs: 60 });
    expect(a.obs.plans).toEqual(b.obs.plans);
    expect(a.obs.als.wrong).toBe(0);
    expect(b.obs.als.wrong).toBe(0);
  });
});
