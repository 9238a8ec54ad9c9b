/** The http-caching lab, run for real; assertions are on what the server and the two clients counted. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('http-caching lab', () => {
  it('serves fresh reads locally, revalidates stale ones with 304, and gets a 200 once the ETag changes', async () => {
    const { obs } = await run('http-caching', 1, { reads: 24, maxAge: 60 });
    const trace = obs.trace as { request: string; status: number | null; bytes: number; decision: string; version: number }[];
    // Fresh reads never reached the server; every request the client sent was counted by the server.
    expect(obs.serverCountsMatch).toBe(true);
    expect(obs.caching.freshReads).toBe(trace.filter((r) => r.request === 'none').length);
    expect(obs.caching.requests + obs.caching.freshReads).toBe(24);
    expect(obs.caching.freshReads).toBeGreaterThan(0);
    // 304s carry no body; only the first read and the read after the change moved the catalogue.
    expect(obs.caching.notModified).toBeGreaterThan(0);
    expect(trace.filter((r) => r.status === 304).every((r) => r.bytes === 0)).toBe(true);
    expect(obs.caching.ok).toBe(2);
    expect(obs.firstRevalidationStatus).toBe(304);
    expect(obs.changedStatus).toBe(200);
    expect(obs.etags).toHaveLength(2);
    expect(obs.etags[0]).not.toBe(obs.etags[1]);
    // The client without a cache fetched the whole body every time.
    expect(obs.plain).toMatchObject({ requests: 24, ok: 24, notModified: 0 });
    expect(obs.caching.bodyBytes).toBeLessThan(obs.plain.bodyBytes / 5);
    // Stale reads only happen between the change and the next revalidation, and never after it.
    const changed = trace.findIndex((r) => r.version === 2);
    expect(trace.slice(changed).every((r) => r.version === 2)).toBe(true);
  });

  it('with max-age=0 every read revalidates', async () => {
    const { obs } = await run('http-caching', 2, { reads: 8, maxAge: 0 });
    expect(obs.caching.freshReads).toBe(0);
    expect(obs.caching.requests).toBe(8);
    expect(obs.outdatedReads).toBe(0);
    expect(obs.caching.ok + obs.caching.notModified).toBe(8);
  });

  it('replays the same reads for the same seed', async () => {
    const a = await run('http-caching', 7, { reads: 12, maxAge: 30 });
    const b = await run('http-caching', 7, { reads: 12, maxAge: 30 });
    expect(a.obs.trace).toEqual(b.obs.trace);
    expect(a.obs.etags).toEqual(b.obs.etags);
  });
});
