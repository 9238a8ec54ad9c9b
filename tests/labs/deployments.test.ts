/** The deployments lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

interface R {
  strategy: string;
  failed: number;
  requests: number;
  byStatus: Record<string, number>;
  byVersion: Record<string, number>;
  minCapacity: number;
  maxCapacity: number;
  mixedMs: number;
  outcome: string;
  servingAfter: string;
  rollbackMs: number | null;
  v2AfterRollback: number | null;
}

describe('deployments lab', () => {
  it('counts failures, capacity and mixed versions per strategy, and catches a bad v2 only with readiness checks', async () => {
    const { obs } = await run('deployments', 1, { instances: 6, maxUnavailable: 1, bootMs: 30, startupMs: 50, readinessTimeoutMs: 200 });
    const good = (s: string) => (obs.good as R[]).find((r) => r.strategy === s)!;
    const bad = (s: string) => (obs.bad as R[]).find((r) => r.strategy === s)!;

    // Big-bang: every instance down at once, nothing gated on readiness.
    expect(good('big-bang').minCapacity).toBe(0);
    expect(good('big-bang').failed).toBeGreaterThan(0);
    expect(good('big-bang').servingAfter).toBe('v2');
    // Rolling: one at a time, never routed before ready, so no failures; both versions answer for a while.
    expect(good('rolling').failed).toBe(0);
    expect(good('rolling').minCapacity).toBe(5);
    expect(good('rolling').outcome).toBe('completed');
    expect(good('rolling').byVersion.v1).toBeGreaterThan(0);
    expect(good('rolling').byVersion.v2).toBeGreaterThan(0);
    expect(good('rolling').mixedMs).toBeGreaterThan(good('blue-green').mixedMs);
    // Blue-green: full capacity throughout, an atomic switch, and an instant rollback.
    expect(good('blue-green').failed).toBe(0);
    expect(good('blue-green').minCapacity).toBe(6);
    expect(good('blue-green').outcome).toBe('switched');
    expect(good('blue-green').rollbackMs).not.toBeNull();
    // The switch back is one assignment: no request sent after it is answered by green (timing-free).
    expect(good('blue-green').v2AfterRollback).toBe(0);

    // A v2 that never becomes ready: only big-bang ships it.
    expect(bad('big-bang').servingAfter).toBe('v2');
    expect(bad('big-bang').failed).toBeGreaterThan(bad('big-bang').requests / 2);
    expect(bad('rolling')).toMatchObject({ failed: 0, outcome: 'halted at batch 1', servingAfter: 'v1', minCapacity: 5 });
    expect(bad('blue-green')).toMatchObject({ failed: 0, outcome: 'never switched', servingAfter: 'v1', minCapacity: 6 });
    expect(bad('blue-green').byVersion.v2 ?? 0).toBe(0);
  });

  it('makes the same decisions for the same seed', async () => {
    const pick = (o: Record<string, any>) => [...o.good, ...o.bad].map((r: R) => [r.strategy, r.outcome, r.servingAfter, r.minCapacity, r.failed === 0]);
    const params = { instances: 3, maxUnavailable: 1, bootMs: 20, startupMs: 30, readinessTimeoutMs: 120 };
    const a = await run('deployments', 3, params);
    const b = await run('deployments', 3, params);
    expect(pick(a.obs)).toEqual(pick(b.obs));
  });
});
