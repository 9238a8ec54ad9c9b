/**
 * Lab: blocking the event loop. A real HTTP server on 127.0.0.1 answers /ping while a /report request parses
 * and aggregates a big JSON export: first on the main thread, then in a worker_threads Worker. A pinger in its
 * own worker thread (so the blocked loop cannot delay the sending) measures every ping; perf_hooks'
 * monitorEventLoopDelay measures the server's loop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile, startServer } from '../src/labs/http-harness.js';
import { startInlineWorker } from '../src/labs/inline-worker.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

interface Summary {
  readonly orders: number;
  readonly totalCents: number;
  readonly topCustomer: string;
  readonly topOrders: number;
}

/** The CPU-bound work, as source: it runs as-is on the main thread (via new Function) and in the worker. */
const SUMMARIZE = `function summarize(json) {
  const orders = JSON.parse(json); // synchronous: the whole parse
  let totalCents = 0;
  const perCustomer = new Map();
  for (const o of orders) {
    totalCents += o.amountCents;
    perCustomer.set(o.customer, (perCustomer.get(o.customer) || 0) + 1);
  }
  let top = ['', 0];
  for (const entry of perCustomer) if (entry[1] > top[1]) top = entry;
  return {
    orders: orders.length, totalCents,
    topCustomer: top[0], topOrders: top[1],
  };
}`;

const REPORT_WORKER = `${SUMMARIZE}
function handle(json) {
  const t0 = performance.now();
  const summary = summarize(json);
  return { summary, computeMs: performance.now() - t0 };
}`;

/** Sends GET /ping every intervalMs from its own thread; latency is measured from the actual send. */
const PINGER = `const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
let timer = null, k = 0, t0 = 0, results = [];
const outstanding = new Set();
function fire(port, intervalMs) {
  const sent = performance.now();
  const p = new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/ping', agent }, (res) => {
      res.resume();
      res.on('end', () => { results.push({ sent: performance.timeOrigin + sent, ms: performance.now() - sent }); resolve(); });
    });
    req.on('error', () => resolve());
  });
  outstanding.add(p);
  p.then(() => outstanding.delete(p));
  k++;
  timer = setTimeout(() => fire(port, intervalMs), Math.max(0, t0 + k * intervalMs - performance.now()));
}
async function handle(msg) {
  if (msg.cmd === 'start') {
    results = []; k = 0; t0 = performance.now();
    fire(msg.port, msg.intervalMs);
    return true;
  }
  clearTimeout(timer);
  await Promise.all([...outstanding]);
  agent.destroy();
  return results;
}`;

type Mode = 'main' | 'worker';

interface Ping {
  readonly sent: number;
  readonly ms: number;
}

interface RunResult {
  readonly mode: Mode;
  readonly summary: Summary;
  /** Wall time the /report request took, at the client. */
  readonly reportMs: number;
  /** Time the parse + aggregate itself took (on whichever thread ran it). */
  readonly computeMs: number;
  /** Epoch ms when the computation started and ended (main thread) or the call was out (worker). */
  readonly busyFrom: number;
  readonly busyTo: number;
  readonly pings: readonly Ping[];
  readonly eld: { readonly p50: number; readonly p99: number; readonly max: number };
}

const epoch = () => performance.timeOrigin + performance.now();
/** monitorEventLoopDelay samples every this many ms and records the whole gap between samples. */
const ELD_RESOLUTION_MS = 2;
/** Not measured: a fresh pinger thread's first requests pay for loading and compiling its HTTP code. */
const WARM_UP_MS = 60;
const r1 = (v: number) => Math.round(v * 10) / 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A seeded export of orders: the same bytes for the same seed. */
function makeExport(rng: () => number, rows: number): string {
  const statuses = ['paid', 'shipped', 'refunded', 'pending'];
  const orders = Array.from({ length: rows }, (_, i) => ({
    id: i + 1,
    customer: `c${String(Math.floor(rng() * 500)).padStart(3, '0')}`,
    amountCents: Math.floor(rng() * 100_000),
    status: statuses[Math.floor(rng() * statuses.length)],
    items: [{ sku: `sku-${Math.floor(rng() * 2000)}`, qty: 1 + Math.floor(rng() * 3) }],
  }));
  return JSON.stringify(orders);
}

async function runVariant(ctx: LabContext, mode: Mode, json: string, intervalMs: number, padMs: number): Promise<RunResult> {
  const summarize = new Function(`${SUMMARIZE}; return summarize;`)() as (json: string) => Summary;
  const reportWorker = mode === 'worker' ? await startInlineWorker<string, { summary: Summary; computeMs: number }>(ctx, REPORT_WORKER) : null;
  let busy = { from: 0, to: 0, computeMs: 0 };
  let summary: Summary | null = null;
  const server = await startServer(ctx, (req, res) => {
    if (req.url === '/ping') return void res.end('pong');
    if (req.url !== '/report') return void res.writeHead(404).end();
    const from = epoch();
    if (!reportWorker) {
      summary = summarize(json); // the event loop can do nothing else until this returns
      busy = { from, to: epoch(), computeMs: epoch() - from };
      return void res.end(JSON.stringify(summary));
    }
    reportWorker.call(json).then(
      (r) => {
        summary = r.summary;
        busy = { from, to: epoch(), computeMs: r.computeMs };
        res.end(JSON.stringify(r.summary));
      },
      () => res.writeHead(500).end(),
    );
  });
  const pinger = await startInlineWorker<{ cmd: 'start'; port: number; intervalMs: number } | { cmd: 'stop' }, Ping[] | true>(ctx, PINGER);
  await pinger.call({ cmd: 'start', port: server.port, intervalMs });
  await sleep(WARM_UP_MS);
  await pinger.call({ cmd: 'stop' });
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  eld.enable();
  ctx.defer(() => {
    eld.disable();
  });
  await pinger.call({ cmd: 'start', port: server.port, intervalMs });
  await sleep(padMs);
  const report = await server.get('/report');
  await sleep(padMs);
  const pings = (await pinger.call({ cmd: 'stop' })) as Ping[];
  eld.disable();
  await pinger.close();
  await reportWorker?.close();
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (report.status !== 200 || !summary) throw new Error(`/report answered ${report.status}`);
  // The delay is the gap between samples beyond the sampling interval itself (a sample can come early: 0).
  const ms = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
  return {
    mode,
    summary,
    reportMs: report.ms,
    computeMs: busy.computeMs,
    busyFrom: busy.from,
    busyTo: busy.to,
    pings,
    eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
  };
}

function pingStats(r: RunResult) {
  const ms = r.pings.map((p) => p.ms);
  // Pings sent while the computation ran, and how long after it they were answered.
  const during = r.pings.filter((p) => p.sent >= r.busyFrom && p.sent < r.busyTo);
  const answeredAfterEnd = during.map((p) => p.sent + p.ms - r.busyTo);
  // Answered while the computation still ran; 1 ms of slack for the clocks of two threads.
  const answeredDuring = answeredAfterEnd.filter((after) => after < -1).length;
  return {
    count: ms.length,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    max: percentile(ms, 100),
    during: during.length,
    answeredDuring,
    duringMaxMs: during.length ? Math.max(...during.map((p) => p.ms)) : 0,
    answeredWithinMsOfEnd: answeredAfterEnd.length ? Math.max(...answeredAfterEnd) : 0,
  };
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const rows = Math.max(1000, Math.round(ctx.params.rows ?? 30_000));
  const intervalMs = Math.max(1, Math.round(ctx.params.pingEveryMs ?? 5));
  const padMs = 100;

  const json = makeExport(ctx.rng, rows);
  out.say(
    `A real HTTP server on 127.0.0.1 serves GET /ping (answers at once) and GET /report, which parses a ${(json.length / 1e6).toFixed(1)} MB JSON export of ${rows.toLocaleString('en-US')} orders and totals it. A pinger in its own thread sends /ping every ${intervalMs} ms throughout; ${padMs} ms in, one /report request arrives. The server's own loop delay is sampled by monitorEventLoopDelay (perf_hooks) every ${ELD_RESOLUTION_MS} ms; the loop-delay figures leave out those ${ELD_RESOLUTION_MS} ms, so 0 means no delay.`,
  );
  out.code(SUMMARIZE);

  let guess: number | undefined;
  const choices = ['answered as usual, within a few ms', 'somewhat slower while the report runs', 'not answered at all until the report is done'];
  if (ctx.prompts) guess = await ctx.prompts.predictChoice('while /report runs on the main thread, what happens to the pings?', choices);

  out.heading('1. The report on the main thread');
  const main = await runVariant(ctx, 'main', json, intervalMs, padMs);
  const m = pingStats(main);
  out.figure('summarize() ran on the main thread', `${main.computeMs.toFixed(1)} ms`);
  out.figure('pings answered', m.count);
  out.figure('ping latency p50 / p99 / max', `${m.p50.toFixed(1)} / ${m.p99.toFixed(1)} / ${m.max.toFixed(1)} ms`);
  out.figure('loop delay p50 / p99 / max', `${main.eld.p50.toFixed(1)} / ${main.eld.p99.toFixed(1)} / ${main.eld.max.toFixed(1)} ms`);
  const stalled = m.during > 0 && m.answeredDuring === 0;
  out.step(
    `Pings sent during the ${main.computeMs.toFixed(0)} ms computation: ${m.during}, answered before its end: ${m.answeredDuring}`,
    stalled
      ? `The slowest waited ${m.duringMaxMs.toFixed(0)} ms. The pings reached the kernel and sat in socket buffers: the server's one JavaScript thread was inside JSON.parse and the loop that follows, so no callback could run. They were answered only after it ended, the last one ${m.answeredWithinMsOfEnd.toFixed(1)} ms later: the loop then had a backlog of connections to work through. The loop-delay monitor saw a stall of up to ${main.eld.max.toFixed(0)} ms.`
      : `The slowest waited ${m.duringMaxMs.toFixed(0)} ms. While JSON.parse and the loop after it run, the server's one JavaScript thread can run no other callback${m.during === 0 ? '; this computation was too short for a ping to be sent during it' : ''}. The loop-delay monitor saw a stall of up to ${main.eld.max.toFixed(0)} ms.`,
    { mode: 'main', during: m.during, answeredDuring: m.answeredDuring, duringMaxMs: r1(m.duringMaxMs), answeredWithinMsOfEnd: r1(m.answeredWithinMsOfEnd) },
  );
  if (guess !== undefined) {
    const actual = stalled ? 2 : m.p99 > m.p50 * 3 ? 1 : 0;
    out.say(guess === actual ? 'Your prediction matched the measurement.' : `Measured: ${choices[actual]}.`);
  }

  out.heading('2. The same report in a worker thread');
  out.code(
    [
      "const worker = new Worker(source, { eval: true }); // started once, before",
      "// /report handler: hand the string over, await a small summary back",
      'worker.call(json).then((r) => res.end(JSON.stringify(r.summary)));',
    ].join('\n'),
  );
  const wrk = await runVariant(ctx, 'worker', json, intervalMs, padMs);
  const w = pingStats(wrk);
  out.figure('summarize() ran in the worker', `${wrk.computeMs.toFixed(1)} ms`, `/report took ${wrk.reportMs.toFixed(1)} ms`);
  out.figure('pings answered', w.count);
  out.figure('ping latency p50 / p99 / max', `${w.p50.toFixed(1)} / ${w.p99.toFixed(1)} / ${w.max.toFixed(1)} ms`);
  out.figure('loop delay p50 / p99 / max', `${wrk.eld.p50.toFixed(1)} / ${wrk.eld.p99.toFixed(1)} / ${wrk.eld.max.toFixed(1)} ms`);
  out.step(
    `Pings sent while the worker computed: ${w.during}, answered meanwhile: ${w.answeredDuring}`,
    `The slowest took ${w.duringMaxMs.toFixed(1)} ms. The parse ran on another thread with its own V8 isolate and event loop; the main thread only copied the string to it and received a small result${w.answeredDuring > 0 ? ', and kept answering pings meanwhile' : ''}. What delay is left comes from that copy and, on a busy machine, from threads competing for cores.`,
    { mode: 'worker', during: w.during, answeredDuring: w.answeredDuring, duringMaxMs: r1(w.duringMaxMs) },
  );
  const same = JSON.stringify(main.summary) === JSON.stringify(wrk.summary);
  out.step(
    `Same answer both ways: ${same ? 'yes' : 'no'} (${main.summary.orders.toLocaleString('en-US')} orders, top customer ${main.summary.topCustomer})`,
    `A worker does not reduce the work, it moves it off the thread that serves everyone else. (Compute time: ${main.computeMs.toFixed(0)} ms on the main thread, ${wrk.computeMs.toFixed(0)} ms in the worker; such timings vary between runs with load, GC and JIT warm-up.)`,
    { same, summary: { ...main.summary } },
  );

  out.heading('Side by side');
  out.table([
    ['where summarize() ran', 'compute ms', 'ping p50', 'ping p99', 'ping max', 'loop max'],
    ...(
      [
        ['main thread', main, m],
        ['worker thread', wrk, w],
      ] as const
    ).map(([label, r, s]) => [label, r.computeMs.toFixed(1), s.p50.toFixed(1), s.p99.toFixed(1), s.max.toFixed(1), r.eld.max.toFixed(1)]),
  ]);
  out.say('Worst ping latency (ms):');
  out.bars(
    [
      { label: 'main thread', value: r1(m.max) },
      { label: 'worker thread', value: r1(w.max) },
    ],
    'ms',
  );

  out.takeaways([
    'Node runs your JavaScript on one thread: while a handler computes, every other request waits, health checks included.',
    'A stall shows in the tail (p99, max) of every endpoint at once; monitorEventLoopDelay measures it directly, in production too.',
    'Move CPU-bound work (big parses, hashing, image work) to worker threads, refuse oversized payloads, or split work into chunks.',
    'A worker copies what you send it: send the raw input, return a small result.',
  ]);

  const obs = (r: RunResult, s: ReturnType<typeof pingStats>) => ({
    computeMs: r1(r.computeMs),
    reportMs: r1(r.reportMs),
    pings: s.count,
    pingP50: r1(s.p50),
    pingP99: r1(s.p99),
    pingMax: r1(s.max),
    pingsDuring: s.during,
    answeredDuring: s.answeredDuring,
    duringMaxMs: r1(s.duringMaxMs),
    eldP50: r1(r.eld.p50),
    eldP99: r1(r.eld.p99),
    eldMax: r1(r.eld.max),
  });
  return { rows, bytes: json.length, intervalMs, summary: { ...main.summary }, sameSummary: same, main: obs(main, m), worker: obs(wrk, w) };
}
