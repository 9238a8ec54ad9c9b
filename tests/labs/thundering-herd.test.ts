/** The thundering-herd lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

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
