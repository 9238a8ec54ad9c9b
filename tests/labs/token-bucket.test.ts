/** The token-bucket lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

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
