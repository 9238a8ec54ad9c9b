/** Each lab run for real; assertions are on what the lab observed. */
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { LABS } from '../../src/labs/registry.js';
import { runLab } from '../../src/labs/runner.js';
import { capturePrinter, liveHandles } from '../helpers/capture-printer.js';

const lab = (id: string) => LABS.find((l) => l.id === id)!;

async function settle(): Promise<void> {
  // Closed sockets and killed children release their handles on the next turns of the loop.
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
}

async function run(id: string, seed = 1, params: Record<string, number> = {}) {
  const before = liveHandles().length;
  const cap = capturePrinter();
  const obs = (await runLab(lab(id), { out: cap.printer, seed, params })) as Record<string, any>;
  await settle();
  expect(liveHandles().length, `${id} left handles open: ${liveHandles().join(', ')}`).toBeLessThanOrEqual(before);
  return { obs, cap };
}

describe('event-loop lab', () => {
  it('reports the orders Node really produced, queue by queue', async () => {
    const { obs, cap } = await run('event-loop');
    expect(obs.orders.classic).toEqual(['sync 1', 'sync 2', 'nextTick', 'promise', 'timeout 0']);
    expect(obs.orders.io).toEqual(['I/O callback', 'nextTick', 'promise', 'immediate', 'timeout 0']);
    expect(obs.orders['between-timers']).toEqual(['timeout A', 'nextTick from A', 'promise from A', 'timeout B']);
    expect(obs.orders.esm).toEqual(['sync', 'promise', 'nextTick']);
    expect(obs.orders.cjs).toEqual(['sync', 'nextTick', 'promise']);
    expect(obs.race.timeoutFirst + obs.race.immediateFirst).toBe(obs.race.runs);
    // The blocked timer fired no earlier than the parse allowed, and the delay monitor saw the block.
    expect(obs.blocking.parseMs).toBeGreaterThan(5);
    expect(obs.blocking.timerMs).toBeGreaterThanOrEqual(obs.blocking.parseMs);
    expect(obs.blocking.maxDelayMs).toBeGreaterThanOrEqual(obs.blocking.parseMs * 0.8);
    const steps = cap.events.filter((e) => e.type === 'step' && e.data?.scenario === 'io');
    expect(steps.map((s) => s.data?.queue)).toEqual(['poll phase', 'nextTick queue', 'microtask queue', 'check phase', 'timers phase']);
  }, 60_000);
});

describe('thundering-herd lab', () => {
  it('counts the herd: every request reaches the database without coalescing, one with it', async () => {
    const { obs } = await run('thundering-herd', 5, { concurrency: 40 });
    const phase = (s: string) => obs.phases.find((p: { strategy: string }) => p.strategy === s);
    expect(phase('naive')).toMatchObject({ requests: 40, dbQueries: 40 });
    expect(phase('naive').maxConcurrentDbQueries).toBeGreaterThan(1);
    expect(phase('single-flight')).toMatchObject({ requests: 40, dbQueries: 1, byCacheHeader: { MISS: 1, COALESCED: 39 } });
    expect(phase('stale-while-revalidate')).toMatchObject({ dbQueries: 1, byCacheHeader: { 'STALE+REFRESH': 1, STALE: 39 } });
    // Serving stale does not wait for the database.
    expect(phase('stale-while-revalidate').p50Ms).toBeLessThan(phase('single-flight').p50Ms);
    const sim = (m: string) => obs.expiry.find((x: { mode: string }) => x.mode === m);
    expect(sim('jitter').peakPerSecond).toBeLessThan(sim('fixed').peakPerSecond / 5);
    expect(sim('xfetch').missedReads).toBeLessThan(sim('fixed').missedReads);
    expect(sim('jitter+xfetch').peakPerSecond).toBeLessThan(sim('xfetch').peakPerSecond);
  });

  it('is deterministic under --seed where it uses randomness', async () => {
    const a = await run('thundering-herd', 9, { concurrency: 5 });
    const b = await run('thundering-herd', 9, { concurrency: 5 });
    expect(a.obs.expiry).toEqual(b.obs.expiry);
  });
});

describe('token-bucket lab', () => {
  it('shows the fixed window letting a boundary burst through and the bucket holding', async () => {
    const { obs } = await run('token-bucket', 3, { capacity: 10, rate: 5 });
    expect(obs.burst.size).toBe(20);
    expect(obs.burst.bucketAccepted).toBeLessThanOrEqual(11);
    expect(obs.burst.fixedAccepted).toBeGreaterThan(obs.burst.bucketAccepted);
    expect(obs.maxIn500ms.bucket).toBeLessThanOrEqual(10 + 5 * 0.5);
    // Real HTTP: a full bucket serves exactly its capacity, then refills at the rate.
    expect(obs.http.firstAccepted).toBe(10);
    expect(obs.http.retryAfter).toBeGreaterThanOrEqual(1);
    expect(obs.http.secondAccepted).toBeGreaterThanOrEqual(2);
    expect(obs.http.secondAccepted).toBeLessThanOrEqual(5);
  });

  it('replays the same trace for the same seed', async () => {
    const pick = (o: Record<string, any>) => ({ requests: o.requests, burst: o.burst, accepted: o.accepted, max: o.maxIn500ms });
    const a = await run('token-bucket', 11, { capacity: 4, rate: 8 });
    const b = await run('token-bucket', 11, { capacity: 4, rate: 8 });
    expect(pick(a.obs)).toEqual(pick(b.obs));
    expect(a.obs.burst.size).toBe(8);
  });
});

describe('lab runner', () => {
  it('cleans up a lab stopped half-way (Ctrl-C) and reports Interrupted', async () => {
    const before = liveHandles().length;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 150);
    await expect(runLab(lab('event-loop'), { out: capturePrinter().printer, seed: 1, signal: stop.signal })).rejects.toBeInstanceOf(Interrupted);
    await settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(liveHandles().length, liveHandles().join(', ')).toBeLessThanOrEqual(before);
  });

  it('fills in declared defaults for lab parameters', async () => {
    const { labParams } = await import('../../src/labs/runner.js');
    expect(labParams(lab('token-bucket'), { rate: 2 })).toEqual({ capacity: 10, rate: 2 });
  });
});
