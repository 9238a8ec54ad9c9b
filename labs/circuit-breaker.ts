/**
 * Lab: retry storms and circuit breakers. A real HTTP dependency on 127.0.0.1 answers 503, slowly, for a
 * window, then recovers. The same stream of client requests reaches it three ways: naive immediate retries,
 * capped exponential backoff with full jitter, and a circuit breaker. The server counts every call it gets;
 * the breaker logs its transitions as they happen. Real time, kept to a few hundred ms per strategy.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, startServer, type LocalServer } from '../src/labs/http-harness.js';
import { backoffDelay, type BackoffPolicy } from '../src/labs/retry-backoff.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';
import { createRng } from '../src/util/random.js';

type Strategy = 'naive-retry' | 'backoff-jitter' | 'circuit-breaker';
type BreakerState = 'closed' | 'open' | 'half-open';

const INTERVAL_MS = 20;
const OUTAGE_START_MS = 50;
const AFTER_OUTAGE_MS = 200;
const SLOW_FAIL_MS = 20;
const ATTEMPTS = 4;
const BACKOFF: BackoffPolicy = { baseMs: 50, capMs: 400, jitter: 'full' };

class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
}

interface Transition {
  readonly t: number;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly reason: string;
}

/**
 * Closed: calls pass, consecutive failures are counted. At `threshold` it opens: calls fail at once without
 * reaching the dependency. The first call after `cooldownMs` is let through as a trial (half-open): success
 * closes the breaker, failure opens it again for another cooldown.
 */
function createBreaker(threshold: number, cooldownMs: number, now: () => number, onTransition: (t: Transition) => void) {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let trialInFlight = false;
  const move = (to: BreakerState, reason: string) => {
    const t: Transition = { t: Math.round(now()), from: state, to, reason };
    state = to;
    onTransition(t);
  };
  return {
    get state() {
      return state;
    },
    async call<T>(fn: () => Promise<T>): Promise<T> {
      if (state === 'open') {
        if (now() - openedAt < cooldownMs) throw new CircuitOpenError('circuit open');
        move('half-open', `cooldown of ${cooldownMs} ms over: this call is the trial`);
      }
      if (state === 'half-open') {
        if (trialInFlight) throw new CircuitOpenError('circuit half-open: trial in flight');
        trialInFlight = true;
      }
      const trial = state === 'half-open';
      try {
        const result = await fn();
        if (trial) move('closed', 'trial call succeeded');
        failures = 0;
        return result;
      } catch (error) {
        if (trial) {
          openedAt = now();
          move('open', `trial call failed (${(error as Error).message})`);
        } else if (state === 'closed' && ++failures >= threshold) {
          openedAt = now();
          move('open', `${failures} consecutive failures`);
        }
        throw error;
      } finally {
        if (trial) trialInFlight = false;
      }
    },
  };
}

interface ClientResult {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly calls: number;
  readonly error?: string;
}

interface PhaseResult {
  readonly strategy: Strategy;
  readonly clientRequests: number;
  readonly clientFailures: number;
  /** Client requests that started while the dependency was failing. */
  readonly requestsDuringOutage: number;
  readonly dependencyCalls: number;
  readonly callsDuringOutage: number;
  /** Dependency calls during the outage per client request made during it. */
  readonly amplification: number;
  /** Most calls the server received for one client request, and the average over the requests that failed. */
  readonly maxCallsPerRequest: number;
  readonly callsPerFailedRequest: number;
  /** Median time of one HTTP call (client side). */
  readonly callP50Ms: number;
  /** Median time a failing client request took to fail. */
  readonly failureP50Ms: number;
  /** How long after the dependency recovered clients still saw failures (0: none after). */
  readonly failingAfterRecoveryMs: number;
  readonly firstSuccessAfterRecoveryMs: number | null;
  readonly transitions: Transition[];
  readonly rejectedByBreaker: number;
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const outageMs = ctx.params.outage ?? 300;
  const threshold = ctx.params.threshold ?? 5;
  const cooldownMs = ctx.params.cooldown ?? 100;
  const outageEnd = OUTAGE_START_MS + outageMs;
  const trafficMs = outageEnd + AFTER_OUTAGE_MS;
  const requests = Math.floor(trafficMs / INTERVAL_MS);

  // Each client request gets its own seeded jitter stream, drawn up front, so its delays do not depend on timing.
  const jitterSeeds = Array.from({ length: requests }, () => Math.floor(ctx.rng() * 2 ** 32));

  out.say(
    `A dependency on 127.0.0.1 that answers 503, after ${SLOW_FAIL_MS} ms, from t=${OUTAGE_START_MS} ms to t=${outageEnd} ms, and 200 at once otherwise. A client request arrives every ${INTERVAL_MS} ms for ${trafficMs} ms (${requests} in all), and each strategy gets the same stream. The server counts every call it receives.`,
  );
  let guess: number | undefined;
  const choices = ['1', '2', String(ATTEMPTS), String(ATTEMPTS * ATTEMPTS)];
  if (ctx.prompts) guess = await ctx.prompts.predictChoice(`a client request keeps getting 503. With up to ${ATTEMPTS} attempts and no delay, how many calls does the dependency receive for it?`, choices);

  const phases: PhaseResult[] = [];
  for (const strategy of ['naive-retry', 'backoff-jitter', 'circuit-breaker'] as const) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const calls: { t: number; status: number; request: number }[] = [];
    let t0 = 0;
    const now = () => performance.now() - t0;
    let counting = false;
    const server: LocalServer = await startServer(ctx, (req, res) => {
      if (!counting) {
        res.writeHead(204);
        res.end();
        return;
      }
      const t = now();
      const failing = t >= OUTAGE_START_MS && t < outageEnd;
      calls.push({ t, status: failing ? 503 : 200, request: Number(req.headers['x-client-request']) });
      if (!failing) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"rate":1.08}');
        return;
      }
      // Failing and slow: an overloaded service takes its time to say no.
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(503, { 'retry-after': '1' });
        res.end('Service Unavailable');
      }, SLOW_FAIL_MS);
    });

    const transitions: Transition[] = [];
    // Many sleeps wait on the lab's signal at once; that is expected, not a leak.
    setMaxListeners(requests * 2 + 10, ctx.signal);
    const heading = { 'naive-retry': `(a) Naive retries: up to ${ATTEMPTS} attempts, no delay`, 'backoff-jitter': `(b) Backoff: up to ${ATTEMPTS} attempts, full jitter`, 'circuit-breaker': `(c) Circuit breaker: ${threshold} failures open it` }[strategy];
    out.heading(heading);
    if (strategy === 'naive-retry') out.code(`for (let i = 0; i < ${ATTEMPTS}; i++) {\n  const r = await get('/rates');\n  if (r.status < 500) return r;   // retry at once on 5xx\n}`);
    if (strategy === 'backoff-jitter')
      out.code(`for (let i = 1; i <= ${ATTEMPTS}; i++) {\n  const r = await get('/rates');\n  if (r.status < 500 || i === ${ATTEMPTS}) return r;\n  await sleep(random() * Math.min(${BACKOFF.capMs}, ${BACKOFF.baseMs} * 2 ** (i - 1)));\n}`);
    if (strategy === 'circuit-breaker') {
      out.code(`breaker.call(() => get('/rates'))   // one attempt, no retry\n// opens after ${threshold} failures in a row; half-open after ${cooldownMs} ms`);
      out.say('Transitions, printed as they happen (t from the start of the traffic; the dependency fails from t=' + OUTAGE_START_MS + ' to t=' + outageEnd + '):');
    }
    const breaker = createBreaker(threshold, cooldownMs, now, (t) => {
      transitions.push(t);
      out.step(`t=${t.t} ms  ${t.from} → ${t.to}`, t.reason, { ...t });
    });

    const attemptMs: number[] = [];
    const attempt = async (i: number): Promise<void> => {
      const r = await server.get('/rates', { 'x-client-request': String(i) });
      attemptMs.push(r.ms);
      if (r.status >= 500) throw new Error(`${r.status}`);
    };
    const clientRequest = async (i: number): Promise<ClientResult> => {
      const start = now();
      let callsMade = 0;
      const rng = createRng(jitterSeeds[i]!);
      try {
        if (strategy === 'circuit-breaker') {
          callsMade = 1;
          await breaker.call(() => attempt(i));
        } else {
          for (let n = 1; ; n++) {
            callsMade = n;
            try {
              await attempt(i);
              break;
            } catch (error) {
              if (n >= ATTEMPTS) throw error;
              if (strategy === 'backoff-jitter') await sleep(backoffDelay(n, BACKOFF, rng), undefined, { signal: ctx.signal });
            }
          }
        }
        return { start, end: now(), ok: true, calls: callsMade };
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const rejected = error instanceof CircuitOpenError;
        return { start, end: now(), ok: false, calls: rejected ? 0 : callsMade, error: rejected ? 'circuit-open' : (error as Error).message };
      }
    };

    // Warm up (connections, JIT) so that the first measured requests are not slower than the rest.
    for (let i = 0; i < 4; i++) await Promise.all(Array.from({ length: 4 }, () => server.get('/warmup')));
    counting = true;
    t0 = performance.now();
    const pending: Promise<ClientResult>[] = [];
    for (let i = 0; i < requests; i++) {
      const wait = t0 + i * INTERVAL_MS - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: ctx.signal });
      const request = clientRequest(i);
      // If the lab is stopped before Promise.all below, the requests still in flight must not reject unhandled.
      request.catch(() => undefined);
      pending.push(request);
    }
    const results = await Promise.all(pending);
    if (ctx.signal.aborted) throw ctx.signal.reason;

    const failures = results.filter((r) => !r.ok);
    const inOutage = (t: number) => t >= OUTAGE_START_MS && t < outageEnd;
    const requestsDuringOutage = results.filter((r) => inOutage(r.start)).length;
    const callsDuringOutage = calls.filter((c) => inOutage(c.t)).length;
    // The server's own count of calls per client request (each call carries the client request's number).
    const perRequest = new Map<number, number>();
    for (const c of calls) perRequest.set(c.request, (perRequest.get(c.request) ?? 0) + 1);
    const failedIds = results.map((r, i) => (r.ok ? -1 : i)).filter((i) => i >= 0 && perRequest.has(i));
    const lastFailureEnd = Math.max(-Infinity, ...failures.map((f) => f.end));
    const firstSuccess = results.filter((r) => r.ok && r.end >= outageEnd).map((r) => r.end);
    const phase: PhaseResult = {
      strategy,
      clientRequests: results.length,
      clientFailures: failures.length,
      requestsDuringOutage,
      dependencyCalls: calls.length,
      callsDuringOutage,
      amplification: Math.round((callsDuringOutage / Math.max(1, requestsDuringOutage)) * 10) / 10,
      maxCallsPerRequest: Math.max(0, ...perRequest.values()),
      callsPerFailedRequest: failedIds.length ? Math.round((failedIds.reduce((s, i) => s + perRequest.get(i)!, 0) / failedIds.length) * 10) / 10 : 0,
      callP50Ms: Math.round(percentile(attemptMs, 50)),
      failureP50Ms: Math.round(percentile(failures.map((f) => f.end - f.start), 50)),
      failingAfterRecoveryMs: Math.max(0, Math.round(lastFailureEnd - outageEnd)),
      firstSuccessAfterRecoveryMs: firstSuccess.length ? Math.round(Math.min(...firstSuccess) - outageEnd) : null,
      transitions,
      rejectedByBreaker: failures.filter((f) => f.error === 'circuit-open').length,
    };
    phases.push(phase);

    const recovered = phase.firstSuccessAfterRecoveryMs === null ? 'never' : `+${phase.firstSuccessAfterRecoveryMs} ms`;
    out.figure('client requests / failed', `${phase.clientRequests} / ${phase.clientFailures}`, phase.rejectedByBreaker ? `${phase.rejectedByBreaker} rejected by the open breaker` : undefined);
    out.figure('calls the dependency received', phase.dependencyCalls, `${phase.callsDuringOutage} during the outage`);
    out.figure('calls per request in the outage', phase.amplification.toFixed(1), `${phase.callsDuringOutage} calls / ${phase.requestsDuringOutage} requests`);
    out.figure('server calls per failed request', phase.callsPerFailedRequest.toFixed(1), `most for one request: ${phase.maxCallsPerRequest}`);
    out.figure('one HTTP call took (p50)', `${phase.callP50Ms} ms`);
    out.figure('a failed request took (p50)', phase.clientFailures ? `${phase.failureP50Ms} ms` : 'none failed');
    out.figure('first success after recovery', recovered, `failures until +${phase.failingAfterRecoveryMs} ms`);
    if (strategy === 'naive-retry') {
      if (guess !== undefined) {
        const actual = choices.indexOf(String(phase.maxCallsPerRequest));
        out.say(guess === actual ? `Right: ${phase.maxCallsPerRequest} calls for each request that kept failing.` : `The server counted ${phase.maxCallsPerRequest} calls for each request that kept failing.`);
      }
      out.step(
        `The outage turned ${phase.requestsDuringOutage} client requests into ${phase.callsDuringOutage} calls`,
        `Every failed attempt is retried at once, so a request that keeps failing costs the dependency ${ATTEMPTS} calls (the server counted up to ${phase.maxCallsPerRequest} for one request${phase.clientFailures ? `, ${phase.callsPerFailedRequest.toFixed(1)} per failed request` : ''}), exactly when it is weakest: the retry storm. ${phase.amplification < ATTEMPTS ? `Requests that arrived near the end got through on a retry after the recovery, so the average during the outage was ${phase.amplification.toFixed(1)}.` : `The average during the outage was ${phase.amplification.toFixed(1)}.`} A second retrying layer would multiply it again (${ATTEMPTS} × ${ATTEMPTS}).`,
        { ...phase, transitions: [] },
      );
    } else if (strategy === 'backoff-jitter') {
      const naive = phases[0]!;
      out.step(
        `${phase.callsDuringOutage} calls during the outage (naive: ${naive.callsDuringOutage}); ${phase.clientFailures} client failures (naive: ${naive.clientFailures})`,
        `Each retry waits a random time below a doubling ceiling (${BACKOFF.baseMs}, ${BACKOFF.baseMs * 2}, ${BACKOFF.baseMs * 4} ms), so the retries of one request are spread over a longer stretch and the later ones can land after the recovery and succeed. The same ${ATTEMPTS} attempts still reach the dependency for a request that keeps failing (${phase.maxCallsPerRequest} at most here): backoff spreads the load, it does not remove it. ${phase.clientFailures ? `The price is latency: a failed request took ${phase.failureP50Ms} ms (p50) to fail.` : ''}`,
        { ...phase, transitions: [] },
      );
    } else {
      const opened = transitions.filter((t) => t.to === 'open').length;
      const closedAt = transitions.find((t) => t.to === 'closed')?.t;
      out.step(
        `${phase.callsDuringOutage} calls reached the failing dependency; ${phase.rejectedByBreaker} requests failed fast`,
        opened === 0
          ? `The breaker never opened: the outage never produced ${threshold} failures in a row, so every request went through, as with no breaker at all.`
          : `The breaker opened ${opened} time${opened === 1 ? '' : 's'}; while open, requests failed in ${phase.failureP50Ms} ms (p50) without a network call. ${closedAt !== undefined ? `It closed at t=${closedAt} ms, ${closedAt - outageEnd} ms after the dependency recovered: recovery is noticed only at the next trial${phase.failingAfterRecoveryMs > 0 ? `, so clients kept failing meanwhile (until +${phase.failingAfterRecoveryMs} ms)` : ''}.` : 'It had not closed when the traffic stopped.'}`,
        { ...phase, transitions: transitions.map((t) => ({ ...t })) },
      );
    }
  }

  out.heading('Side by side');
  out.table([
    ['strategy', 'calls', 'in outage', 'per req.', 'failed', 'fail p50', 'recovered'],
    ...phases.map((p) => [p.strategy, p.dependencyCalls, p.callsDuringOutage, p.amplification.toFixed(1), p.clientFailures, `${p.failureP50Ms} ms`, p.firstSuccessAfterRecoveryMs === null ? 'never' : `+${p.firstSuccessAfterRecoveryMs} ms`]),
  ]);
  out.say('"calls": received by the dependency; "per req.": calls per client request during the outage; "recovered": first successful client request after the dependency came back.');
  out.say('Calls the dependency received during the outage:');
  out.bars(phases.map((p) => ({ label: p.strategy, value: p.callsDuringOutage })));

  out.takeaways([
    'Immediate retries multiply the load on a failing dependency by the attempt count, and nested layers multiply again.',
    'Backoff with full jitter spreads retries out; retries that land after recovery succeed, at the cost of latency.',
    'A circuit breaker stops calling a dependency that keeps failing: requests fail fast and it gets room to recover, but recovery is noticed only at the next trial call.',
    'Retry only idempotent calls, at one layer, with a cap; count 5xx and timeouts as failures, not 4xx.',
  ]);

  return {
    outageMs,
    outageStartMs: OUTAGE_START_MS,
    threshold,
    cooldownMs,
    requests,
    attempts: ATTEMPTS,
    phases: phases.map((p) => ({ ...p, transitions: p.transitions.map((t) => ({ ...t })) })),
    jitterDelays: jitterSeeds.slice(0, 3).map((s) => {
      const rng = createRng(s);
      return [1, 2, 3].map((n) => backoffDelay(n, BACKOFF, rng));
    }),
  };
}
