/**
 * Lab: webhooks. A sender signs each delivery with HMAC-SHA256 over `timestamp.body` (a Stripe-style
 * `t=…,v1=…` header); a receiver on a real local HTTP server verifies it over the raw bytes with
 * timingSafeEqual, enforces a timestamp tolerance and deduplicates by event id. Valid, tampered, replayed
 * and re-delivered requests are sent for real. Then deliveries are retried with capped exponential backoff
 * and full jitter (on a virtual clock) to a flaky receiver that answers 500 or times out on its first
 * attempts: attempts and final outcome per event, and how often each event was processed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startServer } from '../src/labs/http-harness.js';
import { sendRequest, type WireReply } from '../src/labs/http-wire-client.js';
import { backoffCeiling, backoffDelay, type BackoffPolicy } from '../src/labs/retry-backoff.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const TOLERANCE_S = 300;
const EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z: where the virtual clock starts
const BACKOFF: BackoffPolicy = { baseMs: 60_000, capMs: 6 * 3600_000, jitter: 'full' };
const EVENT_TYPES = ['invoice.paid', 'charge.refunded', 'customer.updated', 'payout.sent', 'order.shipped'];

type Failure = '500' | 'timeout';

interface WebhookEvent {
  readonly id: string;
  readonly type: string;
  readonly body: string;
}

function sign(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

/** `t=<unix seconds>,v1=<hex hmac>` (several v1 are allowed, e.g. during a secret rotation). */
function signatureHeader(secret: string, t: number, body: string): string {
  return `t=${t},v1=${sign(secret, t, body)}`;
}

type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The receiver's check, over the exact bytes received. Signature first (so a stale but authentic request is
 * told apart from a forged one), compared in constant time; then the timestamp against the tolerance.
 */
export function verify(secret: string, header: string | undefined, raw: Buffer, now: number, toleranceS = TOLERANCE_S): Verdict {
  const parts = (header ?? '').split(',').map((p) => p.trim().split('=') as [string, string?]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const v1s = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => Buffer.from(v!, 'hex'));
  if (!Number.isInteger(t) || v1s.length === 0) return { ok: false, reason: 'malformed signature header' };
  const expected = createHmac('sha256', secret).update(`${t}.`).update(raw).digest();
  // timingSafeEqual takes as long whatever the first differing byte: no leak of how much of a guess was right.
  const match = v1s.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
  if (!match) return { ok: false, reason: 'signature mismatch' };
  if (Math.abs(now - t) > toleranceS) {
    const age = now > t ? `${now - t} s old` : `${t - now} s in the future`;
    return { ok: false, reason: `timestamp ${age} (tolerance ${toleranceS} s)` };
  }
  return { ok: true };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const json = (res: ServerResponse, status: number, body: Record<string, string | number>) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** 15s, 2m05s, 3h07m: compact enough for a table. */
const fmtDuration = (ms: number) => {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

interface AttemptLog {
  readonly attempt: number;
  /** Virtual ms since the event was first sent. */
  readonly atMs: number;
  readonly result: string;
  /** Backoff ceiling and the jittered delay drawn before the next attempt (0 when none follows). */
  readonly ceilingMs: number;
  readonly delayMs: number;
  /** The receiver's handler reached processing for this attempt before the sender got an answer or gave up. */
  readonly handled: boolean;
}

/** Split a list of short words into lines of at most `width` characters (a table cell over several rows). */
const wrapWords = (words: readonly string[], width: number): string[] =>
  words.reduce<string[]>((lines, w) => {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + w.length <= width) lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
    return lines;
  }, []);

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const eventCount = Math.max(1, Math.min(20, Math.round(ctx.params.events ?? 5)));
  const maxAttempts = Math.max(1, Math.min(10, Math.round(ctx.params.maxAttempts ?? 6)));
  const timeoutMs = Math.max(100, Math.min(2000, Math.round(ctx.params.timeoutMs ?? 200)));

  const rnd = (n: number) => Math.floor(ctx.rng() * n);
  const secret = `whsec_${Buffer.from(Array.from({ length: 18 }, () => rnd(256))).toString('base64url')}`;
  const makeEvent = (n: number): WebhookEvent => {
    const id = `evt_${Array.from({ length: 6 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[rnd(36)]).join('')}`;
    const type = EVENT_TYPES[n % EVENT_TYPES.length]!;
    const event = { id, type, created: EPOCH, data: { object: { id: `in_${1000 + rnd(9000)}`, amount: 500 + rnd(20_000), currency: 'eur' } } };
    // Pretty-printed, as Stripe sends it: the exact bytes matter, not the JSON value.
    return { id, type, body: JSON.stringify(event, null, 2) };
  };

  // The virtual clock both sides read (unix seconds): lets the lab step minutes forward without waiting.
  let now = EPOCH;

  // ---------------------------------------------------------------- the receiver
  /** Event ids whose side effect ran: the dedup store. */
  const processed = new Set<string>();
  const processedCount = (id: string) => (processed.has(id) ? 1 : 0);
  /** Deliveries that passed verification and reached the dedup check, per event id. */
  const reachedProcessing = new Map<string, number>();
  const flakyPlan = new Map<string, readonly Failure[]>();
  const flakyAttempts = new Map<string, number>();
  /** Part 2 runs each event's retries on its own virtual timeline: the receiver reads that event's clock. */
  const eventClock = new Map<string, number>();
  const handleVerified = (eventId: string, res: ServerResponse | undefined) => {
    reachedProcessing.set(eventId, (reachedProcessing.get(eventId) ?? 0) + 1);
    // Deduplicate by event id: in production an insert into processed_events with a unique key, in the same
    // transaction as the side effect.
    if (processed.has(eventId)) {
      if (res) json(res, 200, { result: 'duplicate', note: 'already processed' });
      return;
    }
    processed.add(eventId);
    if (res) json(res, 200, { result: 'processed' });
  };
  const server = await startServer(ctx, (req, res) => {
    readBody(req)
      .then((raw) => {
        const header = req.headers['webhook-signature'];
        const sig = typeof header === 'string' ? header : undefined;
        if (req.method !== 'POST') return json(res, 405, { error: 'POST only' });
        if (req.url === '/flaky') {
          const id = String(req.headers['webhook-id'] ?? '');
          const n = (flakyAttempts.get(id) ?? 0) + 1;
          flakyAttempts.set(id, n);
          const failure = flakyPlan.get(id)?.[n - 1];
          // A failing dependency before anything was done: 500, nothing processed.
          if (failure === '500') return json(res, 500, { error: 'database unavailable' });
          const v = verify(secret, sig, raw, eventClock.get(id) ?? now);
          if (!v.ok) return json(res, 400, { result: 'rejected', reason: v.reason });
          // Slow: the work is done, but the answer comes after the sender gave up (the socket just stays open).
          if (failure === 'timeout') return handleVerified(id, undefined);
          return handleVerified(id, res);
        }
        // A receiver bug: verifying the re-serialised parsed JSON instead of the bytes that were signed.
        const bytes = req.url === '/webhooks-parsed' ? Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')))) : raw;
        const v = verify(secret, sig, bytes, now);
        if (!v.ok) return json(res, 400, { result: 'rejected', reason: v.reason });
        const id = (JSON.parse(raw.toString('utf8')) as { id: string }).id;
        return handleVerified(id, res);
      })
      .catch((e: Error) => json(res, 500, { error: e.message }));
  });

  const deliver = (path: string, ev: { id: string; body: string }, header: string, signal = ctx.signal): Promise<WireReply> =>
    sendRequest({ signal }, server.port, {
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/json', 'Webhook-Id': ev.id, 'Webhook-Signature': header },
      body: ev.body,
    });
  const verdict = (r: WireReply) => {
    const b = JSON.parse(r.body.toString('utf8')) as { result?: string; reason?: string };
    return b.reason ?? b.result ?? '';
  };

  out.say(
    `A sender and a receiver share a secret (${secret.slice(0, 12)}…, from the seeded rng). The receiver is a real HTTP server on 127.0.0.1:${server.port}; every delivery below is a real POST. Timestamps come from a virtual clock both sides read, starting at ${new Date(EPOCH * 1000).toISOString()}, so the lab can jump minutes ahead.`,
  );

  // ---------------------------------------------------------------- part 1: signatures
  out.heading('1. A signed delivery');
  const ev1 = makeEvent(0);
  const t1 = now;
  const header1 = signatureHeader(secret, t1, ev1.body);
  const mac1 = header1.slice(header1.indexOf('v1=') + 3);
  out.code(
    [
      'POST /webhooks HTTP/1.1',
      'Content-Type: application/json',
      `Webhook-Id: ${ev1.id}`,
      `Webhook-Signature: t=${t1},`,
      `    v1=${mac1}`,
      '',
      ...ev1.body.split('\n').slice(0, 4),
      `  … (${Buffer.byteLength(ev1.body)} bytes in all)`,
    ].join('\n'),
  );
  out.say('The Webhook-Signature header is one line (wrapped here). The signed string is the timestamp, a dot, and the raw body:');
  out.code(`v1 = hex(HMAC-SHA256(secret, "${t1}." + body))`);

  const rows: (string | number)[][] = [['delivery', 'status', 'receiver says']];
  const part1: { case: string; status: number; verdict: string }[] = [];
  const record = (label: string, r: WireReply) => {
    const v = verdict(r);
    rows.push([label, r.status, v]);
    part1.push({ case: label, status: r.status, verdict: v });
    return v;
  };

  const ok1 = await deliver('/webhooks', ev1, header1);
  record('valid', ok1);
  out.step(
    `Valid delivery: ${ok1.status} ${verdict(ok1)}`,
    'The receiver recomputed the HMAC over the bytes it received with its copy of the secret and compared it with v1 using crypto.timingSafeEqual; the timestamp was within the tolerance.',
    { case: 'valid', status: ok1.status, verdict: verdict(ok1) },
  );

  const tampered = ev1.body.replace(/"amount": (\d+)/, (_m, a: string) => `"amount": ${Number(a) * 100}`);
  const tamperedReply = await deliver('/webhooks', { id: ev1.id, body: tampered }, header1);
  record('amount × 100, same header', tamperedReply);
  out.step(
    `Tampered body: ${tamperedReply.status} ${verdict(tamperedReply)}`,
    'Changing one number changes the HMAC completely; without the secret nobody can compute the matching v1.',
    { case: 'tampered', status: tamperedReply.status, verdict: verdict(tamperedReply) },
  );

  const ev2 = makeEvent(1);
  const parsedReply = await deliver('/webhooks-parsed', ev2, signatureHeader(secret, now, ev2.body));
  record('verified over parsed JSON', parsedReply);
  out.step(
    `Receiver verifying JSON.stringify(req.body): ${parsedReply.status} ${verdict(parsedReply)}`,
    `A real, untouched delivery, but this route re-serialised the parsed JSON (${Buffer.from(JSON.stringify(JSON.parse(ev2.body))).length} bytes instead of ${Buffer.byteLength(ev2.body)}): different bytes, different HMAC. Verify the raw body, before any JSON middleware.`,
    { case: 'parsed-json', status: parsedReply.status, verdict: verdict(parsedReply) },
  );

  let predicted: number | undefined;
  const choices = ['accepted: the signature is valid', 'rejected: the timestamp is too old', 'accepted, then ignored as a duplicate'];
  if (ctx.prompts) {
    predicted = await ctx.prompts.predictChoice(
      'an attacker captured the valid delivery and re-sends it byte for byte 10 minutes later. What does the receiver do?',
      choices,
    );
  }
  now += 600;
  const replay = await deliver('/webhooks', ev1, header1);
  const replayVerdict = record('replay, 10 min later', replay);
  const forgedHeader = `t=${now},v1=${mac1}`;
  const forged = await deliver('/webhooks', ev1, forgedHeader);
  record('replay with t= set to now', forged);
  out.step(
    `Replay after 600 s: ${replay.status} ${replayVerdict}`,
    `The signature is authentic, but t=${t1} is more than ${TOLERANCE_S} s from the receiver's clock. The tolerance bounds the replay window; within it, the event-id dedup below catches repeats.`,
    { case: 'replay', status: replay.status, verdict: replayVerdict },
  );
  if (predicted !== undefined) {
    const observed = replay.status === 200 ? (replayVerdict === 'duplicate' ? 2 : 0) : replayVerdict.startsWith('timestamp') ? 1 : -1;
    out.say(predicted === observed ? `You predicted "${choices[predicted]}": right.` : `You predicted "${choices[predicted]}"; the receiver answered ${replay.status}: ${replayVerdict}.`);
  }
  out.step(
    `Same replay with a fresh t=: ${forged.status} ${verdict(forged)}`,
    'The timestamp is inside the signed string, so the attacker cannot update it without the secret.',
    { case: 'forged-timestamp', status: forged.status, verdict: verdict(forged) },
  );

  const redelivery = await deliver('/webhooks', ev1, signatureHeader(secret, now, ev1.body));
  record('sender re-delivers event 1', redelivery);
  out.step(
    `Legitimate re-delivery of ${ev1.id}, freshly signed: ${redelivery.status} ${verdict(redelivery)}`,
    `Senders deliver at least once, so the same event can arrive again (a retry after a lost response). The receiver keeps the ids it processed: ${ev1.id} reached the dedup check ${times(reachedProcessing.get(ev1.id) ?? 0)} and was processed ${times(processedCount(ev1.id))}. Answer 200 to a duplicate, or the sender keeps retrying it until it gives up.`,
    { case: 'redelivery', status: redelivery.status, verdict: verdict(redelivery), processed: processedCount(ev1.id) },
  );
  out.table(rows);

  // ---------------------------------------------------------------- part 2: retries
  out.heading('2. Retries with exponential backoff');
  // Failure plans (seeded): what the receiver does on attempt 1, 2, … of each event before it succeeds.
  const shapes: Failure[][] = [
    [],
    ['500', '500'],
    ['timeout'],
    ['500', 'timeout', '500'],
    Array.from({ length: maxAttempts }, (_, i): Failure => (i === 1 ? 'timeout' : '500')),
  ];
  const events = Array.from({ length: eventCount }, (_, i) => makeEvent(i + 2));
  const plans = events.map((_, i) =>
    i < shapes.length ? shapes[i]! : Array.from({ length: rnd(maxAttempts + 1) }, (): Failure => (ctx.rng() < 0.3 ? 'timeout' : '500')),
  );
  // Deal the plans to events in a seeded order, and draw every jitter up front: the rng sequence does not
  // depend on how many attempts each event needed.
  for (let i = plans.length - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [plans[i], plans[j]] = [plans[j]!, plans[i]!];
  }
  events.forEach((e, i) => flakyPlan.set(e.id, plans[i]!));
  const delays = events.map(() => Array.from({ length: maxAttempts }, (_, r) => backoffDelay(r + 1, BACKOFF, ctx.rng)));
  const failing = plans.filter((p) => p.length > 0).length;
  out.say(
    `${count(eventCount, 'event')} ${eventCount === 1 ? 'goes' : 'go'} to a flaky receiver. Each attempt is a real POST. ${
      failing ? `For ${failing} of ${count(eventCount, 'event')}` : 'For none of them'
    } the receiver's first answers are failures, planned from the seed: 500 (a dependency down, nothing done), or no answer although the work was done (the sender gives up after ${timeoutMs} ms of real time). ${
      maxAttempts > 1
        ? `The sender makes up to ${count(maxAttempts, 'attempt')} in all, waiting a random delay between 0 and min(6 h, 1 min × 2^(n−1)) before retry n (full jitter). The waits are on a virtual clock, one timeline per event, read by both sides.`
        : 'The sender makes a single attempt (maxAttempts = 1): no retries.'
    }`,
  );

  // One event after another (each on its own virtual timeline), so the real timeouts are the only slow part.
  const deliverWithRetries = async (ev: WebhookEvent, e: number) => {
    const attempts: AttemptLog[] = [];
    let atMs = 0;
    let outcome = 'gave up';
    for (let n = 1; n <= maxAttempts; n++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const t = now + Math.floor(atMs / 1000);
      eventClock.set(ev.id, t);
      const header = signatureHeader(secret, t, ev.body);
      const reachedBefore = reachedProcessing.get(ev.id) ?? 0;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error('timeout')), timeoutMs);
      let result: string;
      try {
        const r = await deliver('/flaky', ev, header, AbortSignal.any([ctx.signal, timeout.signal]));
        result = r.status === 200 ? `200 ${verdict(r)}` : String(r.status);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        result = 'timeout';
      } finally {
        clearTimeout(timer);
      }
      // Read when the sender got its answer or gave up: did this attempt's work happen before that?
      const handled = (reachedProcessing.get(ev.id) ?? 0) > reachedBefore;
      const last = result.startsWith('200') || n === maxAttempts;
      const ceilingMs = last ? 0 : backoffCeiling(n, BACKOFF);
      const delayMs = last ? 0 : delays[e]![n - 1]!;
      attempts.push({ attempt: n, atMs, result, ceilingMs, delayMs, handled });
      if (result.startsWith('200')) {
        outcome = 'delivered';
        break;
      }
      atMs += delayMs;
    }
    return { id: ev.id, plan: flakyPlan.get(ev.id)!, attempts, outcome, totalMs: attempts.at(-1)!.atMs };
  };
  const results: Awaited<ReturnType<typeof deliverWithRetries>>[] = [];
  for (const [e, ev] of events.entries()) results.push(await deliverWithRetries(ev, e));

  const short = (r: string) => (r === '200 processed' ? '200' : r === '200 duplicate' ? '200 dup' : r === 'timeout' ? 't/o' : r);
  // Up to 10 responses do not fit one 76-column row: the column wraps onto continuation rows.
  const RESPONSES_WIDTH = 23;
  out.table([
    ['event', 'tries', 'responses', 'last try', 'outcome', 'processed'],
    ...results.flatMap((r) =>
      wrapWords(r.attempts.map((a) => short(a.result)), RESPONSES_WIDTH).map((line, i) =>
        i === 0 ? [r.id, r.attempts.length, line, `+${fmtDuration(r.totalMs)}`, r.outcome, processedCount(r.id)] : ['', '', line, '', '', ''],
      ),
    ),
  ]);
  out.say('t/o: the sender timed out; 200 dup: answered 200 "duplicate" (already processed). "last try" is virtual time since the first attempt.');

  const longest = [...results].filter((r) => r.outcome === 'delivered').sort((a, b) => b.attempts.length - a.attempts.length)[0];
  if (longest && longest.attempts.length > 1) {
    out.say(`${longest.id}, attempt by attempt:`);
    out.table([
      ['attempt', 'at (virtual)', 'result', 'backoff ceiling', 'waited'],
      ...longest.attempts.map((a) => [a.attempt, `+${fmtDuration(a.atMs)}`, a.result, a.ceilingMs ? fmtDuration(a.ceilingMs) : '-', a.delayMs ? fmtDuration(a.delayMs) : '-']),
    ]);
  }
  const delivered = results.filter((r) => r.outcome === 'delivered').length;
  const gaveUp = results.filter((r) => r.outcome !== 'delivered');
  const allAttempts = results.flatMap((r) => r.attempts);
  const timeouts = allAttempts.filter((a) => a.result === 'timeout').length;
  const timeoutsAfterWork = allAttempts.filter((a) => a.result === 'timeout' && a.handled).length;
  const totalAttempts = allAttempts.length;
  const reached = results.reduce((a, r) => a + (reachedProcessing.get(r.id) ?? 0), 0);
  const processedButGaveUp = gaveUp.filter((r) => processed.has(r.id)).map((r) => r.id);
  const processedTotal = results.filter((r) => processed.has(r.id)).length;
  const deduplicated = reached - processedTotal;
  const longestWait = Math.max(...results.map((r) => r.totalMs));
  out.step(
    `${delivered} of ${eventCount} delivered in ${count(totalAttempts, 'attempt')}; ${gaveUp.length} gave up after ${count(maxAttempts, 'attempt')}`,
    [
      gaveUp.length ? "An event that exhausts its attempts goes to a dead-letter list: alert, let the receiver's owner fix it, replay from a dashboard." : '',
      `Exponential backoff spaces the attempts out${longestWait ? ` (here up to +${fmtDuration(longestWait)})` : ''} so a receiver that is down for a while is not hammered; jitter keeps many failed deliveries from retrying in lockstep.`,
    ]
      .filter(Boolean)
      .join(' '),
    { delivered, gaveUp: gaveUp.length, attempts: totalAttempts },
  );
  const why = [
    timeoutsAfterWork
      ? `A timeout does not mean "not processed": in ${timeoutsAfterWork} of ${count(timeouts, 'timeout')} the receiver had already done the work when the sender gave up on the answer.`
      : timeouts
        ? 'None of the timed-out attempts had reached the handler when the sender gave up.'
        : 'No attempt timed out in this run.',
    deduplicated
      ? `${deduplicated} deliver${deduplicated === 1 ? 'y' : 'ies'} of an event already processed reached the handler; deduplication by event id skipped ${deduplicated === 1 ? 'it' : 'them'}, so no event was processed twice. Without it, each would have been a double charge or a second email.`
      : 'No event reached the handler twice, so deduplication had nothing to skip.',
    processedButGaveUp.length
      ? `${processedButGaveUp.join(', ')} gave up yet ${processedButGaveUp.length === 1 ? 'was' : 'were'} processed: the sender cannot tell, so receivers reconcile (list recent events from the sender's API).`
      : '',
    'Receivers should answer 2xx fast and do slow work from a queue.',
  ];
  out.step(
    `${count(timeouts, 'timeout')}, ${timeoutsAfterWork} with the work done; ${reached} reached the handler, ${processedTotal} processed`,
    why.filter(Boolean).join(' '),
    { timeouts, timeoutsAfterWork, reachedProcessing: reached, processed: processedTotal },
  );

  out.takeaways([
    'Sign timestamp + "." + raw body with HMAC-SHA256 and a per-endpoint secret; verify over the exact bytes received, compared with timingSafeEqual.',
    'Reject timestamps outside a tolerance (Stripe: 5 min) to bound replays; the timestamp is signed, so it cannot be refreshed.',
    'Delivery is at least once: retries and lost responses re-send events, so receivers deduplicate by event id and answer 200 to duplicates.',
    'Senders retry with capped exponential backoff and jitter, then dead-letter; receivers answer fast and queue the work.',
  ]);

  return {
    signatures: part1.map((p) => ({ ...p })),
    processedAfterRedelivery: processedCount(ev1.id),
    retries: results.map((r) => ({
      id: r.id,
      plan: [...r.plan],
      attempts: r.attempts.length,
      results: r.attempts.map((a) => a.result),
      delaysMs: r.attempts.map((a) => a.delayMs),
      outcome: r.outcome,
      processed: processedCount(r.id),
      reachedProcessing: reachedProcessing.get(r.id) ?? 0,
    })),
    delivered,
    gaveUp: gaveUp.length,
    timeouts,
    timeoutsAfterWork,
    maxAttempts,
  };
}
