/** The worker-threads lab, run for real; assertions are on what it observed. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('worker-threads lab', () => {
  it('runs CPU work on 1..N workers and I/O under Promise.all, with the same results everywhere', async () => {
    const { obs } = await run('worker-threads', 1, { jobs: 4, maxThreads: 4, ioMs: 40 });
    expect(obs.cores).toBe(availableParallelism());
    expect(obs.threadCounts[0]).toBe(1);
    expect(Math.max(...obs.threadCounts)).toBeLessThanOrEqual(Math.min(4, obs.cores * 2));
    expect(obs.threadCounts).toContain(Math.min(obs.cores, 4));
    // Every variant computed the same four scrypt digests.
    expect(obs.sameDigests).toBe(true);
    expect(obs.digests).toHaveLength(4);
    for (const d of obs.digests) expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(obs.cpu.map((c: { label: string }) => c.label).at(-1)).toBe('Promise.all, main');
    // Promise.all around synchronous hashing runs them one at a time; a pool of t workers has several in progress.
    expect(obs.cpu.at(-1).atOnce).toBe(1);
    for (const c of obs.cpu.slice(0, -1)) {
      if (c.threads === 1) expect(c.atOnce).toBe(1);
      else expect(c.atOnce).toBeGreaterThanOrEqual(2);
    }
    // Waiting overlaps on one thread: 4 × 40 ms one by one against about one wait together.
    expect(obs.io.ok).toBe(4);
    expect(obs.io.sequentialMs).toBeGreaterThanOrEqual(4 * 40);
    expect(obs.io.speedup).toBeGreaterThan(1.5);
  }, 30_000);

  it('is deterministic under --seed: the same passwords give the same digests', async () => {
    const a = await run('worker-threads', 3, { jobs: 2, maxThreads: 1, ioMs: 5 });
    const b = await run('worker-threads', 3, { jobs: 2, maxThreads: 1, ioMs: 5 });
    expect(a.obs.digests).toEqual(b.obs.digests);
    expect(a.obs.threadCounts).toEqual([1]);
  }, 30_000);
});
