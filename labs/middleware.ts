/**
 * Lab: middleware. A hand-built pipeline (Express-style next() and next(err), async-aware, with Koa-style
 * onion exits because next() returns a promise) runs a real HTTP server on 127.0.0.1. Every entry and exit
 * is recorded as it happens. The same stages are then registered in wrong orders and the same requests
 * sent, counting what leaks or breaks; finally a seeded stream of requests shows short-circuiting as a funnel.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendHttp, type RawHttpReply } from '../src/labs/http-any-method.js';
import { startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

interface Req extends IncomingMessage {
  user?: string;
  order?: { item: string; qty: number };
}
type Next = (err?: unknown) => Promise<void>;
type Middleware =
  | { readonly name: string; readonly kind: 'normal'; readonly fn: (req: Req, res: ServerResponse, next: Next) => void | Promise<void> }
  | { readonly name: string; readonly kind: 'error'; readonly fn: (err: unknown, req: Req, res: ServerResponse, next: Next) => void | Promise<void> };

interface TraceEvent {
  readonly dir: 'in' | 'out';
  readonly name: string;
  readonly depth: number;
  readonly note: string;
}

/** What one app instance did, counted on the server side. */
interface Stats {
  entered: Record<string, number>;
  handlerRuns: number;
  ordersCreated: number;
  errorHandlerRuns: number;
  defaultErrorResponses: number;
  bytesParsedUnauthenticated: number;
  parseMsUnauthenticated: number;
  accessLog: string[];
}

/**
 * The dispatcher. Express's rules: middleware runs in registration order; next() passes on; answering
 * without next() ends the chain (short-circuit); next(err), a throw or a rejected promise skips forward to
 * the next error middleware registered AFTER the failing one; if there is none, the framework's default
 * handler answers. Unlike Express, next() returns a promise for the rest of the chain, so code after
 * `await next()` runs on the way out: the onion.
 */
function createApp(stack: readonly Middleware[], stats: Stats, trace: TraceEvent[]) {
  const finalHandler = (err: unknown, req: Req, res: ServerResponse) => {
    if (res.headersSent) return;
    if (err !== undefined) {
      // What Express's default handler (finalhandler) does outside production: the stack, as HTML.
      stats.defaultErrorResponses++;
      res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<pre>${String((err as Error).stack ?? err)}</pre>`);
    } else {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<pre>Cannot ${req.method} ${req.url}</pre>`);
    }
  };
  const dispatch = async (from: number, depth: number, req: Req, res: ServerResponse, err: unknown): Promise<void> => {
    // Find the next middleware of the right kind: normal ones while all is well, error ones after a failure.
    let j = from;
    while (j < stack.length && (stack[j]!.kind === 'error') !== (err !== undefined)) j++;
    if (j >= stack.length) return finalHandler(err, req, res);
    const m = stack[j]!;
    stats.entered[m.name] = (stats.entered[m.name] ?? 0) + 1;
    trace.push({ dir: 'in', name: m.name, depth, note: '' });
    let nextCalled = false;
    const next: Next = (e) => {
      if (nextCalled) return Promise.reject(new Error(`next() called twice in ${m.name}`));
      nextCalled = true;
      return dispatch(j + 1, depth + 1, req, res, e);
    };
    try {
      if (m.kind === 'error') await m.fn(err, req, res, next);
      else await m.fn(req, res, next);
      trace.push({ dir: 'out', name: m.name, depth, note: nextCalled ? '' : res.headersSent ? `answered ${res.statusCode}` : 'no answer' });
    } catch (e) {
      // A throw or a rejected promise (async support): route it forward, as next(e) would.
      trace.push({ dir: 'out', name: m.name, depth, note: `threw: ${(e as Error).message}` });
      if (!nextCalled) await dispatch(j + 1, depth + 1, req, res, e);
    }
  };
  return (req: IncomingMessage, res: ServerResponse) => dispatch(0, 0, req as Req, res, undefined);
}

const TOKEN = 'Bearer s3cret';

/** The stages. Each is a plain middleware; only the order of registration changes between apps. */
function stages(stats: Stats) {
  const logging: Middleware = {
    name: 'logging',
    kind: 'normal',
    async fn(req, res, next) {
      const t0 = performance.now();
      await next();
      // On the way out: the status is known now, whoever answered.
      stats.accessLog.push(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - t0).toFixed(1)}ms`);
    },
  };
  const auth: Middleware = {
    name: 'auth',
    kind: 'normal',
    async fn(req, res, next) {
      if (req.headers.authorization !== TOKEN) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end('{"error":"unauthenticated"}');
        return; // short-circuit: no next()
      }
      req.user = 'ada';
      await next();
    },
  };
  const validation: Middleware = {
    name: 'validation',
    kind: 'normal',
    async fn(req, res, next) {
      const t0 = performance.now();
      const text = await readBody(req, 1 << 20);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (!req.user) {
        stats.bytesParsedUnauthenticated += Buffer.byteLength(text);
        stats.parseMsUnauthenticated += performance.now() - t0;
      }
      const b = body as { item?: unknown; qty?: unknown } | undefined;
      if (!b || typeof b.item !== 'string' || !Number.isInteger(b.qty) || (b.qty as number) < 1 || (b.qty as number) > 100) {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end('{"error":"item and qty (1-100) required"}');
        return;
      }
      req.order = { item: b.item, qty: b.qty as number };
      await next();
    },
  };
  const handler: Middleware = {
    name: 'handler',
    kind: 'normal',
    async fn(req, res) {
      stats.handlerRuns++;
      await new Promise((r) => setImmediate(r)); // pretend to call the inventory service
      if (req.order?.item === 'flux-capacitor') throw new Error('inventory service unavailable');
      stats.ordersCreated++;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ order: stats.ordersCreated, user: req.user ?? null, ...req.order }));
    },
  };
  const errorHandler: Middleware = {
    name: 'errorHandler',
    kind: 'error',
    fn(_err, _req, res) {
      stats.errorHandlerRuns++;
      if (res.headersSent) return;
      res.writeHead(500, { 'content-type': 'application/json' });
      // The detail goes to the log; the client gets a generic message.
      res.end(JSON.stringify({ error: 'internal error', ref: `err-${stats.errorHandlerRuns}` }));
    },
  };
  return { logging, auth, validation, handler, errorHandler };
}

type StageName = 'logging' | 'auth' | 'validation' | 'handler' | 'errorHandler';

interface Sent {
  readonly label: string;
  readonly token: boolean;
  readonly body: string;
}
const GOOD: Sent = { label: 'valid order, token', token: true, body: '{"item":"widget","qty":2}' };
const NO_TOKEN: Sent = { label: 'no token', token: false, body: '{"item":"widget","qty":2}' };
const INVALID: Sent = { label: 'token, qty: 0', token: true, body: '{"item":"widget","qty":0}' };
const BOOM: Sent = { label: 'token, handler throws', token: true, body: '{"item":"flux-capacitor","qty":1}' };
/** An anonymous client sending a large (valid) body: 256 KiB of JSON. */
const BIG_NO_TOKEN: Sent = { label: 'no token, 256 KiB body', token: false, body: `{"item":"widget","qty":2,"note":"${'x'.repeat(256 * 1024 - 40)}"}` };

/** An app with the stages registered in `order`, on its own server, and a way to send it requests. */
async function mount(ctx: LabContext, order: readonly StageName[]) {
  const stats: Stats = { entered: {}, handlerRuns: 0, ordersCreated: 0, errorHandlerRuns: 0, defaultErrorResponses: 0, bytesParsedUnauthenticated: 0, parseMsUnauthenticated: 0, accessLog: [] };
  const trace: TraceEvent[] = [];
  const all = stages(stats);
  const app = createApp(
    order.map((n) => all[n]),
    stats,
    trace,
  );
  const inFlight = new Set<Promise<void>>();
  const server = await startServer(ctx, (req, res) => {
    const p = app(req, res)
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  return {
    stats,
    trace,
    /** Send one request; resolve once the response arrived AND the pipeline has fully unwound. */
    async send(s: Sent): Promise<RawHttpReply> {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (s.token) headers.authorization = TOKEN;
      const reply = await sendHttp(server.port, 'POST', '/orders', { headers, body: s.body });
      await Promise.all([...inFlight]);
      return reply;
    },
  };
}

/** The recorded entries and exits, indented by depth: the onion as it happened. */
function drawTrace(trace: readonly TraceEvent[]): string {
  return trace.map((e) => `${'  '.repeat(e.depth)}${e.dir === 'in' ? '→' : '←'} ${e.name}${e.note ? `  (${e.note})` : ''}`).join('\n');
}

const statusOf = (r: RawHttpReply) => `${r.status} ${String(r.headers['content-type'] ?? '').split(';')[0]}`;

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const n = Math.max(5, Math.round(ctx.params.requests ?? 40));
  const RIGHT: StageName[] = ['logging', 'auth', 'validation', 'handler', 'errorHandler'];

  out.say(
    "A middleware pipeline built in this lab, serving a real HTTP server on 127.0.0.1. Express 5's rules: stages run in registration order, answering without next() ends the chain, and an error (next(err), a throw, a rejected promise) jumps to the next error handler registered after it. Unlike Express's, this next() returns a promise for the rest of the chain (as in Koa), so code after `await next()` runs on the way back out.",
  );

  // --- 1 -------------------------------------------------------------------------------------------
  out.heading('1. One request through the onion');
  out.code(`app.use(${RIGHT.join(')\napp.use(')})`);
  const good = await mount(ctx, RIGHT);
  let guess: readonly string[] | undefined;
  if (ctx.prompts) guess = await ctx.prompts.predictOrder('a valid request: in what order do the stages FINISH (exit)?', ['auth', 'handler', 'logging', 'validation']);
  const r1 = await good.send(GOOD);
  out.code(drawTrace(good.trace));
  const entries = good.trace.filter((e) => e.dir === 'in').map((e) => e.name);
  const exits = good.trace.filter((e) => e.dir === 'out').map((e) => e.name);
  if (guess) {
    const right = guess.join() === exits.join();
    out.say(right ? 'Your order matched what the server recorded.' : `You predicted ${guess.join(' → ')}; the recorded exits were ${exits.join(' → ')}.`);
  }
  const reversed = exits.join() === [...entries].reverse().join();
  out.step(
    `${r1.status}: in ${entries.join(' → ')}; out ${reversed ? 'in reverse' : exits.join(' → ')}`,
    'Each stage awaits next(), so it finishes only after everything registered after it: the first in is the last out. That is why the logger, outermost, can record the final status and the total time.',
    { status: r1.status, entries, exits },
  );
  out.figure('access log line', good.stats.accessLog.at(-1) ?? '(none)');

  // --- 2 -------------------------------------------------------------------------------------------
  out.heading('2. Short-circuit and errors, in the right order');
  const traces: Record<string, { status: number; trace: string[] }> = {};
  for (const s of [NO_TOKEN, INVALID, BOOM]) {
    good.trace.length = 0;
    const before = good.stats.handlerRuns;
    const r = await good.send(s);
    traces[s.label] = { status: r.status, trace: good.trace.map((e) => `${e.dir === 'in' ? '→' : '←'}${e.name}`) };
    out.say(`${s.label}: ${s.body}${s.token ? '' : ' (no Authorization header)'}`);
    out.code(`${drawTrace(good.trace)}\n= ${statusOf(r)} ${r.body}`);
    const ran = good.stats.handlerRuns - before;
    const logged = good.stats.accessLog.at(-1)?.split(' ')[2] ?? 'nothing';
    out.step(
      `${statusOf(r)}; handler ran ${ran} time${ran === 1 ? '' : 's'}`,
      s === NO_TOKEN
        ? `auth answered without calling next(): nothing inside it ran, while logging, outside it, unwound and logged ${logged}.`
        : s === INVALID
          ? `validation short-circuited before the handler; auth and logging still unwound around it, and logging logged ${logged}.`
          : `The handler threw after an await; the pipeline caught the rejected promise and skipped forward to errorHandler (runs: ${good.stats.errorHandlerRuns}), which answered a generic ${r.status}. logging logged ${logged}.`,
      { request: s.label, status: r.status, handlerRan: ran },
    );
  }
  const accessLogLines = good.stats.accessLog.length;
  out.figure('access log', `${accessLogLines} lines for 4 requests`, good.stats.accessLog.map((l) => l.split(' ')[2]).join(', '));

  // --- 3 -------------------------------------------------------------------------------------------
  out.heading('3. The same stages in wrong orders');
  const wrongOrders: { id: string; title: string; order: StageName[]; sent: Sent[] }[] = [
    { id: 'error-handler-first', title: 'error handler registered before the handler', order: ['logging', 'errorHandler', 'auth', 'validation', 'handler'], sent: [BOOM] },
    { id: 'parse-before-auth', title: 'body parsing/validation before auth', order: ['logging', 'validation', 'auth', 'handler', 'errorHandler'], sent: [BIG_NO_TOKEN, BIG_NO_TOKEN, BIG_NO_TOKEN] },
    { id: 'handler-before-auth', title: 'route registered before auth', order: ['logging', 'validation', 'handler', 'auth', 'errorHandler'], sent: [NO_TOKEN, NO_TOKEN, NO_TOKEN] },
    { id: 'logging-after-auth', title: 'logging after auth', order: ['auth', 'logging', 'validation', 'handler', 'errorHandler'], sent: [GOOD, NO_TOKEN, NO_TOKEN, NO_TOKEN, GOOD] },
  ];
  const errChoices = ['500 JSON from errorHandler', "500 from the framework's default handler", 'the request hangs'];

  const wrong: Record<string, LabObservations> = {};
  for (const w of wrongOrders) {
    out.say(`${w.title}:`);
    out.code(`app.use(${w.order.join(')\napp.use(')})`);
    let guessErr: number | undefined;
    if (w.id === 'error-handler-first' && ctx.prompts) guessErr = await ctx.prompts.predictChoice('the handler throws. What does the client get?', errChoices);
    const app = await mount(ctx, w.order);
    const replies: RawHttpReply[] = [];
    for (const s of w.sent) replies.push(await app.send(s));
    const statuses = replies.map((r) => r.status);
    const st = app.stats;
    if (w.id === 'error-handler-first') {
      const r = replies[0]!;
      const leaked = /^\s*at /m.test(r.body);
      if (guessErr !== undefined) {
        const actual = st.errorHandlerRuns > 0 ? 0 : r.status === 500 ? 1 : 2;
        out.say(guessErr === actual ? 'Your prediction matched.' : `Not what you predicted: the client got ${statusOf(r)}.`);
      }
      out.code(`< HTTP/1.1 ${statusOf(r)}\n< ${r.body.split('\n').slice(0, 3).map((l) => (l.length > 70 ? `${l.slice(0, 69)}…` : l)).join('\n< ')}\n< …`);
      out.step(
        `errorHandler ran ${st.errorHandlerRuns} times; default handler: ${statusOf(r)}${leaked ? ' + stack trace' : ''}`,
        'An error only travels forward, to error handlers registered after the stage that failed. This one sits before the handler, so the error fell off the end into the default handler, which (like Express outside production) sends the stack trace: file paths and internals, to any client.',
        { order: w.id, status: r.status, errorHandlerRuns: st.errorHandlerRuns, defaultErrorResponses: st.defaultErrorResponses, stackLeaked: leaked },
      );
      wrong[w.id] = { statuses, errorHandlerRuns: st.errorHandlerRuns, defaultErrorResponses: st.defaultErrorResponses, contentType: String(r.headers['content-type']), stackLeaked: leaked };
    } else if (w.id === 'parse-before-auth') {
      // The same three requests against the right order, for comparison.
      const before = good.stats.bytesParsedUnauthenticated;
      const rightStatuses: number[] = [];
      for (const s of w.sent) rightStatuses.push((await good.send(s)).status);
      const rightBytes = good.stats.bytesParsedUnauthenticated - before;
      const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
      out.table([
        ['order', 'statuses', 'parsed before 401', 'time parsing'],
        ['validation before auth', statuses.join(' '), kib(st.bytesParsedUnauthenticated), `${st.parseMsUnauthenticated.toFixed(1)} ms`],
        ['auth first (part 1)', rightStatuses.join(' '), kib(rightBytes), '—'],
      ]);
      out.step(
        `Before the 401s: ${kib(st.bytesParsedUnauthenticated)} parsed, against ${kib(rightBytes)} with auth first`,
        'The answer is the same 401 either way; the work is not. With parsing ahead of auth, anonymous clients choose how much buffering and JSON.parse you do, up to the body limit on every request.',
        { order: w.id, statuses, bytesParsed: st.bytesParsedUnauthenticated, rightOrderBytes: rightBytes },
      );
      wrong[w.id] = { statuses, bytesParsedUnauthenticated: st.bytesParsedUnauthenticated, rightOrderBytesParsed: rightBytes, rightOrderStatuses: rightStatuses };
    } else if (w.id === 'handler-before-auth') {
      out.step(
        `${w.sent.length} unauthenticated requests: ${statuses.join(', ')}; handler ran ${st.handlerRuns}, orders created ${st.ordersCreated}`,
        'The handler answered and did not call next(), so auth, registered after it, was never reached: the route is public. In Express this is a route declared above app.use(requireAuth).',
        { order: w.id, statuses, handlerRuns: st.handlerRuns, ordersCreated: st.ordersCreated },
      );
      wrong[w.id] = { statuses, handlerRuns: st.handlerRuns, ordersCreated: st.ordersCreated, authEntered: st.entered.auth ?? 0 };
    } else {
      const logged = st.accessLog.map((l) => Number(l.split(' ')[2]));
      out.step(
        `${w.sent.length} requests (${statuses.join(', ')}); access log: ${st.accessLog.length} lines (${logged.join(', ') || 'none'})`,
        `Every 401 short-circuited in auth before logging was reached, so the log misses ${w.sent.length - st.accessLog.length} of ${w.sent.length} requests: exactly the failed logins you would want to see during a brute-force attack.`,
        { order: w.id, statuses, logged },
      );
      wrong[w.id] = { statuses, logged };
    }
  }

  // --- 4 -------------------------------------------------------------------------------------------
  out.heading(`4. Short-circuiting, counted over ${n} requests`);
  const mix: Sent[] = [];
  for (let i = 0; i < n; i++) {
    const r = ctx.rng();
    mix.push(r < 0.3 ? NO_TOKEN : r < 0.45 ? INVALID : GOOD);
  }
  const funnel = await mount(ctx, RIGHT);
  const statusCounts: Record<string, number> = {};
  for (let i = 0; i < mix.length; i += 8) {
    const replies = await Promise.all(mix.slice(i, i + 8).map((s) => funnel.send(s)));
    for (const r of replies) statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
  }
  const e = funnel.stats.entered;
  out.say(`A seeded mix: ${mix.filter((s) => s === NO_TOKEN).length} without a token, ${mix.filter((s) => s === INVALID).length} with an invalid body, ${mix.filter((s) => s === GOOD).length} valid. Sent 8 at a time; each stage counts how often it ran.`);
  out.table([
    ['stage', 'entered', 'answered here', 'passed on'],
    ['logging', e.logging ?? 0, 0, e.logging ?? 0],
    ['auth', e.auth ?? 0, statusCounts[401] ?? 0, e.validation ?? 0],
    ['validation', e.validation ?? 0, statusCounts[422] ?? 0, e.handler ?? 0],
    ['handler', e.handler ?? 0, statusCounts[201] ?? 0, 0],
  ]);
  out.bars(
    (['logging', 'auth', 'validation', 'handler'] as const).map((s) => ({ label: s, value: e[s] ?? 0 })),
    'runs',
  );
  out.step(
    `handler ran ${funnel.stats.handlerRuns} times for ${n} requests`,
    'Each early stage answers what it can reject and never calls next() for it, so the expensive work at the centre runs only for requests that passed every check. Cheap, likely rejections belong early.',
    { requests: n, handlerRuns: funnel.stats.handlerRuns, statusCounts },
  );

  out.takeaways([
    "Middleware is an onion: first registered is first in and last out, so the outermost logger sees every status (Koa: after await next(); Express: on res 'finish').",
    'Answering without next() short-circuits: nothing inside runs, everything outside still unwinds.',
    'Errors only travel forward: register the error handler after the routes, or it never catches.',
    'Order is security: auth before parsing and before routes, logging outside auth, or 401s vanish from the log.',
  ]);

  return {
    requests: n,
    onion: { status: r1.status, entries, exits },
    rightOrder: traces,
    accessLogLines,
    wrongOrders: wrong,
    funnel: { entered: { logging: e.logging ?? 0, auth: e.auth ?? 0, validation: e.validation ?? 0, handler: e.handler ?? 0 }, statusCounts, handlerRuns: funnel.stats.handlerRuns },
  };
}
