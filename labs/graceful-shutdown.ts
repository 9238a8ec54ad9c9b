/**
 * Lab: graceful shutdown. A small HTTP server runs in a real child process (a script written to a temp dir);
 * slow requests are in flight when it receives a real SIGTERM. Without a handler the process dies and the
 * clients see their connections reset; with one it fails readiness, stops accepting, closes keep-alive
 * connections after their response, finishes every in-flight request and exits 0, or exits 1 at a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LabContext, LabObservations } from '../src/labs/types.js';

/** The server under test (CommonJS). argv: mode (none | graceful), deadline ms. It reports events as JSON lines. */
const SERVER = `const http = require('node:http');
const [mode, deadlineMs] = [process.argv[2], Number(process.argv[3])];
// say() reports what happens to the lab, one JSON line on stdout.
const say = (event, data = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + '\\n');
let ready = true, draining = false, inFlight = 0, onNotReadySeen = () => {};
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/ready') {
    res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(ready ? 'ready' : 'shutting down');
    if (!ready) onNotReadySeen();
    return;
  }
  const id = url.searchParams.get('id');
  inFlight++;
  say('start', { id, inFlight });
  setTimeout(() => {
    inFlight--;
    if (draining) res.setHeader('connection', 'close');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id }));
    say('done', { id, inFlight });
  }, Number(url.searchParams.get('ms')));
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => say('listening', { port: server.address().port }));
if (mode === 'graceful') process.on('SIGTERM', () => {
  if (draining) return; // a second SIGTERM changes nothing
  draining = true;
  say('sigterm', { inFlight });
  // 1. Fail readiness: /ready answers 503 from now on, so the load
  //    balancer stops sending new requests here.
  ready = false;
  // 2. Once it has seen that (or after 2 s), stop accepting: close()
  //    shuts the listening socket and the idle keep-alive connections.
  let closing = false;
  onNotReadySeen = () => {
    if (closing) return;
    closing = true;
    server.close(() => say('closed')); // when the last connection ends
    say('close-called', { inFlight });
  };
  setTimeout(onNotReadySeen, 2000).unref();
  // 3. In-flight requests run on. Their responses carry Connection:
  //    close (see the request handler), so busy connections end too.
  // 4. The deadline: whatever still runs then is cut off, exit code 1.
  setTimeout(() => {
    say('deadline', { inFlight });
    server.closeAllConnections();
    process.exit(1);
  }, deadlineMs).unref();
  // 5. Once nothing is left on the event loop, Node exits with code 0.
});
`;

interface ChildEvent {
  readonly event: string;
  readonly id?: string;
  readonly inFlight?: number;
  readonly port?: number;
  /** performance.now() in the parent when the line arrived. */
  t: number;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly t: number;
}

interface Child {
  readonly port: number;
  readonly events: ChildEvent[];
  readonly exited: Promise<Exit>;
  waitFor(event: string, count?: number): Promise<void>;
  /** Send a real SIGTERM; returns when it was sent. */
  sigterm(): number;
}

async function startChild(ctx: LabContext, script: string, mode: 'none' | 'graceful', deadlineMs: number): Promise<Child> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const proc: ChildProcess = spawn(process.execPath, [script, mode, String(deadlineMs)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  const events: ChildEvent[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const exited = new Promise<Exit>((resolve) => {
    proc.once('exit', (code, signal) => {
      resolve({ code, signal, t: performance.now() });
      wake();
    });
  });
  // A child still running when the lab ends or is stopped (Ctrl-C) is killed outright, and waited for.
  ctx.defer(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    events.push({ ...(JSON.parse(line) as Omit<ChildEvent, 't'>), t: performance.now() });
    wake();
  });
  const waitFor = (event: string, count = 1) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (events.filter((e) => e.event === event).length >= count) return resolve();
        if (proc.exitCode !== null || proc.signalCode !== null) return reject(new Error(`server exited before '${event}'`));
        waiters.push(check);
      };
      check();
    });
  await Promise.race([waitFor('listening'), new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }))]);
  return {
    port: events.find((e) => e.event === 'listening')!.port!,
    events,
    exited,
    waitFor,
    sigterm() {
      const t = performance.now();
      proc.kill('SIGTERM');
      return t;
    },
  };
}

interface Outcome {
  readonly id: string;
  readonly status: number | null;
  readonly connection: string | null;
  readonly error: string | null;
  readonly t: number;
}

/** One slow request on a keep-alive agent: the status and Connection header, or the error the client saw. */
function slowRequest(port: number, agent: Agent, id: string, ms: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: `/work?id=${id}&ms=${ms}`, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ id, status: res.statusCode ?? 0, connection: String(res.headers.connection ?? ''), error: null, t: performance.now() }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ id, status: null, connection: null, error: `${e.code ?? 'ERR'} (${e.message})`, t: performance.now() }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ id, status: null, connection: null, error: `${e.code ?? 'ERR'} (${e.message})`, t: performance.now() }));
    req.end();
  });
}

/** A readiness probe on a new connection, as a load balancer or the kubelet sends it. */
function probe(port: number): Promise<{ status: number | null; error: string | null; t: number }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/ready', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, error: null, t: performance.now() }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: null, error: e.code ?? e.message, t: performance.now() }));
    req.end();
  });
}

/** A keep-alive connection that served one request and now sits idle: when and how does it get closed? */
async function idleConnection(ctx: LabContext, port: number): Promise<{ closed: Promise<{ how: string; t: number }> }> {
  const socket: Socket = connect(port, '127.0.0.1');
  ctx.defer(() => void socket.destroy());
  let how = 'closed';
  const closed = new Promise<{ how: string; t: number }>((resolve) => {
    socket.on('end', () => (how = 'FIN from the server'));
    socket.on('error', (e: NodeJS.ErrnoException) => (how = e.code ?? e.message));
    socket.on('close', () => resolve({ how, t: performance.now() }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => socket.write('GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.once('data', () => resolve());
  });
  // Wrapped: returning the promise itself from an async function would wait for it.
  return { closed };
}

/** One moment after SIGTERM; per-request lines share a `group` so runs of them can be collapsed. */
interface TimelineItem {
  readonly ms: number;
  readonly who: string;
  readonly what: string;
  readonly group?: string;
}

interface PhaseResult {
  readonly variant: string;
  readonly inFlight: number;
  readonly completed: number;
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly connectionClose: number;
  readonly readiness: number | string | null;
  readonly newConnection: string;
  readonly idleClosedMs: number | null;
  readonly idleClosedHow: string;
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly exitMs: number;
  readonly timeline: readonly TimelineItem[];
}

async function shutdownPhase(
  ctx: LabContext,
  child: Child,
  variant: string,
  graceful: boolean,
  inFlight: number,
  requestMs: number,
  stuckMs: number | null,
): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  ctx.defer(() => agent.destroy());
  const idle = await idleConnection(ctx, child.port);
  const total = inFlight + (stuckMs === null ? 0 : 1);
  const requests = Array.from({ length: total }, (_, i) => slowRequest(child.port, agent, i < inFlight ? `r${i + 1}` : 'stuck', i < inFlight ? requestMs : stuckMs!));
  await child.waitFor('start', total); // every request has reached the handler: they are in flight
  const t0 = child.sigterm();
  const timeline: TimelineItem[] = [{ ms: 0, who: 'parent', what: 'kill(pid, SIGTERM)' }];
  let readiness: number | string | null = null;
  let newConnection: string;
  if (graceful) {
    await child.waitFor('sigterm');
    const r = await probe(child.port);
    readiness = r.status ?? r.error;
    timeline.push({ ms: r.t - t0, who: 'probe', what: `GET /ready (new connection) → ${r.status ?? r.error}` });
    await child.waitFor('close-called');
    const n = await probe(child.port);
    newConnection = n.status !== null ? String(n.status) : n.error!;
    timeline.push({ ms: n.t - t0, who: 'client', what: `new connection → ${newConnection}` });
  } else {
    await child.exited;
    const n = await probe(child.port);
    newConnection = n.status !== null ? String(n.status) : n.error!;
    timeline.push({ ms: n.t - t0, who: 'client', what: `new connection → ${newConnection}` });
  }
  const outcomes = await Promise.all(requests);
  const exit = await child.exited;
  const idleClosed = await idle.closed;
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const label: Record<string, (e: ChildEvent) => string> = {
    sigterm: (e) => `SIGTERM handler: ready = false (${e.inFlight} in flight)`,
    'close-called': () => 'server.close(): stop accepting',
    closed: () => "'close': last connection gone",
    deadline: (e) => `deadline: ${e.inFlight} still running, exit(1)`,
  };
  for (const e of child.events) {
    if (label[e.event] && e.t >= t0) timeline.push({ ms: e.t - t0, who: 'server', what: label[e.event]!(e) });
  }
  for (const o of outcomes) {
    const seen = o.error ? o.error.split(' ')[0]! : `${o.status}${o.connection === 'close' ? ', Connection: close' : ''}`;
    timeline.push({ ms: o.t - t0, who: 'client', what: `${o.id}: ${seen}`, group: seen });
  }
  timeline.push({ ms: idleClosed.t - t0, who: 'client', what: `idle keep-alive socket closed (${idleClosed.how})` });
  timeline.push({ ms: exit.t - t0, who: 'parent', what: `child exited: ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}` });
  timeline.sort((a, b) => a.ms - b.ms);

  const errors: Record<string, number> = {};
  for (const o of outcomes) if (o.error) errors[o.error] = (errors[o.error] ?? 0) + 1;
  return {
    variant,
    inFlight: total,
    completed: outcomes.filter((o) => o.status === 200).length,
    failed: outcomes.filter((o) => o.error).length,
    errors,
    connectionClose: outcomes.filter((o) => o.connection === 'close').length,
    readiness,
    newConnection,
    idleClosedMs: Math.round(idleClosed.t - t0),
    idleClosedHow: idleClosed.how,
    exitCode: exit.code,
    exitSignal: exit.signal,
    exitMs: Math.round(exit.t - t0),
    timeline: timeline.map((x) => ({ ...x, ms: Math.round(x.ms) })),
  };
}

/** The timeline as table rows, runs of the same per-request event collapsed ("5× 200, Connection: close"). */
function timelineRows(r: PhaseResult): (string | number)[][] {
  const rows: (string | number)[][] = [['ms', 'who', 'what happened']];
  for (let i = 0; i < r.timeline.length; ) {
    const x = r.timeline[i]!;
    let j = i + 1;
    while (x.group && j < r.timeline.length && r.timeline[j]!.who === x.who && r.timeline[j]!.group === x.group) j++;
    const last = r.timeline[j - 1]!;
    rows.push(j - i > 1 ? [x.ms === last.ms ? x.ms : `${x.ms}–${last.ms}`, x.who, `${j - i}× ${x.group}`] : [x.ms, x.who, x.what]);
    i = j;
  }
  // The table right-aligns every column but the first: pad the text columns so they read left-aligned.
  const width = (c: number) => Math.max(...rows.map((r) => String(r[c]).length));
  return rows.map((r) => [r[0]!, String(r[1]).padEnd(width(1)), String(r[2]).padEnd(width(2))]);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const exitText = (r: PhaseResult) => (r.exitSignal ? `killed by ${r.exitSignal}` : `exit code ${r.exitCode}`);
const errorText = (r: PhaseResult) => Object.entries(r.errors).map(([e, n]) => `${n}× ${e}`).join(', ');

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const inFlight = Math.max(1, Math.round(ctx.params.inflight ?? 5));
  const requestMs = Math.max(10, Math.round(ctx.params.requestMs ?? 250));
  const deadlineMs = Math.max(50, Math.round(ctx.params.deadlineMs ?? 700));
  const stuckMs = deadlineMs + 10_000; // a request that would outlive any reasonable wait

  const dir = mkdtempSync(join(tmpdir(), 'backend-tutor-shutdown-'));
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'server.cjs');
  writeFileSync(script, SERVER);
  // Three real server processes, started together to save time: one per experiment.
  const [plain, graceful, bounded] = await Promise.all([
    startChild(ctx, script, 'none', deadlineMs),
    startChild(ctx, script, 'graceful', deadlineMs),
    startChild(ctx, script, 'graceful', deadlineMs),
  ]);

  out.say(
    `A small HTTP server runs in its own Node process (${script.split('/').pop()} in a temp dir, spawned with child_process). Each request to /work takes ${requestMs} ms. While ${plural(inFlight, 'request')} are in flight, the lab sends the process a real SIGTERM, as Kubernetes, systemd or docker stop do, and counts what the clients see. The timelines show when the lab (the parent process) saw each event, in ms after the SIGTERM: events from the server and from its clients arrive on different channels, so two within a few ms may show up out of order.`,
  );

  out.heading('1. No SIGTERM handler');
  out.code(['const server = http.createServer(handler); // each /work: setTimeout ' + requestMs + ' ms', "server.listen(0, '127.0.0.1');", "// no process.on('SIGTERM', …): Node's default action applies"].join('\n'));
  let guess: number | undefined;
  const choices = [`all ${inFlight}: Node finishes pending requests before exiting`, 'some of them, the ones closest to done', 'none of them'];
  if (ctx.prompts) guess = await ctx.prompts.predictChoice(`SIGTERM arrives with ${plural(inFlight, 'request')} in flight. How many complete?`, choices);
  const a = await shutdownPhase(ctx, plain, 'no handler', false, inFlight, requestMs, null);
  out.table(timelineRows(a));
  out.figure('requests completed', `${a.completed} of ${a.inFlight}`);
  out.figure('requests failed', a.failed, errorText(a) || undefined);
  out.step(
    `${a.completed} of ${a.inFlight} completed; the process was ${exitText(a)} after ${a.exitMs} ms`,
    a.exitSignal === 'SIGTERM'
      ? 'With no listener, the signal’s default action applies: the process is terminated at once and the kernel closes its sockets, so every client waiting for a response sees the connection reset or hung up. Those clients cannot tell whether the work was done; a retry may do it twice.'
      : 'The process did not die from the signal itself here; see the exit status.',
    { variant: 'no-handler', completed: a.completed, failed: a.failed, errors: { ...a.errors }, exitSignal: a.exitSignal, exitCode: a.exitCode },
  );
  out.step(
    `A new connection afterwards: ${a.newConnection}`,
    a.newConnection === 'ECONNREFUSED'
      ? 'Nothing listens on the port any more. A load balancer that still routes here turns this into errors until its health checks notice.'
      : 'After the process died, nothing should listen on the port any more; this run saw something else.',
    { variant: 'no-handler', newConnection: a.newConnection },
  );
  if (guess !== undefined) {
    const actual = a.completed === a.inFlight ? 0 : a.completed > 0 ? 1 : 2;
    out.say(guess === actual ? 'Your prediction matched.' : `Observed: ${a.completed} of ${a.inFlight} completed.`);
  }

  out.heading('2. With a shutdown handler');
  out.say('The same server with this handler (the code the child really runs):');
  out.code(SERVER.slice(SERVER.indexOf("process.on('SIGTERM'")).trimEnd());
  const b = await shutdownPhase(ctx, graceful, 'handler', true, inFlight, requestMs, null);
  out.table(timelineRows(b));
  out.figure('requests completed', `${b.completed} of ${b.inFlight}`, b.connectionClose ? `${b.connectionClose} with Connection: close` : undefined);
  out.figure('requests failed', b.failed, errorText(b) || undefined);
  out.step(
    `Readiness probe after SIGTERM: ${b.readiness}`,
    b.readiness === 503
      ? 'The process still accepts connections but says it is not ready, so a load balancer that health-checks it (an ALB target group, HAProxy) stops sending new traffic. (In Kubernetes the endpoint is marked not ready as soon as the pod is terminating, whatever the probe says.) Only after a 503 was served does this handler stop accepting.'
      : 'The handler should answer 503 here while it still accepts connections; this run saw something else.',
    { variant: 'handler', readiness: b.readiness },
  );
  out.step(
    `After server.close(), a new connection: ${b.newConnection}`,
    b.newConnection === 'ECONNREFUSED'
      ? 'close() closes the listening socket at once: new clients are refused (and go to another instance), while requests already accepted keep running.'
      : 'close() should close the listening socket at once, so that new clients are refused; this run saw something else.',
    { variant: 'handler', newConnection: b.newConnection },
  );
  const okTimes = b.timeline.filter((x) => x.who === 'client' && x.group?.startsWith('200')).map((x) => x.ms);
  const lastResponse = okTimes.length ? Math.max(...okTimes) : null;
  out.step(
    `Idle keep-alive connection closed at ${b.idleClosedMs} ms (${b.idleClosedHow})`,
    lastResponse !== null && b.idleClosedMs !== null && b.idleClosedMs < lastResponse
      ? `Before the last response (${lastResponse} ms): since Node 19, server.close() also closes idle keep-alive connections. Busy ones are closed after their response, which carried Connection: close so the client does not send another request on it.`
      : 'Since Node 19, server.close() also closes idle keep-alive connections; busy ones are closed after their response, which carries Connection: close.',
    { variant: 'handler', idleClosedMs: b.idleClosedMs, lastResponseMs: lastResponse },
  );
  out.step(
    `${b.completed} of ${b.inFlight} completed; ${exitText(b)} after ${b.exitMs} ms`,
    b.completed === b.inFlight && b.exitCode === 0
      ? `Every in-flight request finished, then the server's 'close' event fired, nothing was left on the event loop and the process exited 0, before the ${deadlineMs} ms deadline.`
      : `${b.failed} of ${b.inFlight} requests had not finished when the ${deadlineMs} ms deadline fired: the deadline cut them off.`,
    { variant: 'handler', completed: b.completed, failed: b.failed, exitCode: b.exitCode, exitMs: b.exitMs, connectionClose: b.connectionClose },
  );

  out.heading('3. The deadline: a request that never ends');
  out.say(`The same handler, ${plural(inFlight, 'normal request')} plus one stuck request (${stuckMs} ms, a hung downstream call). The drain waits at most ${deadlineMs} ms.`);
  const c = await shutdownPhase(ctx, bounded, 'deadline', true, inFlight, requestMs, stuckMs);
  out.table(timelineRows(c));
  const firedAt = c.timeline.find((x) => x.who === 'server' && x.what.startsWith('deadline'))?.ms;
  out.step(
    `${c.completed} of ${c.inFlight} completed; ${exitText(c)} after ${c.exitMs} ms`,
    c.exitCode === 1
      ? `The ${deadlineMs} ms deadline fired${firedAt === undefined ? '' : ` (seen at ${firedAt} ms)`}, closed the remaining connections and exited with code 1: ${c.failed === 1 ? 'the stuck client' : `the ${c.failed} clients still waiting`} got ${Object.keys(c.errors).join(', ') || 'an error'}. Without a deadline the drain waits forever, until the orchestrator sends SIGKILL (Kubernetes: after terminationGracePeriodSeconds, 30 s by default). Keep the deadline below that.`
      : 'The process ended without the deadline firing.',
    { variant: 'deadline', completed: c.completed, failed: c.failed, errors: { ...c.errors }, exitCode: c.exitCode, exitMs: c.exitMs },
  );

  out.heading('Side by side');
  out.table([
    ['variant', 'completed', 'failed', 'new conn.', 'exit', 'exit after ms'],
    ...[a, b, c].map((r) => [r.variant, `${r.completed}/${r.inFlight}`, r.failed, r.newConnection, r.exitSignal ?? `code ${r.exitCode}`, r.exitMs]),
  ]);

  out.takeaways([
    'Without a handler SIGTERM kills the process at once: every in-flight request is cut off (ECONNRESET / socket hang up).',
    'Graceful order: fail readiness, stop accepting (server.close()), finish in-flight work, close keep-alive connections, release resources, exit 0.',
    'Always set a deadline below the orchestrator’s grace period: a stuck request must not keep the process alive until SIGKILL.',
    'The signal must reach Node: `npm start` may not forward it, and as PID 1 in a container Node ignores SIGTERM unless it has a handler.',
  ]);

  const obs = (r: PhaseResult) => ({ ...r, errors: { ...r.errors }, timeline: r.timeline.map((x) => ({ ms: x.ms, who: x.who, what: x.what })) });
  return { inFlight, requestMs, deadlineMs, noHandler: obs(a), handler: obs(b), deadline: obs(c) };
}
