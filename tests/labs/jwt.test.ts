/** The jwt lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('jwt lab', () => {
  it('accepts the genuine tokens, rejects the forgeries with a pinned verifier, and shows the naive one exploited', async () => {
    const { obs } = await run('jwt', 1, { ttl: 900, leeway: 30 });
    expect(obs.anatomy).toEqual({ parts: 3, payloadReadable: true, fresh: true });
    expect(obs.tampered).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(obs.expiry).toEqual([
      { secondsPastExp: -840, ok: true },
      { secondsPastExp: 29, ok: true },
      { secondsPastExp: 30, ok: false },
      { secondsPastExp: 90, ok: false },
    ]);
    // alg none: the naive verifier is exploited, the pinned one is not.
    expect(obs.algNone.naive).toEqual({ ok: true, role: 'admin' });
    expect(obs.algNone.strict.ok).toBe(false);
    // Key confusion: HMAC keyed with the RSA public key passes the naive verifier only.
    expect(obs.keyConfusion.genuine).toEqual({ naive: true, strict: true });
    expect(obs.keyConfusion.naive).toEqual({ ok: true, role: 'admin' });
    expect(obs.keyConfusion.strict.ok).toBe(false);
    expect(obs.revocation).toMatchObject({ before: true, after: { ok: false }, otherSession: true, blocklistAfterExpiry: 0 });
    const status = Object.fromEntries(obs.http.map((r: { name: string; naive: number; strict: number }) => [r.name, [r.naive, r.strict]]));
    expect(status).toEqual({
      'valid HS256': [200, 200],
      'payload tampered': [401, 401],
      'expired (exp + 90 s)': [401, 401],
      'alg none': [200, 401],
      'revoked jti': [200, 401],
      'valid RS256': [200, 200],
      'HS256 w/ public key': [200, 401],
    });
  });

  it('moves the expiry boundary with the leeway, and gives the same decisions for the same seed', async () => {
    const a = await run('jwt', 4, { ttl: 60, leeway: 0 });
    expect(a.obs.expiry.map((e: { ok: boolean }) => e.ok)).toEqual([false, true, false, false].map((_, i) => i === 1));
    expect(a.obs.expiry[1].secondsPastExp).toBe(-1);
    expect(a.obs.expiry[0]).toEqual({ secondsPastExp: 0, ok: false });
    const b = await run('jwt', 4, { ttl: 60, leeway: 0 });
    expect(b.obs).toEqual(a.obs);
  });
});
