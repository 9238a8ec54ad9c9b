/** The cors lab, run for real; assertions are on the browser decisions and on what the server handled. */
import { describe, expect, it } from 'vitest';
import { corsCheck, needsPreflight, preflightCheck, unsafeHeaderNames, type PageRequest } from '../../labs/cors.js';
import { runForTest as run } from '../helpers/lab-run.js';

describe('cors lab', () => {
  it('blocks reads, not requests: refused simple GETs still run, failed preflights stop the PUT', async () => {
    const { obs } = await run('cors');
    const o = (id: string) => obs.outcomes.find((x: { id: string }) => x.id === id);
    expect(o('simple-allowed')).toMatchObject({ preflight: false, delivered: true, serverRanHandler: true, actualStatus: 200 });
    // The refused origin's GET reached the handler and got a 200; only the browser withheld it.
    expect(o('simple-refused')).toMatchObject({ preflight: false, delivered: false, serverRanHandler: true, actualStatus: 200, rule: 'no Access-Control-Allow-Origin' });
    expect(obs.simpleRefusedRanOnServer).toBe(true);
    expect(o('put-allowed')).toMatchObject({ preflight: true, preflightOk: true, actualSent: true, delivered: true, serverRanHandler: true });
    expect(o('put-refused')).toMatchObject({ preflight: true, preflightOk: false, actualSent: false, serverRanHandler: false });
    expect(o('put-header-refused')).toMatchObject({ preflightOk: false, actualSent: false, serverRanHandler: false, rule: 'header x-trace-id not in Allow-Headers' });
    expect(o('cred-allowed')).toMatchObject({ delivered: true, rule: 'exact origin + Allow-Credentials: true' });
    expect(o('cred-wildcard')).toMatchObject({ delivered: false, serverRanHandler: true, rule: 'Allow-Origin: * with credentials' });
    expect(o('wildcard-no-cred')).toMatchObject({ delivered: true });
    expect(obs.preflights).toBe(3);
    // Cookies went only with credentials: 'include', and never on a preflight.
    expect(obs.handled.filter((h: { cookie: boolean }) => h.cookie)).toHaveLength(2);
    expect(obs.preflightsWithCookie).toBe(0);
  });

  it('implements the Fetch Standard rules it relies on', () => {
    const page = (over: Partial<PageRequest>): PageRequest => ({ origin: 'https://a.example', method: 'GET', path: '/', headers: {}, credentials: 'same-origin', ...over });
    expect(needsPreflight(page({ method: 'POST', headers: { 'Content-Type': 'text/plain;charset=utf-8' } }))).toBe(false);
    expect(needsPreflight(page({ method: 'POST', headers: { 'Content-Type': 'application/json' } }))).toBe(true);
    expect(needsPreflight(page({ headers: { Authorization: 'Bearer x' } }))).toBe(true);
    expect(needsPreflight(page({ method: 'DELETE' }))).toBe(true);
    expect(unsafeHeaderNames({ 'X-B': '1', Accept: 'application/json', 'X-A': '2' })).toEqual(['x-a', 'x-b']);
    expect(corsCheck(page({}), { 'access-control-allow-origin': '*' }).ok).toBe(true);
    expect(corsCheck(page({ credentials: 'include' }), { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }).ok).toBe(false);
    expect(corsCheck(page({ credentials: 'include' }), { 'access-control-allow-origin': 'https://a.example' }).ok).toBe(false);
    expect(corsCheck(page({}), { 'access-control-allow-origin': 'https://b.example' }).ok).toBe(false);
    const put = page({ method: 'PUT', headers: { Authorization: 'Bearer x' } });
    const wildcard = { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*', 'access-control-allow-headers': '*' };
    // * covers the method, but never Authorization.
    expect(preflightCheck(put, 204, wildcard).rule).toMatch(/Authorization/);
    expect(preflightCheck(page({ method: 'PUT' }), 204, wildcard).ok).toBe(true);
    expect(preflightCheck(page({ method: 'PUT' }), 401, wildcard).ok).toBe(false);
  });
});
