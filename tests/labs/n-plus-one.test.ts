/** The N+1 lab, run for real on SQLite; assertions are on the queries it counted and the rows it got back. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('n-plus-one lab', () => {
  it('counts 1 + N queries for the loop, 1 for the JOIN, 1 + batches for IN-batching, all with the same rows', async () => {
    const { obs } = await run('n-plus-one', 1, { posts: 20, batch: 6, rttMs: 1 });
    const a = (name: string) => obs.approaches.find((x: { name: string }) => x.name === name);
    expect(obs.sameResults).toBe(true);
    expect(a('loop (N+1)').queries).toBe(21);
    expect(a('loop (N+1)').rowsFetched).toBe(40);
    expect(a('JOIN')).toMatchObject({ queries: 1, rowsFetched: 20 });
    expect(a('IN-batching').queries).toBe(1 + Math.ceil(obs.distinctAuthors / 6));
    expect(a('IN-batching').rowsFetched).toBe(20 + obs.distinctAuthors);
    // 21 round trips cannot be faster than 1 (each waits at least 1 ms).
    expect(a('loop (N+1)').withRttMs).toBeGreaterThanOrEqual(21);
    expect(a('loop (N+1)').withRttMs).toBeGreaterThan(a('JOIN').withRttMs);
  });

  it('is deterministic under --seed', async () => {
    const pick = (o: Record<string, any>) => ({ d: o.distinctAuthors, q: o.approaches.map((x: { queries: number }) => x.queries) });
    const a = await run('n-plus-one', 5, { posts: 20, batch: 7, rttMs: 0 });
    const b = await run('n-plus-one', 5, { posts: 20, batch: 7, rttMs: 0 });
    expect(pick(a.obs)).toEqual(pick(b.obs));
    expect(a.obs.distinctAuthors).toBeLessThan(20);
  });
});
