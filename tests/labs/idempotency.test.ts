/** The idempotency lab, run for real; assertions are on what it observed (charges counted in SQLite). */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('idempotency lab', () => {
  it('charges twice without a key, once with one, and refuses concurrent and mismatched reuse', async () => {
    const { obs } = await run('idempotency', 1, { processorMs: 80 });
    // The first response is lost (connection dropped after commit); the retry gets through.
    expect(obs.noKey.attempts).toEqual([null, 201]);
    expect(obs.noKey.firstError).toMatch(/socket hang up|ECONNRESET/);
    expect(obs.noKey.charges).toBe(2);
    // With a key the retry replays the original payment.
    expect(obs.withKey).toMatchObject({ attempts: [null, 201], replayed: true, charges: 1 });
    expect(obs.withKey.paymentId).toBe(obs.withKey.originalId);
    // Two concurrent requests, same key: check-then-insert charges twice; the atomic claim once (409 for the other).
    expect(obs.checkThenInsert).toEqual({ statuses: [201, 500], charges: 2 });
    expect(obs.atomicClaim).toMatchObject({ statuses: [201, 409], charges: 1, retryStatus: 201 });
    expect(obs.atomicClaim.retryPaymentId).toBe(obs.atomicClaim.winnerId);
    // Same key, different body: 422 and no new charge.
    expect(obs.keyReuse).toEqual({ status: 422, chargesBefore: 1, chargesAfter: 1 });
    expect(obs.dropped).toBe(2);
    expect(obs.processorCalls).toBe(obs.payments);
  });

  it('is deterministic for the same seed', async () => {
    const a = await run('idempotency', 5, { processorMs: 80 });
    const b = await run('idempotency', 5, { processorMs: 80 });
    expect(a.obs).toEqual(b.obs);
  });
});
