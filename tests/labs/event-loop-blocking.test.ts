/** The event-loop-blocking lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('event-loop-blocking lab', () => {
  it('stalls every ping while the main thread computes, and not when a worker does', async () => {
    // Big enough that the stall dwarfs what a busy machine adds on its own.
    const { obs } = await run('event-loop-blocking', 1, { rows: 60_000, pingEveryMs: 5 });
    const { main, worker } = obs;
    expect(obs.sameSummary).toBe(true);
    expect(obs.summary.orders).toBe(60_000);
    // On the main thread: no ping sent during the computation could be answered before it ended, so the first
    // of them waited for most of it, and the loop monitor saw the same stall.
    expect(main.pingsDuring).toBeGreaterThan(0);
    expect(main.answeredDuring).toBe(0);
    expect(main.duringMaxMs).toBeGreaterThanOrEqual(main.computeMs * 0.5);
    expect(main.eldMax).toBeGreaterThanOrEqual(main.computeMs * 0.5);
    // In a worker: the main loop kept answering while the same work ran (a count, not a latency comparison,
    // so a busy machine cannot flip it).
    expect(worker.pingsDuring).toBeGreaterThan(0);
    expect(worker.answeredDuring).toBeGreaterThan(0);
  }, 30_000);

  it('is deterministic under --seed: the same export, the same answer', async () => {
    const a = await run('event-loop-blocking', 4, { rows: 2000, pingEveryMs: 10 });
    const b = await run('event-loop-blocking', 4, { rows: 2000, pingEveryMs: 10 });
    expect(a.obs.bytes).toBe(b.obs.bytes);
    expect(a.obs.summary).toEqual(b.obs.summary);
  }, 30_000);
});
