/** The router lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('router lab', () => {
  it('shows first-match vs most-specific precedence, 404 vs 405, and O(routes) vs O(path) comparisons', async () => {
    const { obs } = await run('router', 1, { routes: 600, lookups: 500 });
    // Real HTTP: the list takes the first registered match, the tree the most specific one.
    expect(obs.precedence['/users/me']).toMatchObject({ list: '/users/:id', radix: '/users/me' });
    expect(obs.precedence['/users/me/posts']).toMatchObject({ list: '/users/*', radix: '/users/:id/posts' });
    expect(obs.precedence['/users/me/x']).toMatchObject({ list: '/users/*', radix: '/users/*' });
    expect(obs.precedence['/users/42']).toMatchObject({ list: '/users/:id', radix: '/users/:id' });
    // 405 with Allow when only the method is wrong; 404 when no path matches.
    expect(obs.statuses['DELETE /users/42']).toMatchObject({ list: 405, radix: 405, allow: 'GET, PUT' });
    expect(obs.statuses['GET /orders/7']).toMatchObject({ list: 404, radix: 404, allow: '' });
    expect(obs.statuses['DELETE /nope']).toMatchObject({ list: 404, radix: 404 });
    // The list tests every route before a 404; the tree does not grow with the route count.
    const big = obs.perf['600'];
    expect(big.list.cmpMiss).toBe(600);
    expect(big.list.agree).toBe(500);
    expect(big.radix.agree).toBe(500);
    expect(big.radix.maxCmp).toBeLessThan(20);
    expect(obs.perf['10'].list.cmpMiss).toBe(10);
    expect(big.list.cmpHit).toBeGreaterThan(obs.perf['100'].list.cmpHit * 3);
    expect(big.radix.cmpHit).toBeLessThan(obs.perf['100'].radix.cmpHit * 2);
  });

  it('generates the same routes and lookups for the same seed', async () => {
    const pick = (o: Record<string, any>) =>
      Object.fromEntries(Object.entries(o.perf as Record<string, any>).map(([k, v]) => [k, { l: [v.list.cmpHit, v.list.cmpMiss, v.list.maxCmp], r: [v.radix.cmpHit, v.radix.cmpMiss, v.radix.maxCmp], n: v.radixNodes }]));
    const a = await run('router', 7, { routes: 200, lookups: 300 });
    const b = await run('router', 7, { routes: 200, lookups: 300 });
    expect(pick(a.obs)).toEqual(pick(b.obs));
    expect(Object.keys(a.obs.perf)).toEqual(['10', '100', '200']);
  });
});
