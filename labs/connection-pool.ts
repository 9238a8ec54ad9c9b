/**
 * Lab: connection pooling. A "slow database" is a real TCP server on 127.0.0.1: it answers each query after a
 * fixed service time and runs at most K queries at once (a semaphore, like a database with K cores); the rest
 * queue inside it. M clients issue queries back to back through a pool of P real TCP connections, for P from 1
 * to 32. Measured per pool size: throughput, time waiting for a connection vs time in the query, and Little's
 * law L = λW checked against what is known to be in the system.
 */
import { connect, createServer, type Socket } from 'node:net';
import { listenLocal, percentile } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const POOL_SIZES = [1, 2, 4, 8, 16, 32] as const;

interface DbStats {
  connections: number;
  maxConnections: number;
  inService: number;
  maxInService: number;
}

/**
 * The database: one line per query ("Q <id>"), one line per answer ("R <id> <queued ms> <service ms>").
 * At most `capacity` queries are in service; later ones wait in its queue, in arrival order.
 */
async function startDatabase(ctx: LabContext, capacity: number, serviceMs: number) {
  const stats: DbStats = { connections: 0, maxConnections: 0, inService: 0, maxInService: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const queue: (() => void)[] = [];
  const next = () => {
    while (stats.inService < capacity && queue.length) queue.shift()!();
  };
  const server = createServer((sock) => {
    stats.connections++;
    stats.maxConnections = Math.max(stats.maxConnections, stats.connections);
    sock.setNoDelay(true);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const id = buf.slice(2, i);
        buf = buf.slice(i + 1);
        const arrived = performance.now();
        queue.push(() => {
          stats.inService++;
          stats.maxInService = Math.max(stats.maxInService, stats.inService);
          const started = performance.now();
          const t = setTimeout(() => {
            timers.delete(t);
            stats.inService--;
            const done = performance.now();
            if (!sock.destroyed) sock.write(`R ${id} ${(started - arrived).toFixed(3)} ${(done - started).toFixed(3)}\n`);
            next();
          }, serviceMs);
          timers.add(t);
        });
        next();
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      stats.connections--;
    });
  });
  const port = await listenLocal(ctx, server, () => {
    for (const t of timers) clearTimeout(t);
  });
  return { port, stats };
}

interface Answer {
  readonly dbQueueMs: number;
  readonly serviceMs: number;
}

/** One client connection to the database: one query at a time, like a real database connection. */
class DbConnection {
  private pending: ((a: Answer) => void) | undefined;
  private buf = '';
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      const i = this.buf.indexOf('\n');
      if (i < 0) return;
      const [, , queued, service] = this.buf.slice(0, i).split(' ');
      this.buf = this.buf.slice(i + 1);
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.({ dbQueueMs: Number(queued), serviceMs: Number(service) });
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<DbConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new DbConnection(s)));
      s.setNoDelay(true);
      s.once('error', reject);
    });
  }

  query(id: number): Promise<Answer> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.socket.write(`Q ${id}\n`);
    });
  }
}

/** A fixed-size pool: acquire() hands out an idle connection or queues the caller (FIFO) until one is released. */
class Pool {
  private readonly idle: DbConnection[];
  private readonly waiters: { resolve: (c: DbConnection) => void; reject: (e: Error) => void }[] = [];
  constructor(readonly connections: readonly DbConnection[]) {
    this.idle = [...connections];
  }
  acquire(): Promise<DbConnection> {
    const c = this.idle.pop();
    if (c) return Promise.resolve(c);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
  release(c: DbConnection): void {
    const w = this.waiters.shift();
    if (w) w.resolve(c);
    else this.idle.push(c);
  }
  /** End of the run: callers still queued give up instead of sending one more query each. */
  close(): void {
    for (const w of this.waiters.splice(0)) w.reject(new Error('pool closed'));
  }
}

interface Result {
  readonly pool: number;
  /** The measuring window: runMs, longer for small pools. */
  readonly windowMs: number;
  readonly completed: number;
  readonly throughput: number;
  readonly waitP50: number;
  readonly waitP99: number;
  readonly queryP50: number;
  readonly queryP99: number;
  readonly totalP50: number;
  readonly totalP99: number;
  readonly dbQueueP50: number;
  /** The database's own measured service time (the timer asks for serviceMs; a busy machine runs it late). */
  readonly serviceMean: number;
  /** Little's law from the measurements: λ × mean total time, λ × mean query time, λ × mean service time. */
  readonly inSystem: number;
  readonly inQuery: number;
  readonly inService: number;
  readonly maxInService: number;
  readonly dbConnections: number;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

interface Sample {
  readonly end: number;
  readonly wait: number;
  readonly query: number;
  readonly dbQueue: number;
  readonly service: number;
}

async function measure(ctx: LabContext, db: Awaited<ReturnType<typeof startDatabase>>, poolSize: number, clients: number, runMs: number, capacity: number, serviceMs: number): Promise<Result> {
  const conns = await Promise.all(Array.from({ length: poolSize }, () => DbConnection.open(db.port)));
  ctx.defer(() => conns.forEach((c) => c.socket.destroy()));
  const pool = new Pool(conns);
  db.stats.maxInService = 0;
  db.stats.maxConnections = db.stats.connections;
  const samples: Sample[] = [];
  let id = 0;
  // The window opens once every client has had an answer (all started together; by then they are spread out
  // as in steady state) and closes windowMs later. Only answers inside it are counted. λ × W from a window
  // is only close to L when the window is several times W (an answer counted early in it waited mostly
  // before it), so small pools, where W is long, get a longer window.
  const windowMs = Math.max(runMs, (5 * clients * serviceMs) / Math.min(poolSize, capacity));
  const warmed = new Set<number>();
  const bootAt = performance.now();
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let stopped = false;
  const client = async (me: number) => {
    while (!stopped && !ctx.signal.aborted) {
      const t0 = performance.now();
      let c: DbConnection;
      try {
        c = await pool.acquire();
      } catch {
        return;
      }
      const t1 = performance.now();
      const a = await c.query(++id);
      const t2 = performance.now();
      pool.release(c);
      samples.push({ end: t2, wait: t1 - t0, query: t2 - t1, dbQueue: a.dbQueueMs, service: a.serviceMs });
      if (windowStart === Infinity) {
        warmed.add(me);
        // A bound, in case some client never gets an answer in reasonable time.
        if (warmed.size === clients || t2 - bootAt > 2000) {
          windowStart = t2;
          windowEnd = t2 + windowMs;
        }
      } else if (t2 >= windowEnd && !stopped) {
        stopped = true;
        pool.close();
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const dbConnections = db.stats.maxConnections;
  for (const c of conns) c.socket.destroy();
  const inWindow = samples.filter((x) => x.end > windowStart && x.end <= windowEnd);
  const wait = inWindow.map((x) => x.wait);
  const query = inWindow.map((x) => x.query);
  const total = inWindow.map((x) => x.wait + x.query);
  const lambda = inWindow.length / (windowMs / 1000);
  return {
    pool: poolSize,
    windowMs: Math.round(windowMs),
    completed: inWindow.length,
    throughput: Math.round(lambda),
    waitP50: r1(percentile(wait, 50)),
    waitP99: r1(percentile(wait, 99)),
    queryP50: r1(percentile(query, 50)),
    queryP99: r1(percentile(query, 99)),
    totalP50: r1(percentile(total, 50)),
    totalP99: r1(percentile(total, 99)),
    dbQueueP50: r1(percentile(inWindow.map((x) => x.dbQueue), 50)),
    serviceMean: r2(mean(inWindow.map((x) => x.service))),
    inSystem: r2((lambda * mean(total)) / 1000),
    inQuery: r2((lambda * mean(query)) / 1000),
    inService: r2((lambda * mean(inWindow.map((x) => x.service))) / 1000),
    maxInService: db.stats.maxInService,
    dbConnections,
  };
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const clients = ctx.params.clients ?? 32;
  const capacity = ctx.params.dbCapacity ?? 4;
  const serviceMs = ctx.params.serviceMs ?? 4;
  const runMs = ctx.params.runMs ?? 250;

  out.say(
    `A "slow database" runs on 127.0.0.1 over TCP: every query takes ${serviceMs} ms of work, and it works on at most ${capacity} queries at once (think ${capacity} cores); the rest wait in its queue. ${clients} clients send queries back to back through a pool of P connections. Per pool size, answers are counted over a window of at least ${runMs} ms that opens once every client has had its first answer; small pools, where each query waits longer, get a longer window (several times that wait).`,
  );
  out.code([`→ Q 17                        one query, on one connection`, `← R 17 <queued ms> <service ms>  the answer and the database's timings`].join('\n'));
  const more = Math.round(POOL_SIZES[POOL_SIZES.length - 1]! / capacity);
  const choices = [`about ${more}× higher: ${more}× the connections`, 'about the same', 'clearly lower'];
  const guess = ctx.prompts ? await ctx.prompts.predictChoice(`the database runs ${capacity} queries at once. Pool of ${capacity} → pool of 32: throughput?`, choices) : undefined;

  const db = await startDatabase(ctx, capacity, serviceMs);
  const results: Result[] = [];
  out.heading('Sweeping the pool size');
  for (const p of POOL_SIZES) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const r = await measure(ctx, db, p, clients, runMs, capacity, serviceMs);
    results.push(r);
    out.step(
      `pool ${p}: ${r.completed} queries in ${r.windowMs} ms, ${r.throughput} req/s, p50 ${r.totalP50} ms`,
      `${r.dbConnections} connection${r.dbConnections === 1 ? '' : 's'} open at the database; at most ${r.maxInService} quer${r.maxInService === 1 ? 'y' : 'ies'} in service at once.`,
      { ...r },
    );
  }

  out.heading('Where the time went (ms)');
  out.table([
    ['pool', 'req/s', 'DB busy', 'wait p50', 'wait p99', 'query p50', 'query p99', 'queued in DB'],
    ...results.map((r) => [r.pool, r.throughput, `${Math.round((r.inService / capacity) * 100)}%`, r.waitP50, r.waitP99, r.queryP50, r.queryP99, r.dbQueueP50]),
  ]);
  out.bars(results.map((r) => ({ label: `pool ${r.pool}`, value: r.throughput })), 'req/s');

  const at = (p: number) => results.find((r) => r.pool === p) ?? results[results.length - 1]!;
  const first = results[0]!;
  const peak = results.reduce((a, b) => (b.throughput > a.throughput ? b : a));
  const last = results[results.length - 1]!;
  const knee = results.find((r) => r.inService >= capacity * 0.9);
  const service = mean(results.map((r) => r.serviceMean));
  out.figure('measured service time', `${service.toFixed(2)} ms`, service > serviceMs * 1.1 ? `asked ${serviceMs} ms; timers ran late` : `asked for ${serviceMs} ms`);
  out.figure('ceiling K / service time', `${Math.round((capacity * 1000) / service)} req/s`);
  out.step(
    `Throughput: ${first.throughput} req/s with 1 connection, ${peak.throughput} at best (pool ${peak.pool})`,
    `One connection carries one query at a time: at most 1000 / ${service.toFixed(1)} ms ≈ ${Math.round(1000 / service)} req/s. Each connection adds a query in flight until the database's ${capacity} slots are full${knee ? `: from pool ${knee.pool} on it was busy at least 90% of the time, and more connections cannot make it work faster` : ''}.`,
    { first: first.throughput, peak: peak.throughput, peakPool: peak.pool, kneePool: knee?.pool ?? null, serviceMean: r2(service) },
  );
  const small = at(capacity);
  const busy = (r: Result) => `${Math.round((r.inService / capacity) * 100)}%`;
  out.step(
    `Pool ${small.pool} → ${last.pool}: wait p50 ${small.waitP50} → ${last.waitP50} ms, query p50 ${small.queryP50} → ${last.queryP50} ms`,
    `Past the database's capacity more connections only move the queue: clients stop waiting for a connection and wait inside the database instead (queued in DB p50 ${small.dbQueueP50} → ${last.dbQueueP50} ms). The database was busy ${busy(small)} → ${busy(last)} of the time; throughput went ${small.throughput} → ${last.throughput} req/s.`,
    { from: small.pool, to: last.pool, waitFrom: small.waitP50, waitTo: last.waitP50, queryFrom: small.queryP50, queryTo: last.queryP50 },
  );
  if (guess !== undefined) {
    const ratio = last.throughput / Math.max(1, small.throughput);
    const right = ratio > 2 ? 0 : ratio >= 0.8 ? 1 : 2;
    out.say(
      guess === right
        ? `You predicted it: ${small.throughput} → ${last.throughput} req/s.`
        : `Not what happened: ${small.throughput} → ${last.throughput} req/s, closest to "${choices[right]!}".`,
    );
  }

  out.heading("Little's law: L = λ × W, from the measured values");
  out.say(
    `λ is the measured throughput and W a measured mean time. λ × (mean total time) should be the M = ${clients} clients, each always waiting or querying; λ × (mean query time) the connections in use, min(P, M); λ × (mean service time) the queries being worked on, never above ${capacity}.`,
  );
  out.table([
    ['pool', 'λ req/s', 'λ×W total', 'M', 'λ×W query', 'min(P,M)', 'λ×W service', 'K'],
    ...results.map((r) => [r.pool, r.throughput, r.inSystem.toFixed(1), clients, r.inQuery.toFixed(1), Math.min(r.pool, clients), r.inService.toFixed(2), capacity]),
  ]);
  const worst = results.reduce((a, b) => (Math.abs(b.inSystem - clients) > Math.abs(a.inSystem - clients) ? b : a));
  out.step(
    `λ×W total stays within ${Math.abs(worst.inSystem - clients).toFixed(1)} of ${clients} at every pool size`,
    'In a closed system the number inside is fixed, so λ = L / W: when W grows, throughput must fall, and when throughput is capped, W must grow. The small gap is the client-side time between one answer and the next query.',
    { clients, worstPool: worst.pool, worstInSystem: worst.inSystem },
  );
  out.step(
    `λ×W service peaks at ${Math.max(...results.map((r) => r.inService)).toFixed(2)} (K = ${capacity})`,
    `Throughput is at most K / service time. Size the pool from that: about K busy connections per database, more only add queueing and memory on the server (a Postgres connection is a process).`,
    { capacity, maxInService: Math.max(...results.map((r) => r.maxInService)) },
  );

  out.takeaways([
    "A pool smaller than the database's capacity leaves throughput unused: requests wait for a connection while the database idles.",
    `A pool larger than the capacity adds no throughput: the wait moves from the pool into the database, and each query holds its connection longer (query p99 ${small.queryP99} → ${last.queryP99} ms here).`,
    `Little's law sizes it: busy connections ≈ throughput × time per query (here ${peak.throughput} req/s × ${service.toFixed(1)} ms ≈ ${((peak.throughput * service) / 1000).toFixed(1)}, against K = ${capacity}).`,
    'With many app instances, the sum of their pools must fit max_connections: use a pooler (PgBouncer) in front of the database.',
  ]);

  return {
    clients,
    capacity,
    serviceMs,
    runMs,
    results: results.map((r) => ({ ...r })),
  };
}
