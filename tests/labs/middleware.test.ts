/** The middleware lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('middleware lab', () => {
  it('records the onion, short-circuits, and what each wrong order leaks or breaks', async () => {
    const { obs } = await run('middleware', 1, { requests: 24 });
    // The onion: first in, last out.
    expect(obs.onion.status).toBe(201);
    expect(obs.onion.entries).toEqual(['logging', 'auth', 'validation', 'handler']);
    expect(obs.onion.exits).toEqual(['handler', 'validation', 'auth', 'logging']);
    // Right order: auth short-circuits inside logging; a thrown error reaches the error handler.
    expect(obs.rightOrder['no token']).toEqual({ status: 401, trace: ['→logging', '→auth', '←auth', '←logging'] });
    expect(obs.rightOrder['token, qty: 0'].status).toBe(422);
    expect(obs.rightOrder['token, handler throws'].status).toBe(500);
    expect(obs.rightOrder['token, handler throws'].trace).toContain('→errorHandler');
    expect(obs.accessLogLines).toBe(4);
    // Wrong orders.
    const w = obs.wrongOrders;
    expect(w['error-handler-first']).toMatchObject({ statuses: [500], errorHandlerRuns: 0, defaultErrorResponses: 1, stackLeaked: true });
    expect(w['error-handler-first'].contentType).toMatch(/^text\/html/);
    expect(w['parse-before-auth'].statuses).toEqual([401, 401, 401]);
    expect(w['parse-before-auth'].bytesParsedUnauthenticated).toBeGreaterThan(3 * 256 * 1000);
    expect(w['parse-before-auth'].rightOrderBytesParsed).toBe(0);
    expect(w['handler-before-auth']).toMatchObject({ statuses: [201, 201, 201], handlerRuns: 3, ordersCreated: 3, authEntered: 0 });
    expect(w['logging-after-auth']).toMatchObject({ statuses: [201, 401, 401, 401, 201], logged: [201, 201] });
    // Funnel: each stage runs only for what the previous one passed on.
    const f = obs.funnel;
    expect(f.entered.logging).toBe(24);
    expect(f.entered.auth).toBe(24);
    expect(f.entered.validation).toBe(24 - (f.statusCounts[401] ?? 0));
    expect(f.handlerRuns).toBe(f.statusCounts[201]);
    expect(f.handlerRuns).toBe(f.entered.validation - (f.statusCounts[422] ?? 0));
  });

  it('sends the same seeded mix for the same seed', async () => {
    const a = await run('middleware', 4, { requests: 16 });
    const b = await run('middleware', 4, { requests: 16 });
    expect(a.obs.funnel).toEqual(b.obs.funnel);
    expect(a.obs.wrongOrders['logging-after-auth']).toEqual(b.obs.wrongOrders['logging-after-auth']);
  });
});
