/** The mutation-testing lab, run for real; assertions are on measured coverage and the mutants' fates. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('mutation-testing lab', () => {
  it('finds surviving mutants behind 100% line coverage, and one boundary test kills them', async () => {
    const { obs, cap } = await run('mutation-testing', 1);
    expect(obs).toMatchObject({ tests: 8, passed: 8, coveragePct: 100, linesHit: 12, statementLines: 12 });
    expect(obs.byOperator).toEqual({ negate: 4, constant: 11, remove: 6, boundary: 2, logical: 1 });
    expect(obs.mutants).toBe(24);
    expect(obs.killed).toBe(22);
    // Both survivors sit on the free-shipping threshold that no test hits exactly.
    expect(obs.survived).toEqual([
      { id: 14, line: 12, operator: 'boundary', change: '>= → >' },
      { id: 15, line: 12, operator: 'constant', change: '50 → 51' },
    ]);
    expect(obs.after).toEqual({ tests: 9, coveragePct: 100, killed: 24, survived: 0, score: 100, originalPasses: true });
    expect(cap.events.some((e) => e.type === 'code' && e.text.includes('+   if (order.subtotal > 50 && !order.express) {'))).toBe(true);
  });

  it('is deterministic: the same mutants and verdicts every run', async () => {
    const a = await run('mutation-testing', 5);
    const b = await run('mutation-testing', 6);
    expect(a.obs).toEqual(b.obs);
  });
});
