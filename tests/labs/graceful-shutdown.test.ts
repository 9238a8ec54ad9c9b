/** The graceful-shutdown lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { children, runForTest as run } from '../helpers/lab-run.js';

describe('graceful-shutdown lab', () => {
  it('drops every in-flight request without a handler and finishes them all with one', async () => {
    // Margins for a loaded machine: close() runs a few ms after SIGTERM, well before the 300 ms requests end,
    // and they end well before the 1000 ms deadline.
    const { obs } = await run('graceful-shutdown', 1, { inflight: 4, requestMs: 300, deadlineMs: 1000 });
    const a = obs.noHandler;
    expect(a.inFlight).toBe(4);
    expect(a.completed).toBe(0);
    expect(a.failed).toBe(4);
    expect(Object.keys(a.errors).every((e) => e.startsWith('ECONNRESET'))).toBe(true);
    expect(a.exitSignal).toBe('SIGTERM');
    expect(a.newConnection).toBe('ECONNREFUSED');

    const b = obs.handler;
    expect(b.completed).toBe(4);
    expect(b.failed).toBe(0);
    expect(b.connectionClose).toBe(4);
    expect(b.readiness).toBe(503);
    expect(b.newConnection).toBe('ECONNREFUSED');
    expect(b.exitCode).toBe(0);
    expect(b.exitSignal).toBeNull();
    // The idle keep-alive connection is closed by close(), before the in-flight responses come back.
    const whats = b.timeline.map((x: { what: string }) => x.what);
    expect(whats.findIndex((w: string) => w.startsWith('idle keep-alive'))).toBeLessThan(whats.findIndex((w: string) => w.endsWith('200, Connection: close')));
    expect(whats.indexOf('server.close(): stop accepting')).toBeGreaterThan(whats.findIndex((w: string) => w.includes('→ 503')));

    const c = obs.deadline;
    expect(c.inFlight).toBe(5);
    expect(c.completed).toBe(4);
    expect(c.failed).toBe(1);
    expect(c.exitCode).toBe(1);
    expect(c.exitMs).toBeGreaterThanOrEqual(1000);
    expect(children()).toEqual([]);
  }, 30_000);
});
