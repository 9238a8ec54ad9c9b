/** The tracing lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { runLab } from '../../src/labs/runner.js';
import { capturePrinter, liveHandles } from '../helpers/capture-printer.js';
import { labInfo, runForTest as run, settle } from '../helpers/lab-run.js';

describe('tracing lab', () => {
  it('propagates one trace id through every hop and rebuilds the span tree from parent ids', async () => {
    const { obs } = await run('tracing', 1, { requests: 80, concurrency: 8 });
    const s = obs.single;
    expect(s.status).toBe(200);
    expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.sameTrace).toBe(true);
    expect(s.distinctParents).toBe(3);
    expect(s.logLines).toBe(5);
    expect([...s.logServices].sort()).toEqual(['auth', 'db', 'gateway', 'pricing']);
    expect(s.logsWithTraceId).toBe(5);
    expect(s.tree).toEqual([
      { name: 'gateway GET /checkout', kind: 'server', depth: 0, parent: null },
      { name: 'call auth', kind: 'client', depth: 1, parent: 'gateway GET /checkout' },
      { name: 'auth GET /verify', kind: 'server', depth: 2, parent: 'call auth' },
      { name: 'call db', kind: 'client', depth: 1, parent: 'gateway GET /checkout' },
      { name: 'db GET /orders', kind: 'server', depth: 2, parent: 'call db' },
      { name: 'call pricing', kind: 'client', depth: 1, parent: 'gateway GET /checkout' },
      { name: 'pricing GET /quote', kind: 'server', depth: 2, parent: 'call pricing' },
    ]);
    // auth is awaited before the Promise.all; db and pricing overlap in time.
    expect(s.sequential).toBe(true);
    expect(s.parallel).toBe(true);

    const l = obs.load;
    expect(l.traces).toBe(80);
    expect(l.completeLogGroups).toBe(80);
    expect(l.buckets.reduce((a: number, b: { value: number }) => a + b.value, 0)).toBe(80);
    expect(l.p50).toBeLessThanOrEqual(l.p95);
    expect(l.p95).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    // A request whose db call took the slow path slept at least 150 ms: the measured max shows it.
    expect(l.plannedSlow.db).toBeGreaterThan(0);
    expect(l.max).toBeGreaterThanOrEqual(150);
    // The seeded service times alone: the mean sits far below the p99 tail.
    expect(l.seeded.p99).toBeGreaterThan(4 * l.seeded.mean);
    expect(Object.values(l.culprits).reduce((a: number, b) => a + (b as number), 0)).toBe(4);
  }, 30_000);

  it('is deterministic under --seed: ids, tree and the seeded latency plan', async () => {
    const pick = (o: Record<string, any>) => ({ traceId: o.single.traceId, tree: o.single.tree, planned: o.load.plannedSlow, seeded: o.load.seeded });
    const a = await run('tracing', 7, { requests: 40, concurrency: 8 });
    const b = await run('tracing', 7, { requests: 40, concurrency: 8 });
    expect(pick(a.obs)).toEqual(pick(b.obs));
  }, 30_000);

  it('stopped midway leaves nothing behind', async () => {
    const before = liveHandles().length;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 300);
    await expect(runLab(labInfo('tracing'), { out: capturePrinter().printer, seed: 1, signal: stop.signal })).rejects.toBeInstanceOf(Interrupted);
    clearTimeout(timer);
    await settle();
    expect(liveHandles().length, liveHandles().join(', ')).toBeLessThanOrEqual(before);
  }, 30_000);
});
