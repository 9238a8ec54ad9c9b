/**
 * Lab: deployment strategies. A fleet of real HTTP server instances on 127.0.0.1 sits behind a small
 * round-robin load balancer (also a real server) while clients send steady traffic through it. The fleet is
 * upgraded from v1 to v2 by big-bang, rolling and blue-green; every response is counted by its X-Version and
 * status. Then a bad v2 that never passes its readiness check, deployed each way.
 */
import { createServer, request, type Server } from 'node:http';
import { listenLocal, startServer } from '../src/labs/http-harness.js';
import { sendRequest } from '../src/labs/http-wire-client.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

type Version = 'v1' | 'v2';
type Strategy = 'big-bang' | 'rolling' | 'blue-green';

interface Instance {
  readonly id: string;
  readonly version: Version;
  readonly port: number;
  readonly startupMs: number;
  ready: boolean;
  stopped: boolean;
  /** Requests the load balancer has sent it that have not finished. */
  inFlight: number;
  stop(): Promise<void>;
}

interface Fleet {
  /** The balancer's backends: replaced or edited by the deployer. */
  pool: Instance[];
  rr: number;
  /** Called after every change that can alter capacity. */
  onChange: () => void;
}

interface Sample {
  /** When the client sent the request and when the answer arrived, in ms since traffic started. */
  readonly sent: number;
  readonly at: number;
  readonly status: number;
  readonly version: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One app instance: boots (not listening), then listens and answers 503 until its startup work is done (a bad build never finishes),
 * serves GET /ready for the readiness check, and stops gracefully (finishes what it has, accepts nothing new).
 * `ready` means warmed up; a stopping instance fails /ready but still answers requests it already accepted.
 */
async function startInstance(ctx: LabContext, fleet: Fleet, id: string, version: Version, bootMs: number, startupMs: number, bad: boolean): Promise<Instance> {
  // The process boots before it can listen at all.
  await sleep(bootMs);
  if (ctx.signal.aborted) throw ctx.signal.reason;
  let readyTimer: NodeJS.Timeout | undefined;
  const server: Server = createServer((req, res) => {
    if (req.url === '/ready') {
      const ok = inst.ready && !inst.stopped;
      res.writeHead(ok ? 200 : 503, { 'x-version': version }).end(ok ? 'ready\n' : 'not ready\n');
      return;
    }
    if (!inst.ready) {
      res.writeHead(bad ? 500 : 503, { 'x-version': version }).end(bad ? 'config error\n' : 'starting\n');
      return;
    }
    res.writeHead(200, { 'x-version': version, 'content-type': 'text/plain' }).end(`hello from ${id} (${version})\n`);
  });
  let closed: Promise<void> | undefined;
  const inst: Instance = {
    id,
    version,
    port: 0,
    startupMs,
    ready: false,
    stopped: false,
    inFlight: 0,
    stop() {
      clearTimeout(readyTimer);
      if (!closed) {
        inst.stopped = true;
        fleet.onChange();
        closed = new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
      }
      return closed;
    },
  };
  (inst as { port: number }).port = await listenLocal(ctx, server, () => clearTimeout(readyTimer));
  if (!bad)
    readyTimer = setTimeout(() => {
      inst.ready = true;
      fleet.onChange();
    }, startupMs);
  return inst;
}

/** The readiness check a deployer (or Kubernetes) runs: GET /ready every 10 ms until 200 or the timeout. */
async function waitReady(ctx: LabContext, inst: Instance, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until && !ctx.signal.aborted) {
    const r = await sendRequest(ctx, inst.port, { path: '/ready' });
    if (r.status === 200) return true;
    await sleep(10);
  }
  return false;
}

/** Wait until the balancer has no request in flight to this instance (it is already out of the pool). */
async function drain(ctx: LabContext, inst: Instance): Promise<void> {
  while (inst.inFlight > 0 && !ctx.signal.aborted) await sleep(2);
}

interface RunResult {
  readonly strategy: Strategy;
  readonly badV2: boolean;
  readonly requests: number;
  readonly failed: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly byVersion: Readonly<Record<string, number>>;
  /** Fewest instances that were in the pool and ready, during the rollout. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** From the first v2 response to the last v1 response (0 if they never overlapped). */
  readonly mixedMs: number;
  /** v2 answers to requests sent after the blue-green switch back (null without a rollback). */
  readonly v2AfterRollback: number | null;
  readonly deployMs: number;
  readonly longestGapMs: number;
  /** What the deployer concluded. */
  readonly outcome: string;
  readonly servingAfter: string;
  readonly rollbackMs: number | null;
}

interface Setup {
  readonly instances: number;
  readonly maxUnavailable: number;
  readonly bootMs: number;
  readonly startupMs: number;
  readonly readinessTimeoutMs: number;
}

async function deployment(ctx: LabContext, lbPort: number, fleet: Fleet, s: Setup, strategy: Strategy, badV2: boolean): Promise<RunResult> {
  const jitter = (ms: number) => Math.round(ms * (0.75 + 0.5 * ctx.rng()));
  const boot = () => jitter(s.bootMs);
  const startup = () => jitter(s.startupMs);
  const blue = await Promise.all(Array.from({ length: s.instances }, (_, i) => startInstance(ctx, fleet, `v1-${i + 1}`, 'v1', 0, startup(), false)));
  await Promise.all(blue.map((b) => waitReady(ctx, b, s.readinessTimeoutMs * 4)));
  fleet.pool = [...blue];
  const capacity = () => fleet.pool.filter((i) => i.ready && !i.stopped).length;
  let tracking = false;
  let minCapacity = capacity();
  let maxCapacity = capacity();
  fleet.onChange = () => {
    if (!tracking) return;
    minCapacity = Math.min(minCapacity, capacity());
    maxCapacity = Math.max(maxCapacity, capacity());
  };

  // Steady traffic: 3 clients, each sending its next request 3 ms after the previous answer.
  const samples: Sample[] = [];
  let trafficOn = true;
  const t0 = performance.now();
  const client = async () => {
    while (trafficOn && !ctx.signal.aborted) {
      const sent = performance.now() - t0;
      try {
        const r = await sendRequest(ctx, lbPort, { path: '/' });
        samples.push({ sent, at: performance.now() - t0, status: r.status, version: String(r.headers['x-version'] ?? '-') });
      } catch {
        if (ctx.signal.aborted) return;
        samples.push({ sent, at: performance.now() - t0, status: 0, version: '-' });
      }
      await sleep(3);
    }
  };
  const clients = Promise.all([client(), client(), client()]);
  await sleep(60);

  const deployStart = performance.now() - t0;
  tracking = true;
  let outcome = '';
  let rollbackMs: number | null = null;
  let v2AfterRollback: number | null = null;
  let rbStart = Infinity;
  const green: Instance[] = [];
  const mark = () => fleet.onChange();
  const newInstance = async (i: number) => {
    const g = await startInstance(ctx, fleet, `v2-${i + 1}`, 'v2', boot(), startup(), badV2);
    green.push(g);
    return g;
  };

  if (strategy === 'big-bang') {
    // Stop everything, start everything, point the balancer at the new set once it listens: no readiness gate.
    // Until then the balancer still sends to the stopped instances.
    await Promise.all(blue.map((b) => b.stop()));
    const fresh = await Promise.all(blue.map((_, i) => newInstance(i)));
    fleet.pool = fresh;
    mark();
    outcome = 'switched without checking';
  } else if (strategy === 'rolling') {
    outcome = 'completed';
    for (let i = 0; i < blue.length; i += s.maxUnavailable) {
      const batch = blue.slice(i, i + s.maxUnavailable);
      fleet.pool = fleet.pool.filter((x) => !batch.includes(x));
      mark();
      await Promise.all(batch.map((b) => drain(ctx, b)));
      await Promise.all(batch.map((b) => b.stop()));
      const fresh = await Promise.all(batch.map((_, j) => newInstance(i + j)));
      const ok = await Promise.all(fresh.map((f) => waitReady(ctx, f, s.readinessTimeoutMs)));
      if (ok.every(Boolean)) {
        fleet.pool = [...fleet.pool, ...fresh];
        mark();
        continue;
      }
      // Readiness failed: the rollout stops here; the old instances still in the pool keep serving.
      await Promise.all(fresh.map((f) => f.stop()));
      outcome = `halted at batch ${i / s.maxUnavailable + 1}`;
      break;
    }
  } else {
    const fresh = await Promise.all(blue.map((_, i) => newInstance(i)));
    const ok = await Promise.all(fresh.map((f) => waitReady(ctx, f, s.readinessTimeoutMs)));
    if (ok.every(Boolean)) {
      fleet.pool = fresh; // the switch: one assignment, atomic for the balancer
      mark();
      outcome = 'switched';
    } else {
      await Promise.all(fresh.map((f) => f.stop()));
      outcome = 'never switched';
    }
  }
  const deployMs = performance.now() - t0 - deployStart;
  await sleep(60);
  tracking = false;

  if (strategy === 'blue-green' && outcome === 'switched') {
    // Roll back: blue is still running, so it is the same one assignment in the other direction.
    rbStart = performance.now() - t0;
    fleet.pool = [...blue];
    await sleep(60);
    const lastV2 = Math.max(rbStart, ...samples.filter((x) => x.version === 'v2').map((x) => x.at));
    rollbackMs = Math.round((lastV2 - rbStart) * 10) / 10;
    // The balancer runs in this process: a request sent after the assignment can only be routed to blue.
    v2AfterRollback = samples.filter((x) => x.sent > rbStart && x.version === 'v2').length;
  }
  trafficOn = false;
  await clients;
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const servingAfter = [...new Set(fleet.pool.filter((i) => !i.stopped).map((i) => i.version))].join('+') || 'nothing';
  fleet.pool = [];
  await Promise.all([...blue, ...green].map((x) => x.stop()));

  const during = samples.filter((x) => x.at >= deployStart);
  const byStatus: Record<string, number> = {};
  const byVersion: Record<string, number> = {};
  for (const x of during) {
    byStatus[x.status] = (byStatus[x.status] ?? 0) + 1;
    if (x.status === 200) byVersion[x.version] = (byVersion[x.version] ?? 0) + 1;
  }
  const ok = during.filter((x) => x.status === 200);
  const firstV2 = Math.min(...ok.filter((x) => x.version === 'v2').map((x) => x.at));
  const lastV1 = Math.max(...ok.filter((x) => x.version === 'v1' && x.at < rbStart).map((x) => x.at));
  // The longest stretch without a successful answer: the downtime a user saw.
  let gap = 0;
  let prev = deployStart;
  for (const x of ok) {
    gap = Math.max(gap, x.at - prev);
    prev = x.at;
  }
  gap = Math.max(gap, (during.at(-1)?.at ?? prev) - prev);
  return {
    strategy,
    badV2,
    requests: during.length,
    failed: during.length - ok.length,
    byStatus,
    byVersion,
    minCapacity,
    maxCapacity,
    mixedMs: Number.isFinite(firstV2) && Number.isFinite(lastV1) ? Math.round(Math.max(0, lastV1 - firstV2)) : 0,
    deployMs: Math.round(deployMs),
    longestGapMs: Math.round(gap),
    outcome,
    servingAfter,
    rollbackMs,
    v2AfterRollback,
  };
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const setup: Setup = {
    instances: ctx.params.instances ?? 6,
    maxUnavailable: Math.max(1, Math.min(ctx.params.instances ?? 6, ctx.params.maxUnavailable ?? 1)),
    bootMs: ctx.params.bootMs ?? 30,
    startupMs: ctx.params.startupMs ?? 50,
    readinessTimeoutMs: ctx.params.readinessTimeoutMs ?? 200,
  };
  const n = setup.instances;
  out.say(
    `${n} instances of an app, each a real HTTP server on 127.0.0.1, behind a round-robin load balancer (also real). Three clients send requests through it all the time. A new instance boots for about ${setup.bootMs} ms (not listening yet), then warms up for about ${setup.startupMs} ms (each seeded ±25%), answering 503 and failing its /ready check until it is done. Every response carries X-Version. A rollout's responses are counted from its start until traffic stops, 60 ms after it ends (blue-green: after the rollback).`,
  );

  const fleet: Fleet = { pool: [], rr: 0, onChange: () => undefined };
  const lb = await startServer(ctx, (req, res) => {
    const pool = fleet.pool;
    if (!pool.length) {
      res.writeHead(503, { 'x-lb': 'no backend' }).end('no backend\n');
      return;
    }
    const b = pool[fleet.rr++ % pool.length]!;
    b.inFlight++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        b.inFlight--;
      }
    };
    const up = request({ host: '127.0.0.1', port: b.port, path: req.url, method: req.method, agent: false }, (r) => {
      res.writeHead(r.statusCode ?? 502, { 'x-version': String(r.headers['x-version'] ?? ''), 'x-backend': b.id });
      r.pipe(res);
      r.on('end', finish);
      r.on('error', finish);
    });
    // Connection refused or reset: the instance is gone. The balancer answers 502 Bad Gateway.
    up.on('error', () => {
      finish();
      if (!res.headersSent) res.writeHead(502, { 'x-backend': b.id });
      res.end();
    });
    up.end();
  });

  const choices = ['only big-bang', 'big-bang and rolling', 'all three', 'none of them'];
  const guess = ctx.prompts ? await ctx.prompts.predictChoice('with a good v2, which strategies fail some requests during the rollout?', choices) : undefined;

  const notes: Record<Strategy, [string, string]> = {
    'big-bang': ['Big-bang: stop all v1, start all v2', ''],
    rolling: [
      `Rolling: ${setup.maxUnavailable} at a time, readiness-gated`,
      'Each batch is taken out of the balancer first, drained, stopped and replaced; the new instance goes back in only after /ready says 200.',
    ],
    'blue-green': [
      'Blue-green: full v2 set, then one switch',
      'Green starts next to blue and is checked while blue serves everything; then the balancer is switched in one assignment, so versions overlap only by requests in flight. Blue stays up (twice the instances for a while) for a rollback.',
    ],
  };
  const good: RunResult[] = [];
  for (const strategy of ['big-bang', 'rolling', 'blue-green'] as const) {
    out.heading(notes[strategy][0]);
    const r = await deployment(ctx, lb.port, fleet, setup, strategy, false);
    good.push(r);
    const statuses = Object.entries(r.byStatus).map(([k, v]) => `${k}×${v}`).join(' ');
    out.figure('responses during rollout', statuses);
    out.figure('served by', Object.entries(r.byVersion).map(([k, v]) => `${k} ${v}`).join(', ') || 'nobody');
    out.figure('ready instances in pool', `min ${r.minCapacity}, max ${r.maxCapacity}`);
    const [e502, e503] = [r.byStatus['502'] ?? 0, r.byStatus['503'] ?? 0];
    const why =
      strategy === 'big-bang'
        ? [
            e502 ? `${e502} × 502: the balancer still sent to stopped instances while the new ones booted (connection refused).` : '',
            e503 ? `${e503} × 503: new instances still warming up, since nothing checked readiness.` : '',
            `No successful answer for ${r.longestGapMs} ms at a stretch.`,
          ]
            .filter(Boolean)
            .join(' ')
        : strategy === 'rolling'
          ? `${notes.rolling[1]} Ready capacity went down to ${r.minCapacity} of ${n}; ${r.mixedMs > 0 ? 'both versions answered while it rolled' : 'no v1 answer came after the first v2 one'}.`
          : notes[strategy][1];
    out.step(`${r.failed} failed of ${r.requests}; mixed versions for ${r.mixedMs} ms; rollout ${r.deployMs} ms`, why, { ...r });
    if (r.outcome.startsWith('halted') || r.outcome === 'never switched')
      out.say(`The deployer gave up (${r.outcome}): the ${setup.readinessTimeoutMs} ms readiness timeout was shorter than this good v2 needed to warm up.`);
    if (r.rollbackMs !== null)
      out.step(
        r.rollbackMs > 0 ? `Rollback: the last v2 answer came ${r.rollbackMs} ms after the switch back` : 'Rollback: no v2 answer at all after the switch back',
        `Blue was kept running, so rolling back is the same one assignment: ${r.v2AfterRollback === 0 ? `no request sent after it reached green${r.rollbackMs > 0 ? ', only those already in flight finished there' : ''}` : `yet ${r.v2AfterRollback} request${r.v2AfterRollback === 1 ? '' : 's'} sent after it reached green`}. A rolling rollback is another full rolling update.`,
        { rollbackMs: r.rollbackMs, v2AfterRollback: r.v2AfterRollback },
      );
  }
  out.heading('A good v2, compared');
  out.table([
    ['strategy', 'failed', 'min ready', 'max gap', 'mixed', 'rollout', 'v1 / v2 ok'],
    ...good.map((r) => [r.strategy, `${r.failed}/${r.requests}`, `${r.minCapacity} of ${n}`, `${r.longestGapMs} ms`, `${r.mixedMs} ms`, `${r.deployMs} ms`, `${r.byVersion.v1 ?? 0} / ${r.byVersion.v2 ?? 0}`]),
  ]);
  out.say('max gap: the longest time without a successful answer (on a busy machine, stalls of this process count too). mixed: from the first v2 answer to the last v1 answer.');
  out.bars(good.map((r) => ({ label: r.strategy, value: r.failed })), 'failed');
  const failing = good.filter((r) => r.failed > 0).map((r) => r.strategy);
  if (guess !== undefined) {
    const right = failing.length === 0 ? 3 : failing.length === 3 ? 2 : failing.length === 1 && failing[0] === 'big-bang' ? 0 : failing.length === 2 && !failing.includes('blue-green') ? 1 : -1;
    out.say(
      guess === right
        ? `You predicted it: ${failing.length ? failing.join(' and ') : 'none'} failed requests.`
        : `What happened: ${failing.length ? `${failing.join(' and ')} failed requests` : 'no strategy failed a request'}.`,
    );
  }

  out.heading('A bad v2: it never passes its readiness check');
  out.say(`The same three rollouts with a v2 that starts but never becomes ready (a missing config value): it answers 500 to everything. The readiness timeout is ${setup.readinessTimeoutMs} ms.`);
  const bad: RunResult[] = [];
  for (const strategy of ['big-bang', 'rolling', 'blue-green'] as const) bad.push(await deployment(ctx, lb.port, fleet, setup, strategy, true));
  out.table([
    ['strategy', 'failed', 'min ready', 'deployer saw', 'serving after'],
    ...bad.map((r) => [r.strategy, `${r.failed}/${r.requests}`, `${r.minCapacity} of ${n}`, r.outcome, r.servingAfter]),
  ]);
  const [bb, ro, bg] = bad as [RunResult, RunResult, RunResult];
  out.step(
    `Big-bang: ${bb.failed} of ${bb.requests} requests failed, and v2 is all there is`,
    'Nothing checked readiness before the old version was gone: the outage lasts until someone notices and redeploys v1.',
    { ...bb },
  );
  out.step(
    `Rolling: ${ro.outcome}, ${ro.failed} failed, ${ro.minCapacity} of ${n} still serving`,
    `${setup.maxUnavailable === 1 ? 'The new instance' : 'The new instances'} failed the readiness check, so none went into the balancer, and the rollout stops there with the old version serving. Kubernetes stalls the same way; after progressDeadlineSeconds it marks the rollout failed, but does not roll back by itself.`,
    { ...ro },
  );
  out.step(
    `Blue-green: ${bg.outcome}, ${bg.failed} failed, ${bg.minCapacity} of ${n} serving`,
    'Green failed its checks while blue carried all traffic; the switch never happened. Throw green away and try again.',
    { ...bg },
  );

  out.takeaways([
    'Big-bang is simple and never mixes versions, but it has downtime and no safety net: a bad build takes everything down.',
    'Rolling without surge (as here) needs no spare instances, but loses capacity during the rollout, serves two versions at once (keep them compatible), and rolls back slowly.',
    'Blue-green needs twice the instances for a while, and gives an atomic switch and an instant rollback while blue is kept.',
    'Readiness checks are what make rolling and blue-green safe: never route to an instance before it says it is ready.',
  ]);

  return {
    instances: n,
    maxUnavailable: setup.maxUnavailable,
    good: good.map((r) => ({ ...r })),
    bad: bad.map((r) => ({ ...r })),
  };
}
