/** The circuit-breaker lab, run for real against a local HTTP dependency; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

type Transition = { t: number; from: string; to: string; reason: string };

describe('circuit-breaker lab', () => {
  it('measures the retry storm, the spread of jittered backoff and the breaker cutting the load', async () => {
    const { obs, cap } = await run('circuit-breaker', 1, { outage: 300, threshold: 5, cooldown: 100 });
    const phase = (s: string) => obs.phases.find((p: { strategy: string }) => p.strategy === s);
    const naive = phase('naive-retry');
    const backoff = phase('backoff-jitter');
    const breaker = phase('circuit-breaker');
    for (const p of [naive, backoff, breaker]) expect(p.clientRequests).toBe(obs.requests);
    // The server counted every attempt: a request that kept failing cost it all 4 calls.
    expect(naive.maxCallsPerRequest).toBe(4);
    if (naive.clientFailures > 0) expect(naive.callsPerFailedRequest).toBe(4);
    // Retries multiplied the load: more calls than client requests while the dependency was down.
    expect(naive.callsDuringOutage).toBeGreaterThan(naive.requestsDuringOutage);
    expect(backoff.maxCallsPerRequest).toBeLessThanOrEqual(4);
    if (backoff.clientFailures > 0) expect(backoff.callsPerFailedRequest).toBe(4);
    // The breaker: one call per request at most, most requests during the outage never reach the dependency.
    expect(breaker.maxCallsPerRequest).toBe(1);
    expect(breaker.rejectedByBreaker).toBeGreaterThan(0);
    expect(breaker.callsDuringOutage).toBeLessThan(breaker.requestsDuringOutage);
    expect(breaker.callsDuringOutage).toBeLessThan(naive.callsDuringOutage);
    expect(breaker.callsDuringOutage).toBeLessThan(backoff.callsDuringOutage);
    // Its lifecycle: closed → open, then half-open only after the cooldown, and finally closed again.
    const tr = breaker.transitions as Transition[];
    expect(tr[0]).toMatchObject({ from: 'closed', to: 'open' });
    expect(tr[tr.length - 1]).toMatchObject({ from: 'half-open', to: 'closed' });
    for (let i = 1; i < tr.length; i++) {
      expect(tr[i]!.from).toBe(tr[i - 1]!.to);
      if (tr[i]!.to === 'half-open') expect(tr[i]!.t - tr[i - 1]!.t).toBeGreaterThanOrEqual(99);
    }
    expect(tr.find((t) => t.to === 'closed')!.t).toBeGreaterThanOrEqual(obs.outageStartMs + obs.outageMs);
    // The transitions were printed as steps while they happened.
    expect(cap.events.filter((e) => e.type === 'step' && /→/.test(e.text)).length).toBe(tr.length);
  });

  it('draws the same jittered delays for the same seed', async () => {
    const a = await run('circuit-breaker', 5, { outage: 60, threshold: 2, cooldown: 30 });
    const b = await run('circuit-breaker', 5, { outage: 60, threshold: 2, cooldown: 30 });
    expect(a.obs.jitterDelays).toEqual(b.obs.jitterDelays);
    for (const [d1, d2, d3] of a.obs.jitterDelays as number[][]) {
      expect(d1).toBeLessThan(50);
      expect(d2).toBeLessThan(100);
      expect(d3).toBeLessThan(200);
    }
    expect(a.obs.phases.find((p: { strategy: string }) => p.strategy === 'naive-retry').clientRequests).toBe(a.obs.requests);
  });
});
