/** The injection lab, run for real (SQLite, HTTP); assertions are on what SQLite returned and what was served. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('injection lab', () => {
  it('exploits the concatenated SQL and the unescaped page, and not the fixed ones', async () => {
    const { obs } = await run('injection', 1, { users: 30 });
    const attempt = (id: string) => obs.sql.attempts.find((a: { id: string }) => a.id === id);
    expect(obs.sql.normalSearch).toBe(2);
    // ' OR '1'='1' -- leaks every user row; alice' -- logs in without her password.
    expect(attempt('or-true')).toMatchObject({ concatRows: 30, boundRows: 0, exploited: true, exploitedBound: false });
    expect(attempt('comment-out')).toMatchObject({ concatRows: 1, boundRows: 0, exploited: true, exploitedBound: false });
    // UNION SELECT exfiltrates the users table through the product search.
    expect(attempt('union')).toMatchObject({ concatRows: 30, boundRows: 0, exploited: true });
    // The stacked UPDATE runs through the multi-statement call only.
    expect(attempt('stacked')).toMatchObject({ exploited: true, exploitedBound: false });
    expect(obs.sql.stackedViaSelectRole).toBe('user');
    expect([obs.sql.exploited, obs.sql.exploitedBound]).toEqual([4, 0]);
    // Stored XSS: stored intact with parameters, executable only when served unescaped.
    expect(obs.xss.posted).toEqual([303, 303, 303, 303, 303]);
    expect(obs.xss.storedIntact).toBe(5);
    const page = (v: string) => obs.xss.pages.find((p: { variant: string }) => p.variant === v);
    expect(page('raw')).toMatchObject({ status: 200, csp: false });
    expect(page('raw').injected).toBeGreaterThanOrEqual(5);
    expect(page('raw').runs).toBe(page('raw').injected);
    expect(page('raw').kinds).toMatchObject({ script: 3, 'event-handler': 2, 'javascript-url': 1 });
    // CSP: the same injected markup, none of it allowed to run; escaping: nothing injected at all.
    expect(page('raw+csp')).toMatchObject({ csp: true, injected: page('raw').injected, runs: 0 });
    expect(page('escaped+csp')).toMatchObject({ csp: true, injected: 0, runs: 0 });
  });

  it('gives the same observations for the same seed', async () => {
    const a = await run('injection', 5, { users: 3 });
    const b = await run('injection', 5, { users: 3 });
    expect(a.obs).toEqual(b.obs);
    expect(a.obs.sql.attempts[0].concatRows).toBe(3);
  });
});
