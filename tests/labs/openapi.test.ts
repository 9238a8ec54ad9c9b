/** The openapi lab, run for real; assertions are on the statuses, problem+json errors and contract checks it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('openapi lab', () => {
  it('validates requests against the document and catches a response that breaks it', async () => {
    const { obs, cap } = await run('openapi', 3, { noteMax: 40 });
    expect(obs.valid).toEqual({ status: 201, contractProblems: 0 });
    expect(obs.invalidBody.status).toBe(400);
    expect(cap.events.some((e) => e.type === 'code' && e.text.startsWith('400 application/problem+json\n'))).toBe(true);
    expect(obs.invalidBody.errors).toEqual([
      { pointer: '#/email', keyword: 'format' },
      { pointer: '#/items/0/quantity', keyword: 'minimum' },
      { pointer: '#/items/1/sku', keyword: 'maxLength' },
      { pointer: '#/items/1/quantity', keyword: 'type' },
      { pointer: '#/shipping', keyword: 'enum' },
      { pointer: '#/note', keyword: 'maxLength' },
      { pointer: '#/discount', keyword: 'additionalProperties' },
    ]);
    expect(obs.parameters).toEqual({ status: 400, details: ['expected integer, got "abc"', 'expected boolean, got "maybe"'] });
    expect(obs.query.status).toBe(400);
    expect(obs.query.details).toEqual(['expected ≤ 100, got 500', 'expected one of pending, paid, shipped; got "lost"']);
    expect(obs.bodies).toEqual({ noBody: 400, notJson: 400, textPlain: 415 });
    expect(obs.routing).toEqual({ undocumented: 404, wrongMethod: 405, allow: 'GET, POST' });
    // Only the express order's response breaks the Order schema: `total` is missing.
    const broken = obs.contract.filter((c: { problems: string[] }) => c.problems.length > 0);
    expect(broken).toEqual([{ label: 'express order', status: 201, problems: ['/total required'] }]);
    // 400s from validation: 5; 415, 404 and 405 come earlier. Handlers ran only for the 3 valid requests.
    expect(obs.server).toEqual({ requests: 11, rejected: 5, handled: 3 });
    expect(cap.events.some((e) => e.type === 'code' && e.text.includes('additionalProperties: false'))).toBe(true);
  });

  it('is deterministic per seed and enforces the maxLength the document says', async () => {
    const a = await run('openapi', 3, { noteMax: 40 });
    const b = await run('openapi', 3, { noteMax: 40 });
    expect(a.obs).toEqual(b.obs);
    const c = await run('openapi', 3, { noteMax: 120 });
    // The invalid order's note is always noteMax + 5 characters: one maxLength problem on #/note, against 120.
    expect(c.obs.invalidBody.errors.filter((e: { pointer: string }) => e.pointer === '#/note')).toEqual([{ pointer: '#/note', keyword: 'maxLength' }]);
    const answer = c.cap.events.find((e) => e.type === 'code' && e.text.startsWith('400 application/problem+json'));
    expect(answer?.text).toContain('expected at most 120 characters, got 125');
  });
});
