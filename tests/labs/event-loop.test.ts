/** The event-loop lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

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
