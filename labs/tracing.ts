/**
 * Lab: distributed tracing. Four real HTTP servers on 127.0.0.1: a gateway that handles GET /checkout by
 * calling auth, then db and pricing in parallel, propagating a W3C `traceparent` header on every hop. Each
 * service writes JSON log lines carrying the trace id (from AsyncLocalStorage) and exports its spans to a
 * collector, which rebuilds the tree from parent ids alone. Then a few hundred requests with seeded downstream
 * latencies (a heavy tail) and the percentiles of what was measured, against the mean.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { percentile, startServer, type LocalServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';
import { createRng, hashSeed, type Rng } from '../src/util/random.js';

type Service = 'gateway' | 'auth' | 'db' | 'pricing';
type Downstream = Exclude<Service, 'gateway'>;

interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | null;
  readonly service: Service;
  readonly name: string;
  readonly kind: 'server' | 'client';
  /** Creation order, to break ties between spans started in the same millisecond. */
  readonly seq: number;
  readonly start: number;
  end: number;
}

/** Seeded latency of each downstream service: a base range, and a rare slow path (the tail). */
const LATENCY: Record<Downstream, { path: string; lo: number; hi: number; slowP: number; slowLo: number; slowHi: number; slowWhy: string }> = {
  auth: { path: '/verify', lo: 2, hi: 5, slowP: 0, slowLo: 0, slowHi: 0, slowWhy: '' },
  db: { path: '/orders', lo: 6, hi: 14, slowP: 0.03, slowLo: 150, slowHi: 300, slowWhy: 'lock wait' },
  pricing: { path: '/quote', lo: 4, hi: 10, slowP: 0.01, slowLo: 60, slowHi: 120, slowWhy: 'cold cache' },
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const hex = (rng: Rng, bytes: number) => Array.from({ length: bytes }, () => Math.floor(rng() * 256).toString(16).padStart(2, '0')).join('');
const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;
const ms1 = (v: number) => Math.round(v * 10) / 10;

/** The delay a service adds for one trace: a function of (seed, trace id, service), so it does not depend on arrival order. */
function plannedDelay(seed: number, traceId: string, svc: Downstream): { ms: number; slow: boolean } {
  const l = LATENCY[svc];
  const rng = createRng(hashSeed(`${seed}:${traceId}:${svc}`));
  const base = l.lo + rng() * (l.hi - l.lo);
  const slow = rng() < l.slowP;
  return { ms: base + (slow ? l.slowLo + rng() * (l.slowHi - l.slowLo) : 0), slow };
}

interface World {
  readonly spans: Span[];
  readonly logs: string[];
  /** Phase-1 only: log lines are kept as text; in the load phase they are only counted by trace id. */
  keepLogs: boolean;
  readonly logsPerTrace: Map<string, number>;
  readonly received: { svc: Service; traceparent: string | null }[];
  readonly epoch: number;
  seq: number;
}

/** A tiny tracer per service: its own seeded span ids, the current span in AsyncLocalStorage, a JSON logger. */
function tracer(world: World, seed: number, service: Service) {
  const rng = createRng(hashSeed(`${seed}:${service}`));
  const als = new AsyncLocalStorage<Span>();
  const now = () => performance.now() - world.epoch;
  return {
    als,
    start(name: string, kind: Span['kind'], parent: { traceId: string; spanId: string } | null): Span {
      return { traceId: parent?.traceId ?? hex(rng, 16), spanId: hex(rng, 8), parentId: parent?.spanId ?? null, service, name, kind, seq: world.seq++, start: now(), end: Number.NaN };
    },
    end(span: Span) {
      span.end = now();
      world.spans.push(span); // "export" to the collector
    },
    /** One structured log line; trace and span ids come from the current span, not from arguments. */
    log(msg: string, fields: Record<string, string | number> = {}) {
      const span = als.getStore();
      const line = { level: 'info', time: Date.now(), svc: service, msg, ...fields, trace_id: span?.traceId ?? null, span_id: span?.spanId ?? null };
      if (span) world.logsPerTrace.set(span.traceId, (world.logsPerTrace.get(span.traceId) ?? 0) + 1);
      if (world.keepLogs) world.logs.push(JSON.stringify(line));
    },
  };
}

/** setTimeout as a promise; every pending timer is cleared when the lab ends or is stopped. */
function sleeper(ctx: LabContext) {
  const live = new Set<NodeJS.Timeout>();
  ctx.defer(() => {
    for (const t of live) clearTimeout(t);
    live.clear();
  });
  return (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        live.delete(t);
        resolve();
      }, ms);
      live.add(t);
    });
}

/**
 * GET with a keep-alive pool, as services talk to each other in production (the harness client opens a new
 * connection per request, which on a busy machine costs more than the whole downstream call).
 */
function pooledClient(ctx: LabContext) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  ctx.defer(() => agent.destroy());
  return (port: number, path: string, headers: Record<string, string>) => {
    const start = performance.now();
    return new Promise<{ status: number; traceId: string; ms: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, traceId: String(res.headers['x-trace-id'] ?? ''), ms: performance.now() - start }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  };
}

function fail(res: ServerResponse) {
  if (!res.headersSent) res.writeHead(500);
  res.end();
}

async function startDownstream(ctx: LabContext, world: World, svc: Downstream): Promise<LocalServer> {
  const t = tracer(world, ctx.seed, svc);
  const sleep = sleeper(ctx);
  const messages: Record<Downstream, string> = { auth: 'token verified', db: 'orders loaded', pricing: 'quote computed' };
  return startServer(ctx, (req: IncomingMessage, res: ServerResponse) => {
    const header = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : null;
    world.received.push({ svc, traceparent: header });
    const m = header ? TRACEPARENT.exec(header) : null;
    // Extract: the incoming span (the caller's client span) becomes this server span's parent.
    const span = t.start(`${svc} GET ${LATENCY[svc].path}`, 'server', m ? { traceId: m[1]!, spanId: m[2]! } : null);
    t.als
      .run(span, async () => {
        const delay = plannedDelay(ctx.seed, span.traceId, svc);
        await sleep(delay.ms);
        t.log(messages[svc], { ms: ms1(performance.now() - world.epoch - span.start), ...(delay.slow ? { note: LATENCY[svc].slowWhy } : {}) });
        t.end(span);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ svc, ok: true }));
      })
      .catch(() => fail(res));
  });
}

async function startGateway(ctx: LabContext, world: World, down: Record<Downstream, LocalServer>): Promise<LocalServer> {
  const t = tracer(world, ctx.seed, 'gateway');
  const get = pooledClient(ctx);
  const call = async (svc: Downstream, parent: Span) => {
    // A client span per outgoing call; its id travels in the header and becomes the callee's parent id.
    const client = t.start(`call ${svc}`, 'client', parent);
    const reply = await get(down[svc].port, LATENCY[svc].path, { traceparent: traceparent(client.traceId, client.spanId) });
    t.end(client);
    return reply.status;
  };
  return startServer(ctx, (req, res) => {
    const header = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : null;
    const m = header ? TRACEPARENT.exec(header) : null;
    // No valid incoming header: this service is the edge and starts a new trace.
    const span = t.start('gateway GET /checkout', 'server', m ? { traceId: m[1]!, spanId: m[2]! } : null);
    t.als
      .run(span, async () => {
        t.log('checkout started', { started_trace: m ? 'no' : 'yes' });
        await call('auth', span); // sequential: nothing else may run before the user is known
        const [orders, quote] = await Promise.all([call('db', span), call('pricing', span)]); // independent: parallel
        t.log('checkout done', { ms: ms1(performance.now() - world.epoch - span.start), status: orders === 200 && quote === 200 ? 200 : 502 });
        t.end(span);
        res.writeHead(200, { 'content-type': 'application/json', 'x-trace-id': span.traceId });
        res.end(JSON.stringify({ ok: true }));
      })
      .catch(() => fail(res));
  });
}

interface TreeRow {
  readonly span: Span;
  readonly prefix: string;
}

/** Rebuild the tree as a collector does: from parent ids only, children in start order. */
function spanTree(spans: readonly Span[], traceId: string): TreeRow[] {
  const mine = spans.filter((s) => s.traceId === traceId);
  const ids = new Set(mine.map((s) => s.spanId));
  const children = (id: string | null) =>
    mine.filter((s) => (id === null ? s.parentId === null || !ids.has(s.parentId) : s.parentId === id)).sort((a, b) => a.start - b.start || a.seq - b.seq);
  const rows: TreeRow[] = [];
  const walk = (s: Span, lead: string, self: string) => {
    rows.push({ span: s, prefix: self });
    const kids = children(s.spanId);
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      walk(k, `${lead}${last ? '   ' : '│  '}`, `${lead}${last ? '└─ ' : '├─ '}`);
    });
  };
  for (const root of children(null)) walk(root, '', '');
  return rows;
}

/** Break a JSON log line at field boundaries so it fits the terminal; continuation lines are indented. */
function wrapJson(line: string, width: number): string {
  const parts = line.slice(1, -1).split(/,(?=")/);
  const out: string[] = [];
  let cur = '{';
  for (const [i, p] of parts.entries()) {
    const piece = p + (i === parts.length - 1 ? '}' : ',');
    if (cur.length + piece.length > width && cur.trim().length > 1) {
      out.push(cur);
      cur = '  ';
    }
    cur += piece;
  }
  out.push(cur);
  return out.join('\n');
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const requests = Math.max(1, Math.round(ctx.params.requests ?? 200));
  const concurrency = Math.max(1, Math.round(ctx.params.concurrency ?? 10));
  const world: World = { spans: [], logs: [], keepLogs: false, logsPerTrace: new Map(), received: [], epoch: performance.now(), seq: 0 };
  const down = {
    auth: await startDownstream(ctx, world, 'auth'),
    db: await startDownstream(ctx, world, 'db'),
    pricing: await startDownstream(ctx, world, 'pricing'),
  };
  const gateway = await startGateway(ctx, world, down);

  out.say(
    `Four real HTTP servers on 127.0.0.1: a gateway (port ${gateway.port}) handles GET /checkout by calling auth (port ${down.auth.port}), then db (${down.db.port}) and pricing (${down.pricing.port}) in parallel with Promise.all. Every hop carries a W3C traceparent header; every service logs JSON lines and exports its spans to one collector.`,
  );
  out.code(
    [
      "await call('auth', span);                      // sequential",
      "await Promise.all([call('db', span),           // parallel",
      "                   call('pricing', span)]);",
      '// call(): start a client span, send',
      '//   traceparent: 00-<trace id>-<client span id>-01',
    ].join('\n'),
  );

  // Warm-up (not shown): the first requests on fresh servers pay for JIT compilation and lazy loading.
  const warm = createRng(hashSeed(`${ctx.seed}:warm-up`));
  for (let i = 0; i < 3; i++) await gateway.get('/checkout', { traceparent: traceparent(hex(warm, 16), hex(warm, 8)) });
  world.spans.length = 0;
  world.received.length = 0;
  world.logsPerTrace.clear();

  out.heading('1. One request, followed through every service');
  let guess: number | undefined;
  const startChoices = ['at 0 ms, together with auth', 'when auth has answered, together with db', 'when db has answered'];
  if (ctx.prompts) guess = await ctx.prompts.predictChoice('in the waterfall, where does the call to pricing start?', startChoices);
  world.keepLogs = true;
  const reply = await gateway.get('/checkout');
  world.keepLogs = false;
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const traceId = String(reply.headers['x-trace-id'] ?? '');
  out.step(
    `GET /checkout → ${reply.status}, x-trace-id: ${traceId.slice(0, 12)}…`,
    'The request came without a traceparent, so the gateway started a new trace and returned its id: the one id to quote in a bug report.',
    { status: reply.status, traceId, ms: ms1(reply.ms) },
  );

  out.say('The traceparent header each downstream service received:');
  out.code(world.received.map((r) => `→ ${r.svc.padEnd(8)} ${r.traceparent ?? '(none)'}`).join('\n'));
  const receivedIds = world.received.map((r) => TRACEPARENT.exec(r.traceparent ?? '')?.[1] ?? null);
  const sameTrace = receivedIds.every((id) => id === traceId);
  const parentIds = world.received.map((r) => TRACEPARENT.exec(r.traceparent ?? '')?.[2] ?? '');
  out.step(
    `${sameTrace ? 'Same trace id on every hop' : 'The trace id changed between hops'}; ${new Set(parentIds).size} distinct parent ${new Set(parentIds).size === 1 ? 'id' : 'ids'} for ${parentIds.length} hops`,
    'Version 00, the trace id (16 bytes), the caller’s span id (8 bytes), flags 01 = sampled. The gateway injects the id of the client span it opened for that call, so each callee knows exactly which call it serves.',
    { sameTrace, distinctParents: new Set(parentIds).size },
  );

  out.say('Every log line the four services wrote while serving it (long lines wrapped):');
  const logs = [...world.logs];
  out.code(logs.map((l) => wrapJson(l, 72)).join('\n'));
  const logTraceIds = logs.map((l) => (JSON.parse(l) as { trace_id: string | null }).trace_id);
  const logServices = [...new Set(logs.map((l) => (JSON.parse(l) as { svc: string }).svc))];
  out.step(
    `${logs.length} log lines from ${logServices.length} services, ${logTraceIds.filter((id) => id === traceId).length} with this trace id`,
    `No handler passes the id to the logger: each service keeps the current span in AsyncLocalStorage and the logger reads it. Stored centrally, one search for trace_id ${traceId.slice(0, 8)}… returns the whole request.`,
    { lines: logs.length, services: logServices, withTraceId: logTraceIds.filter((id) => id === traceId).length },
  );

  out.heading('2. The span tree, rebuilt from parent ids');
  const rows = spanTree(world.spans, traceId);
  const root = rows[0]!.span;
  const total = root.end - root.start;
  const W = 30;
  const bar = (s: Span) => {
    const a = Math.min(W - 1, Math.floor(((s.start - root.start) / total) * W));
    const b = Math.max(a + 1, Math.min(W, Math.round(((s.end - root.start) / total) * W)));
    return `${' '.repeat(a)}${'█'.repeat(b - a)}${' '.repeat(W - b)}`;
  };
  out.table([
    ['span', 'start', 'ms', `0${`${ms1(total)} ms`.padStart(W - 1)}`],
    ...rows.map((r) => [`${r.prefix}${r.span.name}`, (r.span.start - root.start).toFixed(1), (r.span.end - r.span.start).toFixed(1), bar(r.span)]),
  ]);
  const find = (name: string) => rows.find((r) => r.span.name === name)!.span;
  const [cAuth, cDb, cPricing] = [find('call auth'), find('call db'), find('call pricing')];
  const off = (v: number) => (v - root.start).toFixed(1);
  const sequential = cAuth.end <= cDb.start && cAuth.end <= cPricing.start;
  const parallel = cDb.start < cPricing.end && cPricing.start < cDb.end;
  out.step(
    `auth ends at ${off(cAuth.end)} ms; db starts at ${off(cDb.start)}, pricing at ${off(cPricing.start)}`,
    sequential
      ? 'Sequential: the gateway awaited auth before starting anything else, so auth sits alone at the front of the waterfall.'
      : 'The waterfall shows the calls overlapping with auth.',
    { authEnd: ms1(cAuth.end - root.start), dbStart: ms1(cDb.start - root.start), pricingStart: ms1(cPricing.start - root.start), sequential },
  );
  const sumChildren = [cAuth, cDb, cPricing].reduce((a, s) => a + (s.end - s.start), 0);
  out.step(
    parallel ? 'db and pricing overlap: the parallel calls share the same time span' : 'db and pricing did not overlap',
    `The three calls add up to ${sumChildren.toFixed(1)} ms and the request took ${total.toFixed(1)} ms: parallel branches cost only the slower one, so the critical path is auth + the slower of db and pricing, not the sum.`,
    { parallel, sumOfCallsMs: ms1(sumChildren), totalMs: ms1(total) },
  );
  const gaps = (['db', 'pricing'] as const).map((svc) => {
    const client = find(`call ${svc}`);
    const server = rows.find((r) => r.span.parentId === client.spanId)!.span;
    return { svc, gap: client.end - client.start - (server.end - server.start) };
  });
  out.step(
    `Client spans outlast server spans: ${gaps.map((g) => `${g.svc} +${g.gap.toFixed(1)} ms`).join(', ')}`,
    'The difference is the loopback network, HTTP parsing and waiting for a busy event loop: time the caller waited that the callee never saw. (All four servers share one clock here; across hosts, clock skew shifts child spans.)',
    { gapsMs: gaps.map((g) => ({ svc: g.svc, ms: ms1(g.gap) })) },
  );
  const actualStart = cPricing.start < cAuth.end ? 0 : cPricing.start < cDb.end ? 1 : 2;
  if (guess !== undefined) out.say(guess === actualStart ? 'Your prediction matched the waterfall.' : `The waterfall says: ${startChoices[actualStart]}.`);
  const tree = rows.map((r) => ({ name: r.span.name, kind: r.span.kind, depth: r.prefix.length / 3, parent: rows.find((p) => p.span.spanId === r.span.parentId)?.span.name ?? null }));

  out.heading(`3. ${requests} requests: percentiles against the mean`);
  out.say(
    `Now ${requests} requests, ${concurrency} at a time. Each service's delay is seeded from the trace id: db takes ${LATENCY.db.lo}–${LATENCY.db.hi} ms, and each call has a ${LATENCY.db.slowP * 100}% chance of a ${LATENCY.db.slowWhy} (+${LATENCY.db.slowLo}–${LATENCY.db.slowHi} ms); pricing ${LATENCY.pricing.lo}–${LATENCY.pricing.hi} ms, with a ${LATENCY.pricing.slowP * 100}% chance of a ${LATENCY.pricing.slowWhy} (+${LATENCY.pricing.slowLo}–${LATENCY.pricing.slowHi} ms). The load generator starts each trace, as an edge proxy would.`,
  );
  let guessRatio: number | undefined;
  const ratioChoices = ['about the same as the mean', 'about twice the mean', 'four times the mean or more'];
  if (ctx.prompts) guessRatio = await ctx.prompts.predictChoice('the p99 end-to-end latency will be…', ratioChoices);

  world.spans.length = 0;
  world.logsPerTrace.clear();
  const load = createRng(hashSeed(`${ctx.seed}:load`));
  const ids = Array.from({ length: requests }, () => ({ traceId: hex(load, 16), spanId: hex(load, 8) }));
  const planned = ids.map(({ traceId }) => ({ db: plannedDelay(ctx.seed, traceId, 'db').slow, pricing: plannedDelay(ctx.seed, traceId, 'pricing').slow }));
  const client = pooledClient(ctx);
  const latency = new Array<number>(requests).fill(0);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, requests) }, async () => {
      while (next < requests) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const i = next++;
        const r = await client(gateway.port, '/checkout', { traceparent: traceparent(ids[i]!.traceId, ids[i]!.spanId) });
        latency[i] = r.ms;
      }
    }),
  );
  const wallMs = performance.now() - started;

  const mean = latency.reduce((a, b) => a + b, 0) / requests;
  const [p50, p95, p99, max] = [50, 95, 99, 100].map((p) => percentile(latency, p)) as [number, number, number, number];
  out.figure('requests / wall time', `${requests} / ${Math.round(wallMs)} ms`);
  // What the seeded delays alone add up to (auth, then the slower of db and pricing): no network, no scheduling.
  const seeded = ids.map(({ traceId }) => plannedDelay(ctx.seed, traceId, 'auth').ms + Math.max(plannedDelay(ctx.seed, traceId, 'db').ms, plannedDelay(ctx.seed, traceId, 'pricing').ms));
  const stats = (xs: readonly number[]) => [xs.reduce((a, b) => a + b, 0) / xs.length, ...[50, 95, 99, 100].map((p) => percentile(xs, p))];
  const names = ['mean', 'p50 (median)', 'p95', 'p99', 'max'];
  const seededStats = stats(seeded);
  out.table([['statistic', 'measured ms', 'seeded delays ms'], ...names.map((n, i) => [n, [mean, p50, p95, p99, max][i]!.toFixed(1), seededStats[i]!.toFixed(1)])]);
  out.say(
    `"Seeded delays" is what the services slept (auth + the slower of db and pricing); the measured time adds the HTTP hops and this machine's scheduling: the measured median is ${(p50 - seededStats[1]!).toFixed(1)} ms above the seeded one.`,
  );
  const edges = [10, 20, 40, 80, 160, 320];
  const label = (i: number) => (i === 0 ? `< ${edges[0]} ms` : i === edges.length ? `≥ ${edges.at(-1)} ms` : `${edges[i - 1]}–${edges[i]} ms`);
  const buckets = Array.from({ length: edges.length + 1 }, (_, i) => ({ label: label(i), value: 0 }));
  for (const v of latency) buckets[edges.filter((e) => v >= e).length]!.value++;
  out.say('How many requests took how long (measured, end to end at the client):');
  out.bars(buckets, 'req');

  const slow = planned.map((p, i) => ({ ...p, i })).filter((p) => p.db || p.pricing);
  const slowMs = slow.map((p) => latency[p.i]!);
  const fastMs = latency.filter((_, i) => !planned[i]!.db && !planned[i]!.pricing);
  const fastMean = fastMs.length ? fastMs.reduce((a, b) => a + b, 0) / fastMs.length : 0;
  const ratio = p99 / mean;
  const aboveMean = latency.filter((v) => v > mean).length;
  out.step(
    `mean ${mean.toFixed(1)} ms, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (${ratio.toFixed(1)}× the mean)`,
    slow.length
      ? `${slow.length} of ${requests} requests (${((slow.length / requests) * 100).toFixed(1)}%) hit a slow dependency and took ${Math.min(...slowMs).toFixed(0)}–${Math.max(...slowMs).toFixed(0)} ms. They move the mean by ${(mean - fastMean).toFixed(1)} ms (${fastMean.toFixed(1)} ms without them): the mean spreads their wait over everyone, and nothing in it says that someone waited ${max.toFixed(0)} ms.`
      : `No request hit a slow dependency with this seed, so the spread is the machine's own; ${aboveMean} requests were above the mean.`,
    { mean: ms1(mean), p50: ms1(p50), p95: ms1(p95), p99: ms1(p99), max: ms1(max), slowRequests: slow.length },
  );
  // The tail: every request at least as slow as the fastest one that hit a slow dependency. On a busy machine
  // it also holds requests that only waited for the CPU.
  const tailMin = slowMs.length ? Math.min(...slowMs) : Number.POSITIVE_INFINITY;
  const inTail = latency.filter((v) => v >= tailMin).length;
  const showsTail = (v: number) => (v >= tailMin ? 'is inside the tail' : 'is below the tail');
  if (slow.length)
    out.step(
      `p95 ${showsTail(p95)}, p99 ${showsTail(p99)}`,
      `A percentile sees the tail only if the tail holds more than (100 − p)% of requests. Here ${inTail} of ${requests} (${((inTail / requests) * 100).toFixed(1)}%) took ${tailMin.toFixed(0)} ms or more: ${slow.length} with a slow dependency${inTail > slow.length ? `, ${inTail - slow.length} slowed by this machine alone` : ''}. Track several (p50, p95, p99) and the max, never the mean alone.`,
      { p95InTail: p95 >= tailMin, p99InTail: p99 >= tailMin, inTail },
    );
  if (guessRatio !== undefined) {
    const actual = ratio < 1.5 ? 0 : ratio < 4 ? 1 : 2;
    out.say(guessRatio === actual ? `Right: p99 was ${ratio.toFixed(1)}× the mean.` : `Measured: p99 was ${ratio.toFixed(1)}× the mean (${ratioChoices[actual]}).`);
  }

  // Which span made the slowest requests slow? The traces answer it.
  const byTrace = new Map<string, Span[]>();
  for (const s of world.spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  const culprits: Record<string, number> = {};
  const slowest = latency
    .map((ms, i) => ({ ms, i }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, Math.max(1, Math.ceil(requests * 0.05)));
  for (const { i } of slowest) {
    const servers = (byTrace.get(ids[i]!.traceId) ?? []).filter((s) => s.kind === 'server' && s.service !== 'gateway');
    const worst = servers.sort((a, b) => b.end - b.start - (a.end - a.start))[0];
    culprits[worst?.service ?? '?'] = (culprits[worst?.service ?? '?'] ?? 0) + 1;
  }
  out.step(
    `Slowest ${slowest.length === 1 ? 'request' : `${slowest.length} requests`}, longest span: ${Object.entries(culprits).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    'The latency histogram says how many requests were slow; the traces of the slowest ones say where their time went.',
    { culprits, slowest: slowest.length },
  );
  const counts = [...world.logsPerTrace.values()];
  // Five lines per request: two from the gateway, one from each downstream service.
  const allFive = counts.filter((c) => c === 5).length;
  out.step(
    `${counts.reduce((a, b) => a + b, 0)} log lines group into ${world.logsPerTrace.size} trace ids, ${allFive} with all 5 lines`,
    allFive === requests && world.logsPerTrace.size === requests
      ? 'Grouping the load phase’s log lines by trace_id gives one group per request, each with the lines of all four services.'
      : `Grouping by trace_id should give one complete group per request (${requests}); here it did not.`,
    { logLines: counts.reduce((a, b) => a + b, 0), traces: world.logsPerTrace.size, complete: allFive },
  );

  out.takeaways([
    'traceparent carries one trace id across every hop, plus the caller’s span id: that parent link is how the tree is rebuilt.',
    'Put the trace id on every log line (AsyncLocalStorage, not arguments): one search then finds a request in all services.',
    'A waterfall shows what ran in sequence and what in parallel: the critical path decides the latency, not the sum.',
    'The mean of a heavy-tailed latency describes no real request: report p50, p95, p99 and max.',
  ]);

  return {
    single: {
      status: reply.status,
      traceId,
      sameTrace,
      distinctParents: new Set(parentIds).size,
      logLines: logs.length,
      logs,
      logServices,
      logsWithTraceId: logTraceIds.filter((id) => id === traceId).length,
      tree,
      sequential,
      parallel,
    },
    load: {
      requests,
      concurrency,
      plannedSlow: { db: planned.filter((p) => p.db).length, pricing: planned.filter((p) => p.pricing).length, requests: slow.length },
      seeded: { mean: ms1(seededStats[0]!), p50: ms1(seededStats[1]!), p95: ms1(seededStats[2]!), p99: ms1(seededStats[3]!), max: ms1(seededStats[4]!) },
      mean: ms1(mean),
      p50: ms1(p50),
      p95: ms1(p95),
      p99: ms1(p99),
      max: ms1(max),
      buckets: buckets.map((b) => ({ ...b })),
      culprits,
      traces: world.logsPerTrace.size,
      completeLogGroups: allFive,
    },
  };
}
