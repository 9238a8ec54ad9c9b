/**
 * Lab: Server-Sent Events. A real node:http server on 127.0.0.1 streams text/event-stream (id:, event:,
 * data:, retry: and comment heartbeats) to two clients that parse the stream by hand, following the
 * WHATWG parsing rules. The server drops every connection twice (once in the middle of an event) and
 * publishes more events while the clients are away. Both reconnect after the retry interval the server
 * asked for: one sends Last-Event-ID and is resumed from a small replay buffer, the other does not.
 * Every event id is checked: lost, duplicated, out of order.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request, type ClientRequest } from 'node:http';
import { startServer } from '../src/labs/http-harness.js';
import { formatRequestSeen } from '../src/labs/http-wire-client.js';
import { pollUntil } from '../src/labs/poll-until.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const STATUSES = ['paid', 'packed', 'picked', 'shipped', 'in transit', 'out for delivery', 'delivered'];
/** Events published per live phase (three phases, with two outages between them). */
const LIVE = 4;
const HEARTBEAT_MS = 40;
const PUBLISH_GAP_MS = 12;

interface StoredEvent {
  readonly id: number;
  /** The event exactly as written on the stream, blank line included. */
  readonly text: string;
}

interface Dispatched {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  /** Which connection (1-based) of this client carried it. */
  readonly connection: number;
}

/**
 * The event-stream parser, per the WHATWG HTML spec: lines end in LF, CR or CRLF; a blank line dispatches;
 * `:` starts a comment; `field: value` (one leading space dropped); data lines are joined with LF; an
 * event is only dispatched at its blank line, so one cut short by a dropped connection is discarded.
 */
class EventStreamParser {
  private pending = '';
  private data: string[] = [];
  private type = '';
  private idBuffer = '';
  /** The last event ID string: what a reconnect sends as Last-Event-ID. */
  lastEventId = '';
  retryMs: number | undefined;
  comments = 0;

  constructor(private readonly dispatch: (type: string, data: string, id: string) => void) {}

  feed(chunk: string) {
    this.pending += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.pending);
      // A lone CR at the end may be the first half of CRLF: wait for the next byte.
      if (!m || (m[0] === '\r' && m.index === this.pending.length - 1)) return;
      const line = this.pending.slice(0, m.index);
      this.pending = this.pending.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string) {
    if (line === '') {
      this.lastEventId = this.idBuffer;
      if (this.data.length) this.dispatch(this.type || 'message', this.data.join('\n'), this.lastEventId);
      this.data = [];
      this.type = '';
      return;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  /** The connection ended: an unfinished event is discarded (returned, for the record); the last dispatched id is kept. */
  endOfStream(): { id: string; type: string; dataLines: number; partialLine: string } | null {
    const unfinished = this.idBuffer !== this.lastEventId || this.type !== '' || this.data.length > 0 || this.pending !== '';
    const discarded = unfinished ? { id: this.idBuffer, type: this.type, dataLines: this.data.length, partialLine: this.pending } : null;
    this.pending = '';
    this.data = [];
    this.type = '';
    this.idBuffer = this.lastEventId;
    return discarded;
  }
}

interface ConnectionLog {
  readonly n: number;
  readonly lastEventIdSent: string | null;
  /** Milliseconds from the previous connection's end to this request; null for the first. */
  readonly reconnectAfterMs: number | null;
  raw: string;
  events: number;
  firstId: string | null;
  lastId: string | null;
  discarded: { id: string; type: string; dataLines: number; partialLine: string } | null;
  ended: boolean;
}

class SseClient {
  readonly received: Dispatched[] = [];
  readonly connections: ConnectionLog[] = [];
  readonly resyncs: number[] = [];
  private readonly parser: EventStreamParser;
  private req: ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
  private endedAt: number | undefined;
  private stopped = false;
  connected = false;

  constructor(
    readonly name: string,
    private readonly port: number,
    /** Send Last-Event-ID on reconnect (what EventSource does). */
    readonly resume: boolean,
  ) {
    this.parser = new EventStreamParser((type, data, id) => {
      const conn = this.connections.at(-1)!;
      if (type === 'resync') {
        this.resyncs.push(conn.n);
        return;
      }
      conn.events++;
      conn.firstId ??= id;
      conn.lastId = id;
      this.received.push({ id, type, data, connection: conn.n });
    });
  }

  get comments() {
    return this.parser.comments;
  }

  get lastEventId() {
    return this.parser.lastEventId;
  }

  connect() {
    if (this.stopped) return;
    const lastId = this.resume && this.parser.lastEventId !== '' ? this.parser.lastEventId : null;
    const log: ConnectionLog = {
      n: this.connections.length + 1,
      lastEventIdSent: lastId,
      reconnectAfterMs: this.endedAt === undefined ? null : performance.now() - this.endedAt,
      raw: '',
      events: 0,
      firstId: null,
      lastId: null,
      discarded: null,
      ended: false,
    };
    this.connections.push(log);
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
    if (lastId !== null) headers['Last-Event-ID'] = lastId;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.connected = false;
      log.discarded = this.parser.endOfStream();
      log.ended = true;
      this.endedAt = performance.now();
      // Reconnect after the interval the server asked for with `retry:` (the spec's default is implementation-defined).
      if (!this.stopped) this.timer = setTimeout(() => this.connect(), this.parser.retryMs ?? 3000);
    };
    const req = request({ host: '127.0.0.1', port: this.port, path: `/events?client=${this.name}`, headers, agent: false }, (res) => {
      this.connected = true;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        log.raw += chunk;
        this.parser.feed(chunk);
      });
      res.on('error', end);
      res.on('close', end);
    });
    req.on('error', end);
    req.end();
    this.req = req;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.req?.destroy();
  }
}

interface ServerConn {
  readonly client: string;
  readonly res: ServerResponse;
  readonly requestHead: string;
  readonly lastEventId: string | null;
  replayed: number;
  resync: boolean;
}

/** Ids 1..n: which are missing, which arrived more than once, and whether they arrived in order. */
function audit(ids: readonly string[], published: number) {
  const seen = new Map<number, number>();
  for (const id of ids) seen.set(Number(id), (seen.get(Number(id)) ?? 0) + 1);
  const lost: number[] = [];
  for (let i = 1; i <= published; i++) if (!seen.has(i)) lost.push(i);
  const duplicated = [...seen.values()].reduce((a, c) => a + Math.max(0, c - 1), 0);
  const nums = ids.map(Number);
  const inOrder = nums.every((n, i) => i === 0 || n > nums[i - 1]!);
  return { lost, duplicated, inOrder };
}

const ranges = (ids: readonly number[]) => {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(i === j ? `${ids[i]}` : `${ids[i]}–${ids[j]}`);
    i = j + 1;
  }
  return parts.join(', ') || 'none';
};

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const gap = Math.max(0, Math.min(50, Math.round(ctx.params.gap ?? 3)));
  const retryMs = Math.max(20, Math.min(3000, Math.round(ctx.params.retryMs ?? 200)));
  const bufferSize = Math.max(1, Math.min(1000, Math.round(ctx.params.buffer ?? 50)));

  // ---------------------------------------------------------------- the server
  const buffer: StoredEvent[] = [];
  let nextId = 1;
  const conns = new Set<ServerConn>();
  const serverLog: ServerConn[] = [];
  const heartbeats = new Map<ServerConn, NodeJS.Timeout>();
  ctx.defer(() => {
    for (const t of heartbeats.values()) clearInterval(t);
  });
  const makeEvent = (): StoredEvent => {
    const id = nextId++;
    const order = 1000 + Math.floor(ctx.rng() * 9000);
    const status = STATUSES[Math.floor(ctx.rng() * STATUSES.length)]!;
    // Every fifth event carries two data lines: the client joins them with a newline.
    const data = id % 5 === 3 ? [`{"order":${order},`, `"note":"address changed"}`] : [JSON.stringify({ order, status })];
    const type = id % 5 === 3 ? 'note' : 'status';
    return { id, text: `id: ${id}\nevent: ${type}\n${data.map((d) => `data: ${d}\n`).join('')}\n` };
  };
  /** Ids published while the clients were disconnected, or cut off by a drop: what a client without replay misses. */
  const away = new Set<number>();
  const store = (e: StoredEvent) => {
    buffer.push(e);
    if (buffer.length > bufferSize) buffer.shift();
  };
  const server = await startServer(ctx, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/events') {
      res.writeHead(404).end();
      return;
    }
    const header = req.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header : null;
    const conn: ServerConn = {
      client: url.searchParams.get('client') ?? '?',
      res,
      requestHead: formatRequestSeen(req, ['accept', 'cache-control', 'last-event-id']),
      lastEventId,
      replayed: 0,
      resync: false,
    };
    serverLog.push(conn);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(`retry: ${retryMs}\n: connected\n\n`);
    if (lastEventId !== null) {
      const n = Number(lastEventId);
      const oldest = buffer[0]?.id ?? nextId;
      if (n + 1 < oldest) {
        // The events after n have left the buffer: the client must refetch its state instead.
        conn.resync = true;
        res.write(`event: resync\ndata: {"reason":"replay buffer exceeded","oldest":${oldest}}\n\n`);
      } else {
        for (const e of buffer) {
          if (e.id > n) {
            res.write(e.text);
            conn.replayed++;
          }
        }
      }
    }
    // A comment line every few ms keeps proxies from timing the idle stream out, and lets a client with a
    // watchdog timer notice a dead one (EventSource itself has none).
    heartbeats.set(conn, setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS));
    conns.add(conn);
    res.on('close', () => {
      clearInterval(heartbeats.get(conn));
      heartbeats.delete(conn);
      conns.delete(conn);
    });
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const publishLive = async (count: number) => {
    for (let i = 0; i < count; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const e = makeEvent();
      store(e);
      for (const c of conns) c.res.write(e.text);
      await sleep(PUBLISH_GAP_MS);
    }
  };
  /** Drop every connection; `midEvent` first writes only the first half of a new event. */
  const dropAll = async (midEvent: boolean) => {
    const open = [...conns];
    // No heartbeat may land after half an event: its blank line would complete (dispatch) the cut event.
    for (const c of open) clearInterval(heartbeats.get(c));
    if (midEvent) {
      const e = makeEvent();
      store(e);
      away.add(e.id);
      // Cut inside the data line: the client has the id and event lines, half a data line, no blank line.
      const cut = e.text.indexOf('data: ') + 12;
      await Promise.all(open.map((c) => new Promise<void>((resolve) => c.res.write(e.text.slice(0, cut), () => resolve()))));
    }
    for (const c of open) c.res.destroy();
  };
  const publishOffline = (count: number) => {
    for (let i = 0; i < count; i++) {
      const e = makeEvent();
      store(e);
      away.add(e.id);
    }
  };

  // ---------------------------------------------------------------- the clients
  const resume = new SseClient('resume', server.port, true);
  const naive = new SseClient('naive', server.port, false);
  ctx.defer(() => {
    resume.stop();
    naive.stop();
  });
  const clients = [resume, naive];
  const connectedCount = () => serverLog.length;

  out.say(
    `An SSE server on 127.0.0.1:${server.port} streams order updates as text/event-stream. Two clients parse the stream by hand (the rules EventSource follows). Client "resume" reconnects with Last-Event-ID, as EventSource does; client "naive" reconnects without it. The server keeps the last ${bufferSize} event${bufferSize === 1 ? '' : 's'} for replay and asks for retry: ${retryMs} ms.`,
  );
  out.say(
    `Plan: ${LIVE} events live; the server drops both connections in the middle of the next event and publishes ${gap} more while nobody is connected; ${LIVE} live; a clean drop and ${gap} more offline; ${LIVE} live.`,
  );
  let predicted: number | undefined;
  const choices = ['nothing: the server notices and replays', 'the events published while it was away', 'every event before its reconnect'];
  if (ctx.prompts) predicted = await ctx.prompts.predictChoice('what does the client without Last-Event-ID lose?', choices);

  for (const c of clients) c.connect();
  await pollUntil(() => connectedCount() >= 2 && clients.every((c) => c.connected), 2000, ctx.signal);

  out.heading('1. The stream, as it arrived');
  await publishLive(LIVE);
  await pollUntil(() => clients.every((c) => c.received.length >= LIVE), 2000, ctx.signal);
  await dropAll(true);
  const midEventId = nextId - 1;
  publishOffline(gap);
  await pollUntil(() => clients.every((c) => c.connections[0]!.ended), 2000, ctx.signal);
  const first = resume.connections[0]!;
  out.say(`Client "resume", connection 1: every byte of the body, up to the drop.`);
  out.code(first.raw.replace(/\n$/, ''));
  const cutOff = first.discarded;
  const heartbeatsSeen = first.raw.split(': heartbeat\n').length - 1;
  out.step(
    cutOff
      ? `${first.events} events dispatched; event ${cutOff.id} was cut off ${cutOff.partialLine ? 'mid-line' : 'between lines'} and discarded`
      : `${first.events} events dispatched; nothing was pending when the stream ended`,
    `An event is dispatched only at its blank line. ${cutOff ? 'The stream ended in the middle of one, so the parser threw the partial lines away: its id never became the last event ID.' : 'The stream ended between events, so nothing was thrown away.'} Lines starting with ":" are comments (here the connect note${heartbeatsSeen ? ` and ${heartbeatsSeen} heartbeat${heartbeatsSeen === 1 ? '' : 's'}` : ''}), ignored by the client.`,
    { connection: 1, events: first.events, lastId: first.lastId, discardedId: cutOff?.id ?? null, partialLine: cutOff?.partialLine ?? null, midEventId, comments: resume.comments },
  );

  // Both reconnect by themselves after `retry` ms; wait until each has caught up to the live edge.
  // A resync also ends the wait: that client will not get the missed events from this server.
  const caughtUp = (c: SseClient, upTo: number) =>
    c.connected && (!c.resume || Number(c.lastEventId) >= upTo || c.resyncs.includes(c.connections.length));
  await pollUntil(() => clients.every((c) => c.connections.length >= 2 && c.connected), 3000 + retryMs, ctx.signal);
  await pollUntil(() => caughtUp(resume, nextId - 1), 2000, ctx.signal);
  out.heading('2. Reconnecting after the retry interval');
  const reconnect = (name: string) => serverLog.filter((c) => c.client === name)[1];
  const r2 = reconnect('resume');
  const n2 = reconnect('naive');
  if (r2 && n2) {
    out.say('What the server received on each reconnect (selected headers):');
    out.code([`resume:`, r2.requestHead, '', 'naive:', n2.requestHead].join('\n'));
  }
  const rc2 = resume.connections[1]!;
  const nc2 = naive.connections[1]!;
  out.step(
    `"resume" came back after ${rc2.reconnectAfterMs?.toFixed(0)} ms with Last-Event-ID: ${rc2.lastEventIdSent ?? '(none)'}; ${r2?.replayed ?? 0} replayed`,
    `The server asked for ${retryMs} ms with "retry:". The header carries the id of the last complete event; ${r2?.resync ? 'the events after it had already left the server’s buffer, so the server answered "resync" instead of replaying them, then went on live' : 'the server replays everything after it from its buffer, then carries on live'}.`,
    { client: 'resume', reconnectAfterMs: Math.round(rc2.reconnectAfterMs ?? 0), lastEventIdSent: rc2.lastEventIdSent, replayed: r2?.replayed ?? 0, resync: r2?.resync ?? false },
  );
  out.step(
    `"naive" came back after ${nc2.reconnectAfterMs?.toFixed(0)} ms without Last-Event-ID; ${n2?.replayed ?? 0} replayed`,
    'Without the header the server cannot know what this client already has, so it only sends what happens from now on.',
    { client: 'naive', reconnectAfterMs: Math.round(nc2.reconnectAfterMs ?? 0), lastEventIdSent: nc2.lastEventIdSent, replayed: n2?.replayed ?? 0 },
  );

  // Second live phase, a clean drop (between events), more offline events, reconnect, last live phase.
  await publishLive(LIVE);
  await pollUntil(() => caughtUp(resume, nextId - 1) && naive.received.length > 0 && Number(naive.received.at(-1)!.id) >= nextId - 1, 2000, ctx.signal);
  await dropAll(false);
  publishOffline(gap);
  await pollUntil(() => clients.every((c) => c.connections.length >= 3 && c.connected), 3000 + retryMs, ctx.signal);
  await pollUntil(() => caughtUp(resume, nextId - 1), 2000, ctx.signal);
  await publishLive(LIVE);
  const published = nextId - 1;
  await pollUntil(() => clients.every((c) => c.received.some((e) => Number(e.id) === published)), 2000, ctx.signal);
  for (const c of clients) c.stop();

  out.heading(`3. Every id from 1 to ${published}, checked`);
  const rows: (string | number)[][] = [['client', 'conn', 'Last-Event-ID sent', 'replayed', 'events', 'ids']];
  for (const c of clients) {
    const mine = serverLog.filter((s) => s.client === c.name);
    c.connections.forEach((conn, i) => {
      const ids = c.received.filter((e) => e.connection === conn.n).map((e) => Number(e.id));
      rows.push([i === 0 ? c.name : '', conn.n, conn.lastEventIdSent ?? '-', mine[i]?.resync ? 'resync' : (mine[i]?.replayed ?? 0), conn.events, ranges(ids)]);
    });
  }
  out.table(rows);
  const results = clients.map((c) => {
    const a = audit(
      c.received.map((e) => e.id),
      published,
    );
    return { client: c.name, received: c.received.length, lost: a.lost.length, lostIds: a.lost, duplicated: a.duplicated, inOrder: a.inOrder, reconnects: c.connections.length - 1, comments: c.comments, resyncs: c.resyncs.length };
  });
  out.table([
    ['client', 'received', 'lost', 'duplicated', 'in order', 'reconnects', 'comments'],
    ...results.map((r) => [r.client, `${r.received} of ${published}`, r.lost, r.duplicated, r.inOrder ? 'yes' : 'no', r.reconnects, r.comments]),
  ]);
  const [res1, res2] = results as [(typeof results)[0], (typeof results)[0]];
  const lostWhileAway = res2.lostIds.every((id) => away.has(id));
  out.bars(results.map((r) => ({ label: `events lost by ${r.client}`, value: r.lost })));
  out.step(
    `"resume": ${res1.lost} lost, ${res1.duplicated} duplicated${res1.resyncs ? `, ${res1.resyncs} resync${res1.resyncs === 1 ? '' : 's'}` : ''}`,
    res1.resyncs
      ? `The replay buffer (${bufferSize} event${bufferSize === 1 ? '' : 's'}) was smaller than what the client missed, so the server could only say "resync": the client must reload its state some other way (a REST call), then resume.`
      : res1.lost === 0 && res1.duplicated === 0
        ? 'Last-Event-ID plus a replay buffer turns "only what arrives while connected" into a gap-free stream across reconnects: the id says exactly where to resume, so nothing is sent twice either.'
        : 'Last-Event-ID should have made this stream gap-free; the counts above show where it was not.',
    { ...res1 },
  );
  out.step(
    `"naive": ${res2.lost} lost (${res2.lost === 1 ? 'id' : 'ids'} ${ranges(res2.lostIds)}), ${res2.duplicated} duplicated`,
    res2.lost === 0
      ? 'It lost nothing this time.'
      : lostWhileAway
        ? `${res2.lost === 1 ? 'The event it lost was' : 'Every event it lost was'} ${gap > 0 ? 'published while it was disconnected or ' : ''}cut off by a drop: gone for this client, and nothing told it so.`
        : 'It also lost events published while it was connected: the counts above show which.',
    { ...res2 },
  );
  // Judged on the lost ids: all from the outages (choice 1), none, or (matching no choice) some sent while connected.
  const observedChoice = res2.lost === 0 ? 0 : lostWhileAway ? 1 : -1;
  if (predicted !== undefined) {
    out.say(
      predicted === observedChoice
        ? `You predicted "${choices[predicted]}": right, it lost ${res2.lost}.`
        : `You predicted "${choices[predicted]}"; it lost ${res2.lost} event${res2.lost === 1 ? '' : 's'}: ids ${ranges(res2.lostIds)}.`,
    );
  }

  out.takeaways([
    'SSE is one long HTTP response of Content-Type text/event-stream: "field: value" lines, a blank line ends each event, ":" lines are comments.',
    'EventSource reconnects by itself after the retry: interval and sends the last complete event id as Last-Event-ID.',
    'Resuming is the server’s job: keep a replay buffer (or a log such as a Redis stream) and send what follows that id; when the id is too old, tell the client to resync.',
    'Comment heartbeats keep proxies from closing an idle stream; SSE is server-to-client only, text only, and plain HTTP (HTTP/2 lifts the 6-connection browser limit).',
  ]);

  return {
    published,
    gap,
    retryMs,
    bufferSize,
    midEventId,
    discardedId: first.discarded?.id ?? null,
    firstConnectionEvents: first.events,
    reconnects: clients.map((c) => ({
      client: c.name,
      lastEventIdsSent: c.connections.slice(1).map((x) => x.lastEventIdSent),
    })),
    replayed: serverLog.filter((s) => s.lastEventId !== null).map((s) => s.replayed),
    resyncs: serverLog.filter((s) => s.resync).length,
    results: results.map((r) => ({ ...r })),
  };
}
