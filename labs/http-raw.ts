/**
 * Lab: HTTP/1.1 on the wire. A hand-written client on a raw TCP socket (node:net) talks to a real node:http
 * server on 127.0.0.1: the request line and headers as sent, the response as it arrived byte for byte, body
 * framing by Content-Length and by Transfer-Encoding: chunked (chunk sizes in hex, per TCP read), then N
 * requests on one keep-alive connection against N fresh connections, with the server counting every
 * TCP connection it accepted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listenLocal } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const WORDS = ['order', 'shipped', 'payment', 'captured', 'invoice', 'queued', 'retry', 'warehouse', 'parcel', 'label', 'refund', 'customer'];
const CHUNK_GAP_MS = 15;

/** Show CR LF explicitly: every line of an HTTP/1.1 head ends in the two bytes \r\n. */
function wire(text: string): string {
  const parts = text.split('\r\n');
  const lines = parts.map((p, i) => (i < parts.length - 1 ? `${p}\\r\\n` : p));
  if (lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}

interface Arrival {
  /** Milliseconds after the request was written. */
  readonly ms: number;
  readonly bytes: number;
  /** Stream offset just past this read. */
  readonly end: number;
}

interface ChunkSeen {
  /** The size line exactly as it was on the wire (hexadecimal). */
  readonly hex: string;
  readonly size: number;
  /** Which TCP read (data event, 1-based) carried the size line. */
  readonly read: number;
}

interface ParsedResponse {
  readonly statusLine: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly head: string;
  readonly framing: 'content-length' | 'chunked' | 'close';
  readonly body: Buffer;
  /** The body bytes as they were on the wire (with chunk framing, if any). */
  readonly rawBody: string;
  readonly chunks: readonly ChunkSeen[];
}

/**
 * Reads HTTP/1.1 responses off a socket, one after another, by the message's own framing: the head ends at
 * the first empty line; the body ends after Content-Length bytes, or at the zero-size chunk, or (neither
 * header) when the server closes the connection.
 */
function responseReader(socket: Socket) {
  let stream = Buffer.alloc(0);
  let pos = 0;
  let ended = false;
  let failure: Error | undefined;
  let sentAt = performance.now();
  const arrivals: Arrival[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  socket.on('data', (d: Buffer) => {
    stream = Buffer.concat([stream, d]);
    arrivals.push({ ms: performance.now() - sentAt, bytes: d.length, end: stream.length });
    notify();
  });
  socket.on('end', () => {
    ended = true;
    notify();
  });
  socket.on('error', (e) => {
    failure = e;
    notify();
  });
  socket.on('close', () => {
    ended = true;
    notify();
  });
  const more = async () => {
    if (failure) throw failure;
    if (ended) throw new Error('the connection closed in the middle of a response');
    await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
  };
  /** Index of the line ending (\r\n) at or after `from`, waiting for more bytes if needed. */
  const lineEnd = async (from: number) => {
    for (;;) {
      const i = stream.indexOf('\r\n', from);
      if (i >= 0) return i;
      await more();
    }
  };
  const have = async (n: number) => {
    while (stream.length < n) await more();
  };
  const readOf = (offset: number) => arrivals.findIndex((a) => a.end > offset) + 1;
  return {
    arrivals,
    /** Call just before writing a request: arrival times are measured from here. */
    mark() {
      sentAt = performance.now();
      arrivals.length = 0;
    },
    get ended() {
      return ended;
    },
    async next(): Promise<ParsedResponse> {
      for (;;) {
        const i = stream.indexOf('\r\n\r\n', pos);
        if (i >= 0) break;
        await more();
      }
      const headEnd = stream.indexOf('\r\n\r\n', pos) + 4;
      const head = stream.subarray(pos, headEnd).toString('latin1');
      const [statusLine = '', ...lines] = head.split('\r\n').filter(Boolean);
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
      pos = headEnd;
      const chunks: ChunkSeen[] = [];
      const parts: Buffer[] = [];
      let framing: ParsedResponse['framing'];
      if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
        framing = 'chunked';
        for (;;) {
          const eol = await lineEnd(pos);
          const hex = stream.subarray(pos, eol).toString('latin1');
          const size = parseInt(hex, 16);
          chunks.push({ hex, size, read: readOf(pos) });
          await have(eol + 2 + size + 2);
          parts.push(stream.subarray(eol + 2, eol + 2 + size));
          pos = eol + 2 + size + 2;
          if (size === 0) break;
        }
      } else if (headers.has('content-length')) {
        framing = 'content-length';
        const n = Number(headers.get('content-length'));
        await have(pos + n);
        parts.push(stream.subarray(pos, pos + n));
        pos += n;
      } else {
        framing = 'close';
        while (!ended) await more().catch(() => undefined);
        parts.push(stream.subarray(pos));
        pos = stream.length;
      }
      return { statusLine, headers, head, framing, body: Buffer.concat(parts), rawBody: stream.subarray(headEnd, pos).toString('latin1'), chunks };
    },
  };
}

interface ServerView {
  readonly method: string;
  readonly url: string;
  readonly version: string;
  readonly rawHeaders: readonly string[];
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const n = Math.max(2, Math.min(500, Math.round(ctx.params.requests ?? 50)));
  const pieces = Math.max(1, Math.min(20, Math.round(ctx.params.chunks ?? 5)));

  // Everything the server will send, decided up front from the seed.
  const product = { id: 1000 + Math.floor(ctx.rng() * 9000), name: `${WORDS[Math.floor(ctx.rng() * WORDS.length)]} box`, price: 100 + Math.floor(ctx.rng() * 9900) };
  const fixedBody = JSON.stringify(product);
  const streamPieces = Array.from({ length: pieces }, (_, i) => {
    const words = 1 + Math.floor(ctx.rng() * 7);
    return `event ${i + 1}: ${Array.from({ length: words }, () => WORDS[Math.floor(ctx.rng() * WORDS.length)]).join(' ')}; `;
  });

  // A real node:http server. It is created here rather than with startServer because this lab needs the
  // server's 'connection' event, which startServer does not expose.
  let connections = 0;
  let requestsSeen = 0;
  const firstSeen = new Map<string, ServerView>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requestsSeen++;
    const url = req.url ?? '/';
    if (!firstSeen.has(url)) firstSeen.set(url, { method: req.method ?? '', url, version: req.httpVersion, rawHeaders: req.rawHeaders });
    if (url === '/fixed') {
      // The whole body is known: say how long it is.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(fixedBody) });
      res.end(fixedBody);
    } else if (url === '/stream') {
      // The body is produced over time: the length is unknown when the head goes out.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      let i = 0;
      const tick = () => {
        if (res.destroyed) return;
        res.write(streamPieces[i++]!);
        if (i < streamPieces.length) {
          const t = setTimeout(() => (timers.delete(t), tick()), CHUNK_GAP_MS);
          timers.add(t);
        } else res.end();
      };
      tick();
    } else {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 3 });
      res.end('ok\n');
    }
  });
  server.on('connection', () => connections++);
  const sockets = new Set<Socket>();
  const port = await listenLocal(ctx, server, () => {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
  });
  const host = `127.0.0.1:${port}`;

  const open = async () => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const reader = responseReader(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return { socket, reader, connectMs: performance.now() - started };
  };

  out.say(
    `A node:http server listens on ${host}. The client is not an HTTP library: it opens a TCP socket with node:net, writes the request bytes itself and parses the response bytes itself.`,
  );

  // Part 1: Content-Length.
  out.heading('1. A request, and a response framed by Content-Length');
  const c1 = await open();
  const req1 = `GET /fixed HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: backend-tutor-lab\r\nAccept: application/json\r\n\r\n`;
  out.say('What the client writes on the socket (every line ends in CR LF; the empty line ends the head):');
  out.code(wire(req1));
  c1.reader.mark();
  c1.socket.write(req1);
  const r1 = await c1.reader.next();
  const seen1 = firstSeen.get('/fixed');
  if (seen1) {
    const names = seen1.rawHeaders.filter((_, i) => i % 2 === 0);
    out.step(
      `Server saw ${seen1.method} ${seen1.url} HTTP/${seen1.version}; headers ${names.join(', ')}`,
      'The request line is method, request target and version separated by spaces; each header is a name, a colon and a value. Node answers 400 to an HTTP/1.1 request without Host.',
      { method: seen1.method, url: seen1.url, version: seen1.version, headers: names },
    );
  }
  out.say('What came back, byte for byte:');
  out.code(wire(r1.head + r1.rawBody));
  const declared1 = Number(r1.headers.get('content-length'));
  const keepAliveHint = r1.headers.get('keep-alive');
  out.step(
    `Content-Length: ${declared1}; the client read ${r1.body.length} body bytes, then stopped`,
    'The status line is version, code and reason phrase. With Content-Length the reader counts exactly that many bytes after the empty line: the response is over without the server closing the connection, so the connection can carry another request.',
    { statusLine: r1.statusLine, framing: r1.framing, contentLength: declared1, bodyBytes: r1.body.length, connection: r1.headers.get('connection') ?? null },
  );
  out.figure('Connection / Keep-Alive headers', `${r1.headers.get('connection') ?? '-'} / ${r1.headers.get('keep-alive') ?? '-'}`);
  c1.socket.destroy();

  // Part 2: chunked.
  out.heading('2. A streamed response: Transfer-Encoding: chunked');
  out.say(
    `This time the handler calls res.write() ${pieces} time${pieces === 1 ? '' : 's'}, ${CHUNK_GAP_MS} ms apart, then res.end(). When the head goes out, nobody knows how long the body will be.`,
  );
  const c2 = await open();
  const req2 = `GET /stream HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
  out.code(wire(req2));
  c2.reader.mark();
  c2.socket.write(req2);
  const r2 = await c2.reader.next();
  const arrivals2 = [...c2.reader.arrivals];
  c2.socket.destroy();
  out.say('The response as it arrived:');
  out.code(wire(r2.head + r2.rawBody));
  const rows: (string | number)[][] = [['TCP read', 'after ms', 'bytes', 'chunk size lines in this read']];
  arrivals2.forEach((a, i) => {
    const inRead = r2.chunks.filter((c) => c.read === i + 1).map((c) => `${c.hex} = ${c.size}`);
    rows.push([`#${i + 1}`, a.ms.toFixed(1), a.bytes, inRead.join(', ') || '-']);
  });
  out.table(rows);
  const expected = streamPieces.join('');
  const firstReadChunks = r2.chunks.filter((c) => c.read === 1).length;
  const bodyMatches = r2.body.toString('utf8') === expected;
  out.step(
    `${r2.headers.get('transfer-encoding') ?? 'no Transfer-Encoding'}, ${r2.headers.has('content-length') ? 'with' : 'no'} Content-Length: ${r2.chunks.length - 1} chunks, then size 0`,
    'Each chunk is its size in hexadecimal, CR LF, that many bytes, CR LF. The zero-size chunk (and an empty line) ends the body. Node chose chunked itself: the head had no Content-Length and res.write() sent body bytes before the total was known.',
    { framing: r2.framing, sizesHex: r2.chunks.map((c) => c.hex), sizes: r2.chunks.map((c) => c.size) },
  );
  out.step(
    `${arrivals2.length} TCP read${arrivals2.length === 1 ? '' : 's'}; decoded body ${r2.body.length} bytes, ${bodyMatches ? 'identical to' : 'DIFFERENT from'} what was written`,
    `TCP is a byte stream: read boundaries need not match chunk boundaries${firstReadChunks > 0 ? ` (read #1 carried the head and ${firstReadChunks} chunk size line${firstReadChunks === 1 ? '' : 's'} together)` : ''}. Only the chunk framing says where the body ends.`,
    { reads: arrivals2.length, bodyBytes: r2.body.length, bodyMatches },
  );

  // Part 3: keep-alive.
  out.heading(`3. ${n} requests: one keep-alive connection vs ${n} fresh ones`);
  out.say(
    `First ${n} requests one after another on a single connection (read each response by its Content-Length, then write the next request). Then ${n} requests that each open a new TCP connection and send Connection: close. The server counts its 'connection' events.`,
  );
  let predicted: number | undefined;
  const choices = [`${n} and ${n}`, `1 and ${n}`, '1 and 1', `${n} and 1`];
  if (ctx.prompts) {
    predicted = await ctx.prompts.predictChoice('how many TCP connections will the server accept: keep-alive, then Connection: close?', choices);
  }
  // Warm up once so neither mode pays for first-use costs (JIT, lazy loading) alone.
  {
    const w = await open();
    w.socket.write(`GET /ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    await w.reader.next();
    w.socket.destroy();
  }

  const before1 = connections;
  const t1 = performance.now();
  const ka = await open();
  const kaConnectMs = ka.connectMs;
  let kaHeader = 0;
  for (let i = 0; i < n; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    ka.socket.write(`GET /ping HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    const r = await ka.reader.next();
    if (r.headers.get('connection') === 'keep-alive') kaHeader++;
  }
  const keepAliveMs = performance.now() - t1;
  ka.socket.destroy();
  const keepAliveConnections = connections - before1;

  const before2 = connections;
  const t2 = performance.now();
  const connectTimes: number[] = [];
  let closedByServer = 0;
  for (let i = 0; i < n; i++) {
    const c = await open();
    connectTimes.push(c.connectMs);
    c.socket.write(`GET /ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const r = await c.reader.next();
    if (r.headers.get('connection') === 'close') closedByServer++;
    // The server closes after answering; wait for the FIN so this connection is really done.
    if (!c.reader.ended) await new Promise<void>((res) => c.socket.once('close', () => res()));
    c.socket.destroy();
  }
  const freshMs = performance.now() - t2;
  const freshConnections = connections - before2;
  const avgConnectMs = connectTimes.reduce((a, b) => a + b, 0) / connectTimes.length;

  out.table([
    ['mode', 'requests', 'TCP connections', 'total ms', 'ms per request'],
    ['keep-alive (one socket)', n, keepAliveConnections, keepAliveMs.toFixed(1), (keepAliveMs / n).toFixed(3)],
    ['Connection: close', n, freshConnections, freshMs.toFixed(1), (freshMs / n).toFixed(3)],
  ]);
  out.bars(
    [
      { label: 'keep-alive', value: Math.round((keepAliveMs / n) * 1000) },
      { label: 'Connection: close', value: Math.round((freshMs / n) * 1000) },
    ],
    'µs/request',
  );
  const observedChoice = choices.indexOf(`${keepAliveConnections} and ${freshConnections}`);
  if (predicted !== undefined) {
    out.say(
      predicted === observedChoice
        ? `You predicted ${choices[predicted]}: right, the server counted exactly that.`
        : `You predicted ${choices[predicted]}; the server counted ${keepAliveConnections} and ${freshConnections}.`,
    );
  }
  out.step(
    `Keep-alive: ${n} requests, ${keepAliveConnections} TCP connection${keepAliveConnections === 1 ? '' : 's'}, ${kaHeader} × Connection: keep-alive`,
    `Because every response is framed (Content-Length), the client knows where one ends and can write the next request on the same socket: one handshake for all of them.${keepAliveHint ? ` Keep-Alive: ${keepAliveHint} is how long (in seconds) the server keeps an idle connection open.` : ''}`,
    { mode: 'keep-alive', requests: n, connections: keepAliveConnections, ms: Math.round(keepAliveMs * 10) / 10 },
  );
  out.step(
    `Connection: close: ${n} requests, ${freshConnections} TCP connections, ${closedByServer} closed by server`,
    'Each request paid for a TCP handshake (and the teardown, and a new socket on both sides) before it could be sent.',
    { mode: 'close', requests: n, connections: freshConnections, ms: Math.round(freshMs * 10) / 10 },
  );
  const ratio = freshMs / keepAliveMs;
  out.figure('TCP connect (loopback)', `${avgConnectMs.toFixed(2)} ms avg`, `keep-alive paid once: ${kaConnectMs.toFixed(2)} ms`);
  out.figure(
    'fresh connections vs keep-alive',
    ratio >= 1 ? `${ratio.toFixed(1)}× slower` : `${(1 / ratio).toFixed(1)}× faster (noise on a busy machine)`,
    'this run, loopback',
  );
  out.say(
    `Here, on loopback, a TCP connect took ${avgConnectMs.toFixed(2)} ms on average. Across a network each new connection adds a full round trip before the request can go out (and TLS 1.3 one more), so the gap grows with the distance to the server.`,
  );

  out.takeaways([
    'An HTTP/1.1 message is a start line, header lines, an empty line, then the body; every line ends in CR LF.',
    'The receiver finds the end of the body from Content-Length, or from chunked framing (hex size lines, a 0 chunk); a response with neither ends when the connection closes.',
    'Framing is what makes keep-alive possible: a client can only reuse a connection if it knows where the last response ended.',
    'Reusing one connection saves a handshake per request; pooling agents (keepAlive: true) do this for you.',
  ]);

  return {
    fixed: { statusLine: r1.statusLine, framing: r1.framing, contentLength: declared1, bodyBytes: r1.body.length, body: r1.body.toString('utf8') },
    chunked: {
      framing: r2.framing,
      transferEncoding: r2.headers.get('transfer-encoding') ?? null,
      hasContentLength: r2.headers.has('content-length'),
      sizesHex: r2.chunks.map((c) => c.hex),
      sizes: r2.chunks.map((c) => c.size),
      bodyBytes: r2.body.length,
      bodyMatches,
      reads: arrivals2.length,
    },
    keepAlive: { requests: n, connections: keepAliveConnections, keepAliveHeaders: kaHeader, ms: Math.round(keepAliveMs * 10) / 10 },
    fresh: { requests: n, connections: freshConnections, closedByServer, ms: Math.round(freshMs * 10) / 10, avgConnectMs: Math.round(avgConnectMs * 1000) / 1000 },
    serverRequests: requestsSeen,
    serverConnections: connections,
    predictedRight: predicted === undefined ? null : predicted === observedChoice,
  };
}
