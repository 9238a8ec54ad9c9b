/**
 * Lab: rate limiting. A seeded, bursty request trace is replayed on a virtual clock against a token bucket
 * and a fixed-window counter with the same long-run rate; then a real HTTP server on 127.0.0.1 enforces
 * the bucket with the real clock and answers 429 with Retry-After.
 */
import { startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

export interface Decision {
  readonly ok: boolean;
  /** Tokens left (bucket) or requests counted in the window (fixed window), after the decision. */
  readonly level: number;
  /** Seconds until a request would be allowed, when refused. */
  readonly retryAfter: number;
}

/** Tokens refill continuously at `rate` per second up to `capacity`; each request takes one. */
export function tokenBucket(capacity: number, rate: number) {
  let tokens = capacity;
  let last = 0;
  return (now: number): Decision => {
    tokens = Math.min(capacity, tokens + (now - last) * rate);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return { ok: true, level: tokens, retryAfter: 0 };
    }
    return { ok: false, level: tokens, retryAfter: (1 - tokens) / rate };
  };
}

/** At most `limit` requests per window of `windowSec`, counted from the window's start. */
export function fixedWindow(limit: number, windowSec: number) {
  let windowStart = 0;
  let count = 0;
  return (now: number): Decision => {
    const start = Math.floor(now / windowSec) * windowSec;
    if (start !== windowStart) {
      windowStart = start;
      count = 0;
    }
    if (count < limit) {
      count++;
      return { ok: true, level: count, retryAfter: 0 };
    }
    return { ok: false, level: count, retryAfter: windowStart + windowSec - now };
  };
}

interface Arrival {
  readonly t: number;
  /** Part of the injected burst (the rest is background traffic). */
  readonly burst: boolean;
}

/** Background traffic below the limit, plus one burst of twice the capacity straddling a window boundary. */
function makeTrace(rng: () => number, capacity: number, rate: number, windowSec: number): Arrival[] {
  const out: Arrival[] = [];
  const duration = windowSec * 4;
  for (let t = 0; t < duration; ) {
    t += -Math.log(1 - rng()) / (rate * 0.2); // Poisson arrivals at a fifth of the rate
    if (t < duration) out.push({ t, burst: false });
  }
  const boundary = windowSec * 2;
  const span = Math.min(0.2, windowSec / 5);
  for (let i = 0; i < capacity * 2; i++) out.push({ t: boundary - span / 2 + (span * (i + rng())) / (capacity * 2), burst: true });
  return out.map((a) => ({ ...a, t: Math.round(a.t * 1000) / 1000 })).sort((a, b) => a.t - b.t);
}

/** Most requests accepted in any interval of `len` seconds. */
function maxInInterval(acceptedAt: readonly number[], len: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < acceptedAt.length; i++) {
    while (acceptedAt[i]! - acceptedAt[j]! >= len) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const capacity = ctx.params.capacity ?? 10;
  const rate = ctx.params.rate ?? 5;
  const windowSec = capacity / rate;
  const trace = makeTrace(ctx.rng, capacity, rate, windowSec);
  const boundary = windowSec * 2;

  out.say(
    `Token bucket: capacity ${capacity}, refilled at ${rate} tokens/s. Fixed window: ${capacity} requests per ${windowSec} s window. Both allow ${rate} requests/s in the long run and a burst of ${capacity}.`,
  );
  out.say(`The trace (seeded): ${trace.length} requests over ${windowSec * 4} s, including a burst of ${capacity * 2} within 0.2 s around t=${boundary} s, a window boundary.`);
  if (ctx.prompts) {
    const guess = await ctx.prompts.predictChoice(`of the ${capacity * 2} burst requests, how many does the fixed window accept?`, [
      `about ${capacity / 2}: the window is already partly used`,
      `${capacity}: the limit`,
      `up to ${capacity * 2}: the end of one window plus the start of the next`,
    ]);
    if (guess !== undefined) out.say('Here is what the replay counted.');
  }

  const bucket = tokenBucket(capacity, rate);
  const fixed = fixedWindow(capacity, windowSec);
  const rows: (string | number)[][] = [['t (s)', 'request', 'token bucket', 'tokens left', 'fixed window', 'in window']];
  const accepted = { bucket: [] as number[], fixed: [] as number[] };
  const burstAccepted = { bucket: 0, fixed: 0 };
  const lo = boundary - 0.1;
  const hi = boundary + 0.1;
  for (const { t, burst } of trace) {
    const b = bucket(t);
    const f = fixed(t);
    if (b.ok) accepted.bucket.push(t);
    if (f.ok) accepted.fixed.push(t);
    if (burst) {
      if (b.ok) burstAccepted.bucket++;
      if (f.ok) burstAccepted.fixed++;
    }
    if (t >= lo && t <= hi) rows.push([t.toFixed(3), burst ? 'burst' : 'other', b.ok ? '200' : '429', b.level.toFixed(2), f.ok ? '200' : '429', f.level]);
  }
  out.heading(`The burst, request by request (t=${lo.toFixed(1)}–${hi.toFixed(1)} s)`);
  out.table(rows);
  const burstSize = trace.filter((a) => a.burst).length;
  out.step(
    `Fixed window accepted ${burstAccepted.fixed} of ${burstSize} burst requests`,
    `The window that ends at ${boundary} s still had room, and the next one starts with a fresh count of 0: a client can get up to twice the limit through in an instant.`,
    { algorithm: 'fixed-window', burst: burstSize, accepted: burstAccepted.fixed },
  );
  out.step(
    `Token bucket accepted ${burstAccepted.bucket} of ${burstSize}`,
    `It spends what it has saved (at most ${capacity}) and then only what refills, ${rate}/s: no boundary to game.`,
    { algorithm: 'token-bucket', burst: burstSize, accepted: burstAccepted.bucket },
  );
  const worst = { bucket: maxInInterval(accepted.bucket, 0.5), fixed: maxInInterval(accepted.fixed, 0.5) };
  out.heading('Over the whole trace');
  out.figure('token bucket: accepted / refused', `${accepted.bucket.length} / ${trace.length - accepted.bucket.length}`);
  out.figure('fixed window: accepted / refused', `${accepted.fixed.length} / ${trace.length - accepted.fixed.length}`);
  out.figure('most accepted in any 0.5 s', `bucket ${worst.bucket}, fixed window ${worst.fixed}`, `bucket bound: ${capacity} + ${rate} × 0.5`);

  out.heading('The same bucket on a real HTTP server');
  const limit = tokenBucket(capacity, rate);
  const t0 = performance.now();
  const server = await startServer(ctx, (_req, res) => {
    const d = limit((performance.now() - t0) / 1000);
    if (d.ok) {
      res.writeHead(200, { 'content-type': 'text/plain', 'ratelimit-remaining': String(Math.floor(d.level)) });
      res.end('ok\n');
    } else {
      // Retry-After takes whole seconds (RFC 9110), so round up.
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(Math.ceil(d.retryAfter)), 'ratelimit-remaining': '0' });
      res.end('Too Many Requests\n');
    }
  });
  const burst = capacity * 2;
  const first = await Promise.all(Array.from({ length: burst }, () => server.get('/api')));
  const ok1 = first.filter((r) => r.status === 200).length;
  const refused = first.find((r) => r.status === 429);
  out.figure(`burst of ${burst} requests`, `${ok1} × 200, ${burst - ok1} × 429`);
  if (refused) out.figure('a 429 carried', `Retry-After: ${refused.headers['retry-after']}`);
  const waitMs = Math.round((3 / rate) * 1000);
  await new Promise((r) => setTimeout(r, waitMs));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const second = await Promise.all(Array.from({ length: burst }, () => server.get('/api')));
  const ok2 = second.filter((r) => r.status === 200).length;
  out.figure(`after waiting ${waitMs} ms, ${burst} more`, `${ok2} × 200, ${burst - ok2} × 429`, `refill at ${rate}/s ≈ ${Math.floor((waitMs / 1000) * rate)} tokens`);
  out.step(
    'Real responses, counted',
    'The server refills the bucket from the real clock on each request (lazy refill: no timer needed) and refuses with 429 and Retry-After once it is empty.',
    { http: true, burst, firstAccepted: ok1, waitMs, secondAccepted: ok2 },
  );

  out.takeaways([
    'A fixed window is cheap (one counter per key and window) but lets up to twice the limit through across a boundary.',
    'A token bucket bounds any interval T by capacity + rate × T: the burst size is explicit and separate from the rate.',
    'Refill lazily from timestamps; in Redis, do the read-refill-take in one Lua script so concurrent servers cannot double-spend.',
    'Answer 429 with Retry-After so well-behaved clients back off instead of retrying at once.',
  ]);

  return {
    capacity,
    rate,
    windowSec,
    requests: trace.length,
    burst: { size: burstSize, bucketAccepted: burstAccepted.bucket, fixedAccepted: burstAccepted.fixed },
    accepted: { bucket: accepted.bucket.length, fixed: accepted.fixed.length },
    maxIn500ms: worst,
    http: { burst, firstAccepted: ok1, waitMs, secondAccepted: ok2, retryAfter: Number(refused?.headers['retry-after'] ?? 0) },
  };
}
