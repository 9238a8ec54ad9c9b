/** The validation lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('validation lab', () => {
  it('transforms before checking, compares fail-fast with collect-all over HTTP, and strips isAdmin', async () => {
    const { obs } = await run('validation', 1, { submissions: 150 });
    // The messy form: rejected field by field without the transforms, accepted with them.
    expect(obs.messy.checksOnlyErrors).toBe(5);
    expect(obs.messy.chainErrors).toBe(0);
    expect(obs.messy.value).toEqual({ email: 'ada.lovelace@example.com', username: 'ada_l', password: ' correct horse battery', age: 36, plan: 'pro', newsletter: true });
    // The seeded batch: transforms accept more, and fail-fast always needs at least as many round trips.
    expect(obs.batch.acceptedChain).toBeGreaterThan(obs.batch.acceptedPlain);
    expect(obs.batch.collectAll).toBe(obs.batch.invalid * 2);
    expect(obs.batch.failFast).toBe(obs.batch.errors + obs.batch.invalid);
    // Real HTTP: one error per 422 and k + 1 requests, against all errors at once and 2 requests.
    const ff = obs.http.failFast as { status: number; reported: string[] }[];
    const ca = obs.http.collectAll as { status: number; reported: string[] }[];
    expect(ff.map((x) => x.status)).toEqual([422, 422, 422, 422, 201]);
    expect(ff.slice(0, 4).every((x) => x.reported.length === 1)).toBe(true);
    expect(ca.map((x) => x.status)).toEqual([422, 201]);
    expect(ca[0]!.reported).toEqual(['#/email', '#/password', '#/age', '#/plan']);
    // The problem+json 422, and 400 for a body that does not parse.
    expect(obs.http.problemStatus).toBe(422);
    expect(obs.http.problemContentType).toBe('application/problem+json');
    expect(obs.http.problemErrors).toContainEqual({ pointer: '#/age', detail: 'must be a whole number' });
    expect(obs.http.malformedStatus).toBe(400);
    // Mass assignment: the spread handler stored isAdmin, the allow-list did not.
    expect(obs.massAssignment).toMatchObject({ unsafeStatus: 201, unsafeIsAdmin: true, safeStatus: 201, safeIsAdmin: false, ignored: 'isAdmin' });
  });

  it('generates the same submissions for the same seed', async () => {
    const a = await run('validation', 9, { submissions: 80 });
    const b = await run('validation', 9, { submissions: 80 });
    expect(a.obs.batch).toEqual(b.obs.batch);
  });
});
