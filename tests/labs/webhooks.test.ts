/** The webhooks lab, run for real; assertions are on the receiver's answers and the retry outcomes. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('webhooks lab', () => {
  it('accepts only authentic, fresh, first deliveries and retries a flaky receiver with backoff', async () => {
    // 500 ms: a loopback POST answers in a few ms, so only the planned hangs time out, even on a loaded machine.
    const { obs } = await run('webhooks', 4, { events: 5, maxAttempts: 6, timeoutMs: 500 });
    expect(obs.signatures).toEqual([
      { case: 'valid', status: 200, verdict: 'processed' },
      { case: 'amount × 100, same header', status: 400, verdict: 'signature mismatch' },
      { case: 'verified over parsed JSON', status: 400, verdict: 'signature mismatch' },
      { case: 'replay, 10 min later', status: 400, verdict: 'timestamp 600 s old (tolerance 300 s)' },
      { case: 'replay with t= set to now', status: 400, verdict: 'signature mismatch' },
      { case: 'sender re-delivers event 1', status: 200, verdict: 'duplicate' },
    ]);
    expect(obs.processedAfterRedelivery).toBe(1);

    const retries = obs.retries as { plan: string[]; attempts: number; results: string[]; delaysMs: number[]; outcome: string; processed: number; reachedProcessing: number }[];
    expect(retries).toHaveLength(5);
    for (const r of retries) {
      // The receiver fails exactly the planned attempts, then succeeds (or the sender runs out of attempts).
      const failures = Math.min(r.plan.length, 6);
      expect(r.results.slice(0, failures)).toEqual(r.plan.slice(0, failures).map((p) => (p === '500' ? '500' : 'timeout')));
      if (r.plan.length < 6) {
        expect(r).toMatchObject({ outcome: 'delivered', attempts: r.plan.length + 1 });
        // After a timeout the work was already done: the final 200 is a duplicate.
        expect(r.results.at(-1)).toBe(r.plan.includes('timeout') ? '200 duplicate' : '200 processed');
      } else expect(r).toMatchObject({ outcome: 'gave up', attempts: 6 });
      // Full jitter: each wait below its exponential ceiling, 1 min × 2^(n−1).
      r.delaysMs.slice(0, -1).forEach((d, i) => expect(d).toBeLessThan(60_000 * 2 ** i));
      // Deduplication: processed at most once however many deliveries reached the handler.
      expect(r.processed).toBeLessThanOrEqual(1);
      expect(r.reachedProcessing).toBe(r.plan.filter((p) => p === 'timeout').length + (r.outcome === 'delivered' ? 1 : 0));
    }
    expect(obs).toMatchObject({ delivered: 4, gaveUp: 1 });
    // One planned hang in each of three shapes; each one did the work before the sender gave up on it.
    expect(obs.timeouts).toBe(3);
    expect(obs.timeoutsAfterWork).toBe(3);
  });

  it('makes the same plans and delays for the same seed', async () => {
    const a = await run('webhooks', 12, { events: 3, maxAttempts: 3, timeoutMs: 300 });
    const b = await run('webhooks', 12, { events: 3, maxAttempts: 3, timeoutMs: 300 });
    expect(a.obs.retries).toEqual(b.obs.retries);
    expect(a.obs.signatures).toEqual(b.obs.signatures);
  });
});
