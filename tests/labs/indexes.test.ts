/** The indexes lab, run for real on SQLite; assertions are on the plans and counts it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('indexes lab', () => {
  it('scans without an index, sorts with user_id alone, and stops at the LIMIT with the composite index', async () => {
    const { obs } = await run('indexes', 3, { rows: 10_000, users: 100 });
    expect(obs.rows).toBe(10_000);
    expect(obs.sameResults).toBe(true);
    const stage = (k: string) => obs.stages.find((s: { index: string }) => s.index === k);
    const none = stage('none');
    const single = stage('single');
    const composite = stage('composite');
    expect(none.plan.join('\n')).toMatch(/^SCAN orders/m);
    expect(none.plan.join('\n')).toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    expect(single.plan.join('\n')).toMatch(/SEARCH orders USING INDEX idx_orders_user \(user_id=\?\)/);
    expect(single.plan.join('\n')).toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    expect(composite.plan).toEqual(['SEARCH orders USING INDEX idx_orders_user_created (user_id=?)']);
    // Rows the query loop visited, counted by SQLite: the whole table, the user's orders, the LIMIT.
    expect(none.examined).toBe(10_000);
    expect(single.examined).toBe(obs.userOrders);
    expect(single.examined).toBeGreaterThan(20);
    expect(composite.examined).toBe(20);
    for (const s of obs.stages) {
      expect(s.samePlan).toBe(true);
      expect(s.returned).toBe(20);
    }
    expect(composite.msPerQuery).toBeLessThan(none.msPerQuery);
    expect(single.msPerQuery).toBeLessThan(none.msPerQuery);
    expect(obs.prefixUsed).toBe(true);
  });

  it('is deterministic under --seed', async () => {
    const pick = (o: Record<string, any>) => ({ userId: o.userId, userOrders: o.userOrders, examined: o.stages.map((s: { examined: number }) => s.examined) });
    const a = await run('indexes', 11, { rows: 5_000, users: 100 });
    const b = await run('indexes', 11, { rows: 5_000, users: 100 });
    expect(pick(a.obs)).toEqual(pick(b.obs));
  });
});
