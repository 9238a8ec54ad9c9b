/** The pagination lab, run for real on SQLite; assertions are on the rows each reader got and the rows visited. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('pagination lab', () => {
  it('OFFSET repeats and skips rows under concurrent changes; keyset returns each surviving row once', async () => {
    const { obs } = await run('pagination', 1, { pageSize: 10, rows: 2_000 });
    const [off, key] = obs.reads;
    expect(off.method).toBe('offset');
    expect(off.duplicates).toBeGreaterThan(0);
    expect(off.skipped.length).toBeGreaterThan(0);
    expect(key).toMatchObject({ method: 'keyset', duplicates: 0, skipped: [] });
    // Every post there at the start and never deleted was returned (skipped: []), and nothing twice.
    expect(key.returned).toBeGreaterThanOrEqual(obs.initialPosts - key.deletedDuringRead);
    const flat = key.pageIds.flat();
    expect(new Set(flat).size).toBe(flat.length);
  });

  it('keyset never repeats or skips, whatever the seed', async () => {
    for (const seed of [2, 3, 4]) {
      const { obs } = await run('pagination', seed, { pageSize: 5, rows: 1_000 });
      expect(obs.reads[1]).toMatchObject({ duplicates: 0, skipped: [] });
    }
  });

  it('a deep OFFSET visits every skipped row; keyset visits about one page', async () => {
    const { obs } = await run('pagination', 1, { pageSize: 10, rows: 20_000 });
    const q = (name: string) => obs.deep.queries.find((x: { name: string }) => x.name.startsWith(name));
    const depth = obs.deep.depth;
    expect(depth).toBe(18_000);
    expect(q('OFFSET 0').examined).toBe(20);
    expect(q('OFFSET 18')).toMatchObject({ examined: depth + 20, returned: 20 });
    expect(q('keyset').examined).toBeLessThanOrEqual(21);
    expect(q('keyset').plan.join()).toMatch(/SEARCH feed USING INDEX idx_feed_created/);
    expect(obs.deep.samePage).toBe(true);
    for (const x of obs.deep.queries) expect(x.samePlan).toBe(true);
    expect(q('keyset').ms).toBeLessThan(q('OFFSET 18').ms);
  });

  it('is deterministic under --seed', async () => {
    const a = await run('pagination', 8, { pageSize: 6, rows: 1_000 });
    const b = await run('pagination', 8, { pageSize: 6, rows: 1_000 });
    expect(a.obs.reads).toEqual(b.obs.reads);
  });
});
