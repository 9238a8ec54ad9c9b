/**
 * Lab: request context. A real HTTP server on 127.0.0.1 handles many concurrent requests; each handler logs
 * across a timer, a pooled DB-like callback and awaits. The logger finds the request id through
 * AsyncLocalStorage, or through a module-level "current request" variable; every line is checked against
 * the id the handler really serves. Then a deadline: an AbortController carried in the context cancels a
 * slow downstream HTTP call on a second local server, which sees its connection close.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { request, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

type Variant = 'global' | 'als' | 'als-unbound-pool';

interface LogLine {
  /** The id of the request whose handler wrote the line (the ground truth, passed explicitly). */
  readonly handler: string;
  /** The id the logger found on its own (from the context or the global). */
  readonly logged: string;
  readonly where: string;
}

interface RequestPlan {
  readonly id: string;
  readonly timerMs: number;
  readonly queryMs: number;
}

/**
 * A DB-like driver with a small connection pool: a query waits in a queue when every connection is busy and
 * is started by whichever query finishes next. `bind` wraps each callback with AsyncResource.bind, so it runs
 * in the async context of the caller, as well-behaved drivers do.
 */
function createPool(size: number, bind: boolean) {
  const queue: { ms: number; cb: (rows: string) => void }[] = [];
  let busy = 0;
  let maxQueued = 0;
  const start = (job: { ms: number; cb: (rows: string) => void }) => {
    busy++;
    setTimeout(() => {
      busy--;
      job.cb(`[{"stock":3}]`);
      // The next queued query starts from inside this timer callback: in the context of *this* query.
      const next = queue.shift();
      if (next) start(next);
    }, job.ms);
  };
  return {
    query(ms: number, cb: (rows: string) => void): void {
      const job = { ms, cb: bind ? AsyncResource.bind(cb) : cb };
      if (busy < size) start(job);
      else {
        queue.push(job);
        maxQueued = Math.max(maxQueued, queue.length);
      }
    },
    get maxQueued() {
      return maxQueued;
    },
  };
}

interface ContextRun {
  readonly variant: Variant;
  readonly requests: number;
  readonly lines: number;
  readonly wrong: number;
  readonly requestsAffected: number;
  readonly wrongByPoint: Readonly<Record<string, number>>;
  readonly repliesWithWrongId: number;
  readonly maxQueued: number;
  readonly sample: readonly LogLine[];
}

const POINTS = ['received', 'after timer', 'db callback', 'after await db', 'replying'] as const;

async function contextRun(ctx: LabContext, variant: Variant, plans: readonly RequestPlan[], poolSize: number): Promise<ContextRun> {
  const als = new AsyncLocalStorage<{ requestId: string }>();
  // The tempting shortcut: one variable for "the request being handled now".
  let currentRequestId = '(none)';
  const lines: LogLine[] = [];
  const log = (handler: string, where: string) => {
    const logged = variant === 'global' ? currentRequestId : (als.getStore()?.requestId ?? '(none)');
    lines.push({ handler, logged, where });
  };
  const pool = createPool(poolSize, variant !== 'als-unbound-pool');
  const byId = new Map(plans.map((p) => [p.id, p]));

  const handle = async (plan: RequestPlan, res: ServerResponse) => {
    log(plan.id, 'received');
    await sleep(plan.timerMs);
    log(plan.id, 'after timer');
    const rows = await new Promise<string>((resolve) =>
      pool.query(plan.queryMs, (r) => {
        log(plan.id, 'db callback');
        resolve(r);
      }),
    );
    log(plan.id, 'after await db');
    await new Promise((r) => setImmediate(r));
    log(plan.id, 'replying');
    const logged = variant === 'global' ? currentRequestId : (als.getStore()?.requestId ?? '(none)');
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': logged });
    res.end(rows);
  };

  const server = await startServer(ctx, (req, res) => {
    const plan = byId.get(String(req.headers['x-request-id']));
    if (!plan) {
      res.writeHead(400);
      res.end();
      return;
    }
    const go = () =>
      handle(plan, res).catch((error: Error) => {
        res.writeHead(500);
        res.end(error.message);
      });
    if (variant === 'global') {
      currentRequestId = plan.id;
      void go();
    } else {
      als.run({ requestId: plan.id }, go);
    }
  });
  const replies = await Promise.all(plans.map((p) => server.get('/orders', { 'x-request-id': p.id })));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const wrongLines = lines.filter((l) => l.logged !== l.handler);
  const wrongByPoint = Object.fromEntries(POINTS.map((p) => [p, wrongLines.filter((l) => l.where === p).length]));
  return {
    variant,
    requests: plans.length,
    lines: lines.length,
    wrong: wrongLines.length,
    requestsAffected: new Set(wrongLines.map((l) => l.handler)).size,
    wrongByPoint,
    repliesWithWrongId: replies.filter((r, i) => r.headers['x-request-id'] !== plans[i]!.id).length,
    maxQueued: pool.maxQueued,
    sample: wrongLines.slice(0, 4),
  };
}

interface DeadlineRun {
  readonly propagate: boolean;
  readonly requests: number;
  readonly statuses: readonly number[];
  readonly upstreamMs: readonly number[];
  readonly unitsDone: number;
  readonly unitsPlanned: number;
  readonly downstreamSawClose: number;
  readonly downstreamCompleted: number;
  readonly logMismatches: number;
  readonly log: readonly string[];
}

/** A downstream call with Node's http client; `signal` destroys the socket when it aborts. */
function callDownstream(port: number, path: string, id: string, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { 'x-request-id': id }, ...(signal ? { signal } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function deadlineRun(ctx: LabContext, propagate: boolean, requests: number, timeoutMs: number, units: number, unitMs: number): Promise<DeadlineRun> {
  // Downstream: slow work in units; it stops early only if its client goes away.
  const work: Promise<void>[] = [];
  const downstream = { unitsDone: 0, sawClose: 0, completed: 0 };
  const inventory = await startServer(ctx, (_req, res) => {
    let gone = false;
    res.on('close', () => {
      if (!res.writableEnded) {
        gone = true;
        downstream.sawClose++;
      }
    });
    const job = (async () => {
      for (let i = 0; i < units && !gone && !ctx.signal.aborted; i++) {
        await sleep(unitMs);
        if (!gone) downstream.unitsDone++;
      }
      if (gone) return;
      downstream.completed++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"reserved":true}');
    })();
    work.push(job);
  });

  // Upstream: a deadline per request, its AbortSignal stored in the request's context.
  const als = new AsyncLocalStorage<{ requestId: string; signal: AbortSignal }>();
  const log: string[] = [];
  let mismatches = 0;
  const say = (handler: string, text: string) => {
    const store = als.getStore();
    if (store?.requestId !== handler) mismatches++;
    log.push(`[${store?.requestId ?? '(none)'}] ${text}`);
  };
  /** Deep in the call stack: no parameters for the id or the signal, the context has both. */
  const reserveStock = (handler: string) => {
    const store = als.getStore()!;
    say(handler, `calling inventory${propagate ? ' with the request signal' : ''}`);
    return callDownstream(inventory.port, '/reserve', store.requestId, propagate ? store.signal : undefined);
  };
  const upstream = await startServer(ctx, (req, res) => {
    const id = String(req.headers['x-request-id']);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`deadline of ${timeoutMs} ms`)), timeoutMs);
    als.run({ requestId: id, signal: controller.signal }, async () => {
      const expired = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }));
      const call = reserveStock(id);
      call.catch(() => undefined); // when not cancelled, it settles later, for nobody
      try {
        const body = await Promise.race([call, expired]);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      } catch (error) {
        say(id, `gave up: ${(error as Error).message}, answering 504`);
        res.writeHead(504, { 'content-type': 'text/plain' });
        res.end('Gateway Timeout\n');
      } finally {
        clearTimeout(timer);
      }
    });
  });

  const ids = Array.from({ length: requests }, (_, i) => `req-${String(i + 1).padStart(2, '0')}`);
  const replies = await Promise.all(ids.map((id) => upstream.get('/checkout', { 'x-request-id': id })));
  // Let the downstream finish (or notice the close) before counting.
  while (work.length < requests && !ctx.signal.aborted) await sleep(5);
  await Promise.all(work);
  if (ctx.signal.aborted) throw ctx.signal.reason;
  return {
    propagate,
    requests,
    statuses: replies.map((r) => r.status),
    upstreamMs: replies.map((r) => Math.round(r.ms)),
    unitsDone: downstream.unitsDone,
    unitsPlanned: requests * units,
    downstreamSawClose: downstream.sawClose,
    downstreamCompleted: downstream.completed,
    logMismatches: mismatches,
    log,
  };
}

const LABEL: Record<Variant, string> = {
  global: 'module-level variable',
  als: 'AsyncLocalStorage',
  'als-unbound-pool': 'ALS + pool, no bind',
};

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out, rng } = ctx;
  const requests = ctx.params.requests ?? 50;
  const poolSize = ctx.params.pool ?? 4;
  const timeoutMs = ctx.params.timeoutMs ?? 100;
  const units = 10;
  const unitMs = 30;
  const plans: RequestPlan[] = Array.from({ length: requests }, (_, i) => ({
    id: `req-${String(i + 1).padStart(2, '0')}`,
    timerMs: 1 + Math.floor(rng() * 20),
    queryMs: 2 + Math.floor(rng() * 8),
  }));

  out.say(
    `A real HTTP server on 127.0.0.1 receives ${requests} concurrent requests, each with its own X-Request-Id. Each handler waits on a timer (seeded 1–20 ms), queries a DB-like driver with a pool of ${poolSize} connections, awaits it, and replies, logging at ${POINTS.length} points. The logger is not given the id: it has to find it. The handler also records its own id, so every line can be checked.`,
  );
  out.code(
    [
      'let currentRequestId;                       // variant 1',
      'const als = new AsyncLocalStorage();        // variant 2',
      'server.on("request", (req, res) => {',
      '  currentRequestId = req.headers["x-request-id"];',
      '  // or: als.run({ requestId }, () => handle(req, res));',
      '});',
      'const log = (msg) => lines.push(`[${currentRequestId}] ${msg}`);',
      '//    or: `[${als.getStore().requestId}] ${msg}`',
    ].join('\n'),
  );
  let guess: number | undefined;
  if (ctx.prompts) {
    guess = await ctx.prompts.predictChoice(`with the module-level variable, how many of the ${requests * POINTS.length} log lines carry the wrong request id?`, [
      'none: each request sets it before it logs',
      'a few, when timing is unlucky',
      'most lines written after the first await',
    ]);
  }

  out.heading('1. A module-level "current request" vs AsyncLocalStorage');
  const global = await contextRun(ctx, 'global', plans, poolSize);
  const als = await contextRun(ctx, 'als', plans, poolSize);
  const share = global.lines ? global.wrong / global.lines : 0;
  if (guess !== undefined) {
    const actual = global.wrong === 0 ? 0 : share <= 0.25 ? 1 : 2;
    out.say(`${guess === actual ? 'Right' : 'Not quite'}: ${global.wrong} of ${global.lines} lines (${Math.round(share * 100)}%) were wrong.`);
  }
  const showLines = (r: ContextRun) => r.sample.map((l) => `[${l.logged}] ${l.where.padEnd(15)} ← written by the handler of ${l.handler}`).join('\n');
  if (global.sample.length) out.code(showLines(global));
  out.step(
    `Module-level variable: ${global.wrong} of ${global.lines} lines carry the wrong id`,
    global.wrong
      ? `Every request overwrites the one variable when it arrives. While a handler waits (timer, query), other requests arrive and overwrite it, so after its first await it logs whoever arrived last. ${global.requestsAffected} of ${requests} requests have at least one wrong line; ${global.repliesWithWrongId} replies carried a wrong X-Request-Id.`
      : 'No request overlapped another in this run, so the variable was never overwritten mid-request; under real concurrency it would be.',
    { variant: 'global', lines: global.lines, wrong: global.wrong, requestsAffected: global.requestsAffected, repliesWithWrongId: global.repliesWithWrongId },
  );
  out.step(
    `AsyncLocalStorage: ${als.wrong} of ${als.lines} lines carry the wrong id`,
    als.wrong
      ? 'Some lines lost their context here: see which log point in the table below.'
      : 'als.run() gives each request its own store, and Node carries it into every callback and promise continuation created inside: timers, awaits, and the driver callback (bound with AsyncResource.bind).',
    { variant: 'als', lines: als.lines, wrong: als.wrong },
  );

  out.heading('2. Context loss: a pool that queues plain callbacks');
  const unbound = await contextRun(ctx, 'als-unbound-pool', plans, poolSize);
  out.say(
    `The same ALS logger with a driver that does not bind its callbacks. With ${requests} requests and ${poolSize} connections, up to ${unbound.maxQueued} queries waited in the queue; a queued query is started from inside another query's completion callback.`,
  );
  if (unbound.sample.length) out.code(showLines(unbound));
  const cbWrong = unbound.wrongByPoint['db callback'] ?? 0;
  const afterAwaitWrong = unbound.wrongByPoint['after await db'] ?? 0;
  out.step(
    `No bind: ${unbound.wrong} wrong lines, ${cbWrong} of them in the db callback`,
    unbound.wrong
      ? `A callback inherits the async context in which its timer or I/O was created. A queued query is started by whichever query just finished, so its callback runs in that other request's context.${afterAwaitWrong === 0 ? ' Yet no "after await db" line was wrong: an await resumes in the context of the function that awaited, whoever resolved the promise.' : ''}`
      : 'No query waited in the queue this time, so every callback ran in its own context.',
    { variant: 'als-unbound-pool', wrong: unbound.wrong, wrongByPoint: unbound.wrongByPoint, maxQueued: unbound.maxQueued },
  );

  out.table([
    ['logger finds the id via', 'lines', 'wrong', 'requests hit', 'replies wrong'],
    ...[global, als, unbound].map((r) => [LABEL[r.variant], r.lines, r.wrong, r.requestsAffected, r.repliesWithWrongId]),
  ]);
  const SHORT: Record<string, string> = { received: 'received', 'after timer': 'timer', 'db callback': 'db cb', 'after await db': 'await db', replying: 'reply' };
  out.table([['wrong lines at', ...POINTS.map((p) => SHORT[p]!)], ...[global, als, unbound].map((r) => [LABEL[r.variant], ...POINTS.map((p) => r.wrongByPoint[p] ?? 0)])]);

  out.heading('3. A deadline that cancels the downstream call');
  const deadlineRequests = Math.min(requests, 5);
  out.say(
    `A second local server, "inventory", does ${units} units of ${unitMs} ms of work per request and stops only if its client disconnects. The upstream /checkout gives each request a ${timeoutMs} ms deadline: an AbortController stored in the request's ALS context next to the id. ${deadlineRequests} concurrent requests, twice: once with the signal passed to http.request, once without.`,
  );
  out.code(
    [
      'const controller = new AbortController();',
      `setTimeout(() => controller.abort(), ${timeoutMs});  // or AbortSignal.timeout()`,
      'als.run({ requestId, signal: controller.signal }, handle);',
      '// deep inside, no parameters needed:',
      'http.request(url, { signal: als.getStore().signal });',
    ].join('\n'),
  );
  let guessCancel: number | undefined;
  if (ctx.prompts) {
    guessCancel = await ctx.prompts.predictChoice('the upstream answers 504 at its deadline but does NOT pass the signal on. The inventory work…', [
      'stops: the caller has given up',
      'runs to completion, for nobody',
    ]);
  }
  const ignore = await deadlineRun(ctx, false, deadlineRequests, timeoutMs, units, unitMs);
  const cancel = await deadlineRun(ctx, true, deadlineRequests, timeoutMs, units, unitMs);
  if (guessCancel !== undefined) out.say(`${guessCancel === (ignore.downstreamCompleted > 0 ? 1 : 0) ? 'Right' : 'Not what happened'}: without the signal, ${ignore.downstreamCompleted} of ${ignore.requests} inventory jobs ran to completion.`);
  out.code(cancel.log.filter((l) => l.startsWith('[req-01]') || l.startsWith('[req-02]')).join('\n'));
  const statusText = (r: DeadlineRun) => [...new Set(r.statuses)].map((s) => `${r.statuses.filter((x) => x === s).length} × ${s}`).join(', ');
  out.table([
    ['signal passed on?', 'upstream replies', 'units done', 'saw close', 'completed'],
    ...[ignore, cancel].map((r) => [r.propagate ? 'yes' : 'no', statusText(r), `${r.unitsDone} of ${r.unitsPlanned}`, r.downstreamSawClose, r.downstreamCompleted]),
  ]);
  out.step(
    `No signal: ${ignore.downstreamCompleted} of ${ignore.requests} inventory jobs ran to completion (${ignore.unitsDone} units)`,
    ignore.downstreamCompleted
      ? 'The upstream stopped waiting, not the work: the request to inventory stayed open, so inventory kept working and answered a caller that had already replied 504. Under load, that wasted work is what turns a slowdown into an outage.'
      : 'Inventory did not finish its jobs this time even though nothing cancelled them.',
    { propagate: false, unitsDone: ignore.unitsDone, completed: ignore.downstreamCompleted, sawClose: ignore.downstreamSawClose, statuses: ignore.statuses },
  );
  out.step(
    `With the signal: inventory saw ${cancel.downstreamSawClose} connection${cancel.downstreamSawClose === 1 ? '' : 's'} close and did ${cancel.unitsDone} of ${cancel.unitsPlanned} units`,
    `${cancel.downstreamSawClose ? `Aborting the controller made http.request destroy its socket; inventory's response emitted 'close' before it ended, and its loop stopped. ${cancel.unitsPlanned - cancel.unitsDone} units were never done.` : 'Inventory did not see the close this time.'} The log lines above still carry the right ids (${cancel.logMismatches + ignore.logMismatches} mismatches): the signal and the id travel in the same context.`,
    { propagate: true, unitsDone: cancel.unitsDone, completed: cancel.downstreamCompleted, sawClose: cancel.downstreamSawClose, statuses: cancel.statuses },
  );

  out.takeaways([
    'A module-level "current request" is shared by every request in flight: after the first await it names whoever arrived last.',
    'AsyncLocalStorage gives each request its own store, carried through timers, promises and callbacks created inside als.run().',
    'Callbacks queued by pools or emitters run in whoever flushes the queue; libraries fix it with AsyncResource.bind, and awaiting restores the context.',
    'A timeout must cancel downstream work too: pass the AbortSignal (fetch, http.request, DB query cancel) and keep it in the request context.',
  ]);

  const summary = (r: ContextRun) => ({ lines: r.lines, wrong: r.wrong, requestsAffected: r.requestsAffected, repliesWithWrongId: r.repliesWithWrongId, wrongByPoint: r.wrongByPoint, maxQueued: r.maxQueued });
  const deadline = (r: DeadlineRun) => ({
    statuses: r.statuses,
    unitsDone: r.unitsDone,
    unitsPlanned: r.unitsPlanned,
    sawClose: r.downstreamSawClose,
    completed: r.downstreamCompleted,
    logMismatches: r.logMismatches,
  });
  return {
    requests,
    pool: poolSize,
    timeoutMs,
    plans: plans.map((p) => [p.timerMs, p.queryMs]),
    global: summary(global),
    als: summary(als),
    unboundPool: summary(unbound),
    withoutSignal: deadline(ignore),
    withSignal: deadline(cancel),
  };
}
