/**
 * Lab: WebSocket on the wire. A hand-written client on a raw TCP socket (node:net) upgrades an HTTP/1.1
 * connection to a real node:http server that handles 'upgrade': Sec-WebSocket-Key, the 101 with
 * Sec-WebSocket-Accept computed by the server and checked by the client. Then RFC 6455 framing, implemented
 * here on both sides and shown in hex: FIN, opcode, the mask bit and key, the three payload-length forms, a
 * fragmented message, ping/pong, a close frame with a status code, and an unmasked client frame refused.
 * Finally two chat servers: a message reaches only the sender's server until a broker (a third local TCP
 * server) relays it to both; deliveries are counted before and after.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { listenLocal } from '../src/labs/http-harness.js';
import { pollUntil } from '../src/labs/poll-until.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

/** RFC 6455 §1.3: the fixed GUID appended to the client's key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The server refuses frames larger than this (a real server must bound what it buffers). */
const MAX_PAYLOAD = 1 << 20;
const APP_ORIGIN = 'https://chat.example';
const EVIL_ORIGIN = 'https://evil.example';

const OPCODE_NAMES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

type LengthForm = '7-bit' | '16-bit' | '64-bit';

interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly masked: boolean;
  readonly maskKey: Buffer | undefined;
  /** Unmasked payload. */
  readonly payload: Buffer;
  /** The frame's bytes exactly as they were on the wire. */
  readonly raw: Buffer;
  readonly lengthForm: LengthForm;
  /** Bytes before the payload: 2, plus 2 or 8 for an extended length, plus 4 for a masking key. */
  readonly headerBytes: number;
}

/** One frame, RFC 6455 §5.2. A client masks every frame with a 4-byte key; a server never masks. */
export function encodeFrame(opcode: number, payload: Buffer, o: { fin?: boolean; maskKey?: Buffer } = {}): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65_536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (o.maskKey ? 4 : 0));
  head[0] = ((o.fin ?? true) ? 0x80 : 0) | opcode;
  head[1] = (o.maskKey ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!o.maskKey) return Buffer.concat([head, payload]);
  o.maskKey.copy(head, 2 + ext);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ o.maskKey[i & 3]!;
  return Buffer.concat([head, body]);
}

/** The first complete frame at the start of `buf`, or undefined if more bytes are needed. */
export function decodeFrame(buf: Buffer): Frame | undefined {
  if (buf.length < 2) return undefined;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  const masked = (b1 & 0x80) !== 0;
  let len = b1 & 0x7f;
  let off = 2;
  let lengthForm: LengthForm = '7-bit';
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
    lengthForm = '16-bit';
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    const big = buf.readBigUInt64BE(2);
    if (big > BigInt(MAX_PAYLOAD)) throw new Error(`frame of ${big} bytes exceeds the ${MAX_PAYLOAD}-byte limit`);
    len = Number(big);
    off = 10;
    lengthForm = '64-bit';
  }
  const headerBytes = off + (masked ? 4 : 0);
  if (buf.length < headerBytes + len) return undefined;
  const maskKey = masked ? Buffer.from(buf.subarray(off, off + 4)) : undefined;
  const payload = Buffer.from(buf.subarray(headerBytes, headerBytes + len));
  if (maskKey) for (let i = 0; i < len; i++) payload[i] = payload[i]! ^ maskKey[i & 3]!;
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, maskKey, payload, raw: Buffer.from(buf.subarray(0, headerBytes + len)), lengthForm, headerBytes };
}

function closePayload(code: number, reason: string): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

const hex = (b: Buffer, max = b.length) =>
  [...b.subarray(0, max)].map((x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > max ? ' …' : '');

const quote = (b: Buffer) => JSON.stringify(b.toString('utf8'));

/** The frame's bytes, then what each part means: the lines shown in a code block. */
function describeFrame(f: Frame, dir: string): string {
  const ext = f.lengthForm === '7-bit' ? 0 : f.lengthForm === '16-bit' ? 2 : 8;
  const b1 = f.raw[1]!;
  const len7 = b1 & 0x7f;
  const name = OPCODE_NAMES[f.opcode] ?? '?';
  const lines = [`${dir}: ${f.raw.length} bytes on the wire`, hex(f.raw, 22)];
  lines.push(`${hex(f.raw.subarray(0, 1)).padEnd(24)} FIN=${f.fin ? 1 : 0} RSV=000 opcode=0x${f.opcode.toString(16)} (${name})`);
  lines.push(
    `${hex(f.raw.subarray(1, 2)).padEnd(24)} MASK=${f.masked ? 1 : 0} len7=${len7}${len7 === 126 ? ': 16-bit length follows' : len7 === 127 ? ': 64-bit length follows' : ''}`,
  );
  if (ext) lines.push(`${hex(f.raw.subarray(2, 2 + ext)).padEnd(24)} payload length ${f.payload.length}`);
  if (f.maskKey) lines.push(`${hex(f.maskKey).padEnd(24)} masking key`);
  const body = f.raw.subarray(f.headerBytes);
  let meaning: string;
  if (f.opcode === 8 && f.payload.length > 2) meaning = `status ${f.payload.readUInt16BE(0)}, reason ${quote(f.payload.subarray(2))}`;
  else if (f.opcode === 8 && f.payload.length === 2) meaning = `status ${f.payload.readUInt16BE(0)}`;
  else if (f.payload.length > 16) meaning = `${f.payload.length} bytes`;
  else meaning = quote(f.payload);
  lines.push(`${hex(body, 7).padEnd(24)} ${f.masked ? 'masked payload = ' : 'payload = '}${meaning}`);
  return lines.join('\n');
}

/** Frames read off a socket, reassembled from however TCP split them; queued or handed to onFrame. */
class Peer {
  private buf: Buffer;
  private readonly queue: Frame[] = [];
  private wake: (() => void) | undefined;
  /** TCP 'data' events so far. */
  reads = 0;
  closed = false;
  failure: Error | undefined;
  onFrame: ((f: Frame) => void) | undefined;

  constructor(
    readonly socket: Socket,
    initial: Buffer,
  ) {
    this.buf = initial;
    socket.on('data', (d: Buffer) => {
      this.reads++;
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    socket.on('error', (e) => (this.failure = e));
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  private notify() {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  drain() {
    for (;;) {
      let f: Frame | undefined;
      try {
        f = decodeFrame(this.buf);
      } catch (e) {
        this.failure = e as Error;
        this.socket.destroy();
        return;
      }
      if (!f) return;
      this.buf = this.buf.subarray(f.raw.length);
      if (this.onFrame) this.onFrame(f);
      else this.queue.push(f);
      this.notify();
    }
  }

  /** The next frame; rejects if the connection closes first or nothing arrives within `ms`. */
  async next(ms = 2000): Promise<Frame> {
    const deadline = performance.now() + ms;
    for (;;) {
      const f = this.queue.shift();
      if (f) return f;
      if (this.closed) throw new Error('connection closed');
      const left = deadline - performance.now();
      if (left <= 0) throw new Error('no frame within the time limit');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Resolves when the socket has closed (or after `ms`). */
  async whenClosed(ms = 2000): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!this.closed && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, deadline - performance.now());
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.closed;
  }
}

interface ServerFrameLog {
  readonly opcode: number;
  readonly fin: boolean;
  readonly masked: boolean;
  readonly length: number;
  readonly lengthForm: LengthForm;
  readonly headerBytes: number;
  /** TCP reads the server's connection had seen when this frame was complete. */
  readonly readsSoFar: number;
}

interface WsServer {
  readonly port: number;
  readonly name: string;
  /** Every frame any connection of this server decoded. */
  readonly frames: ServerFrameLog[];
}

/**
 * A WebSocket server: node:http hands over the socket on 'upgrade'; the handshake and every frame after it
 * are handled here. `onText` gets each complete message (fragments reassembled), how many frames carried
 * it, and the peer.
 */
async function startWsServer(
  ctx: LabContext,
  name: string,
  onOpen: (peer: Peer) => void,
  onText: (text: string, fragments: number, peer: Peer) => void,
): Promise<WsServer> {
  const frames: ServerFrameLog[] = [];
  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain' });
    res.end('This endpoint speaks WebSocket only.\n');
  });
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    const origin = req.headers.origin ?? '';
    const key = req.headers['sec-websocket-key'] ?? '';
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') return refuse(400, 'Bad Request');
    if (req.headers['sec-websocket-version'] !== '13') return refuse(426, 'Upgrade Required');
    if (Buffer.from(key, 'base64').length !== 16) return refuse(400, 'Bad Request');
    // Browsers send Origin on a WebSocket handshake and never enforce CORS on it: the server must check it.
    if (origin !== APP_ORIGIN) return refuse(403, 'Forbidden');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`);
    const peer = new Peer(socket, Buffer.from(head));
    let parts: Buffer[] = [];
    let closing = false;
    const fail = (code: number, reason: string) => {
      closing = true;
      socket.write(encodeFrame(8, closePayload(code, reason)));
      socket.end();
    };
    peer.onFrame = (f) => {
      if (closing) return;
      frames.push({ opcode: f.opcode, fin: f.fin, masked: f.masked, length: f.payload.length, lengthForm: f.lengthForm, headerBytes: f.headerBytes, readsSoFar: peer.reads });
      // RFC 6455 §5.1: a server MUST close the connection on an unmasked client frame (1002: protocol error).
      if (!f.masked) return fail(1002, 'masking required');
      if (f.opcode === 9) {
        socket.write(encodeFrame(10, f.payload));
      } else if (f.opcode === 8) {
        // Echo the status code, then close the TCP connection: the server closes first (§7.1.1).
        closing = true;
        socket.write(encodeFrame(8, f.payload.subarray(0, 2)));
        socket.end();
      } else if (f.opcode === 1 || f.opcode === 0) {
        parts.push(f.payload);
        if (f.fin) {
          const n = parts.length;
          const text = Buffer.concat(parts).toString('utf8');
          parts = [];
          onText(text, n, peer);
        }
      }
    };
    onOpen(peer);
    peer.drain();
  });
  // listenLocal tracks sockets from 'connection', so upgraded ones are destroyed on cleanup too.
  return { port: await listenLocal(ctx, http), name, frames };
}

interface Handshake {
  readonly request: string;
  readonly responseHead: string;
  readonly status: number;
  readonly key: string;
  readonly expectedAccept: string;
  readonly accept: string | undefined;
  readonly peer: Peer | undefined;
}

/** The client side of the opening handshake, written and parsed by hand. */
async function handshake(ctx: LabContext, tracked: Set<Socket>, port: number, origin: string): Promise<Handshake> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  // A browser takes the 16 key bytes from a CSPRNG; the seeded rng keeps the lab's bytes reproducible.
  const key = Buffer.from(Array.from({ length: 16 }, () => Math.floor(ctx.rng() * 256))).toString('base64');
  const request = [
    'GET /chat HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    `Origin: ${origin}`,
    '',
    '',
  ].join('\r\n');
  const socket = connect(port, '127.0.0.1');
  tracked.add(socket);
  socket.on('close', () => tracked.delete(socket));
  let buf = Buffer.alloc(0);
  const head = await new Promise<Buffer>((resolve, reject) => {
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.indexOf('\r\n\r\n') >= 0) {
        socket.off('data', onData);
        resolve(buf);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed during the handshake')));
    socket.write(request);
  });
  socket.removeAllListeners('error');
  socket.removeAllListeners('close');
  socket.on('close', () => tracked.delete(socket));
  socket.on('error', () => undefined);
  const end = head.indexOf('\r\n\r\n') + 4;
  const responseHead = head.subarray(0, end).toString('latin1');
  const [statusLine = '', ...lines] = responseHead.split('\r\n').filter(Boolean);
  const status = Number(statusLine.split(' ')[1]);
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
  const expectedAccept = acceptFor(key);
  const accept = headers.get('sec-websocket-accept');
  const ok = status === 101 && headers.get('upgrade')?.toLowerCase() === 'websocket' && accept === expectedAccept;
  let peer: Peer | undefined;
  if (ok) {
    peer = new Peer(socket, head.subarray(end));
    peer.drain();
  } else socket.destroy();
  return { request, responseHead, status, key, expectedAccept, accept, peer };
}

/** Client frames: always masked with a fresh key (seeded here, a CSPRNG in a browser). */
function clientFrame(ctx: LabContext, opcode: number, payload: Buffer, fin = true): Buffer {
  const maskKey = Buffer.from(Array.from({ length: 4 }, () => Math.floor(ctx.rng() * 256)));
  return encodeFrame(opcode, payload, { fin, maskKey });
}

const crlf = (s: string) => s.replace(/(\r\n)+$/, '').split('\r\n').join('\n');

interface Delivery {
  readonly fromServer: string;
  readonly toServer: string;
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const k = Math.max(1, Math.min(50, Math.round(ctx.params.clients ?? 3)));
  /** Client-side sockets (lab clients, the chat servers' broker links): the servers' own sides close with them. */
  const tracked = new Set<Socket>();
  ctx.defer(() => {
    for (const s of tracked) s.destroy();
  });

  // ---------------------------------------------------------------- part 1: the handshake
  out.say(
    'A node:http server on 127.0.0.1 handles the "upgrade" event and speaks WebSocket itself; the client is a raw node:net socket. Both sides of RFC 6455 (handshake and framing) are implemented in this lab, so every byte below is one that crossed the socket.',
  );
  out.heading('1. The opening handshake');
  const echoReplies: string[] = [];
  const echo = await startWsServer(
    ctx,
    'echo',
    () => undefined,
    (text, fragments, peer) => {
      const reply = text.length > 40 ? `got ${Buffer.byteLength(text)} bytes` : fragments > 1 ? `${text} (${fragments} frames)` : text;
      echoReplies.push(reply);
      peer.socket.write(encodeFrame(1, Buffer.from(reply)));
    },
  );
  const hs = await handshake(ctx, tracked, echo.port, APP_ORIGIN);
  out.say('The client sends an ordinary HTTP/1.1 GET asking to switch protocols:');
  out.code(crlf(hs.request));
  out.say('The server answers (its whole response head):');
  out.code(crlf(hs.responseHead));
  const acceptOk = hs.accept === hs.expectedAccept;
  out.code(
    [
      `key    = ${hs.key}`,
      `sha1(key + "${GUID}")`,
      `base64 = ${hs.expectedAccept}   (computed by the client)`,
      `header = ${hs.accept ?? '(missing)'}   (sent by the server)`,
    ].join('\n'),
  );
  out.step(
    `${hs.status}: Sec-WebSocket-Accept ${acceptOk ? 'matches' : 'does NOT match'} the client's own computation`,
    'The accept value proves the server read this handshake as WebSocket (a plain HTTP server or a cache replaying an old response could not produce it for a fresh random key). It is not security: anyone can compute it. After the 101 the same TCP connection carries frames, not HTTP.',
    { status: hs.status, key: hs.key, accept: hs.accept ?? null, expectedAccept: hs.expectedAccept, acceptMatches: acceptOk },
  );
  const evil = await handshake(ctx, tracked, echo.port, EVIL_ORIGIN);
  out.step(
    `Origin: ${EVIL_ORIGIN} → ${evil.responseHead.split('\r\n')[0]}`,
    'Same-origin policy and CORS do not apply to WebSocket: a page on any site can open a socket to your server, and the browser sends your cookies with it unless they are SameSite=Lax or Strict. Checking Origin against an allow-list at the handshake is what stops cross-site WebSocket hijacking.',
    { origin: EVIL_ORIGIN, status: evil.status },
  );
  const peer = hs.peer;
  if (!peer) throw new Error(`handshake failed with status ${hs.status}`);

  // ---------------------------------------------------------------- part 2: frames
  out.heading('2. Frames, byte by byte');
  out.say(
    'Every client-to-server frame is masked: the client picks a 4-byte key per frame and XORs the payload with it. Server-to-client frames are not masked. (A browser takes the key from a CSPRNG; here it comes from the seeded rng so the bytes are reproducible.)',
  );
  const sent = (raw: Buffer) => {
    peer.socket.write(raw);
    return decodeFrame(raw)!;
  };
  const hello = sent(clientFrame(ctx, 1, Buffer.from('hello')));
  const helloBack = await peer.next();
  out.code([describeFrame(hello, 'client → server, text "hello"'), describeFrame(helloBack, 'server → client, the echo')].join('\n\n'));
  const serverHello = echo.frames[0];
  out.step(
    `Server unmasked ${JSON.stringify(echoReplies[0] ?? '')}; its reply is ${helloBack.raw.length} bytes, ${helloBack.masked ? 'masked' : 'unmasked'}`,
    'Masking is not encryption (the key travels in the frame): it stops a malicious page from making the browser send bytes that a transparent proxy would mistake for an HTTP request and cache (cache poisoning).',
    { clientFrameBytes: hello.raw.length, serverFrameBytes: helloBack.raw.length, serverSawMasked: serverHello?.masked ?? null },
  );

  // Payload-length forms at their boundaries.
  out.say('The payload length has three encodings. Three text messages at the boundaries:');
  const headerChoices = [2, 4, 14];
  const headerGuess = ctx.prompts
    ? await ctx.prompts.predictChoice('how many header bytes precede a 65,536-byte payload sent by the client?', [
        '2: the length fits in the first two bytes',
        '4: a 16-bit extended length',
        '14: a 64-bit length plus the 4-byte mask key',
      ])
    : undefined;
  const sizes = [125, 126, 65_536];
  const sizeRows: (string | number)[][] = [['payload', 'len7', 'length form', 'header bytes', 'server TCP reads']];
  const lengthObs: { payload: number; lengthForm: string; headerBytes: number; echoed: string }[] = [];
  for (const n of sizes) {
    const readsBefore = echo.frames.length ? echo.frames.at(-1)!.readsSoFar : 0;
    const f = sent(clientFrame(ctx, 1, Buffer.from('a'.repeat(n))));
    const reply = await peer.next();
    const log = echo.frames.at(-1)!;
    sizeRows.push([n, f.raw[1]! & 0x7f, f.lengthForm, f.headerBytes, log.readsSoFar - readsBefore]);
    lengthObs.push({ payload: n, lengthForm: log.lengthForm, headerBytes: log.headerBytes, echoed: reply.payload.toString() });
    if (n === 65_536) out.code(`the ${n}-byte frame starts ${hex(f.raw, 14)}`);
  }
  out.table(sizeRows);
  const big = lengthObs.at(-1)!;
  if (headerGuess !== undefined) {
    const guessed = headerChoices[headerGuess]!;
    out.say(guessed === big.headerBytes ? `You predicted ${guessed}: right.` : `You predicted ${guessed}; the frame had ${big.headerBytes} header bytes.`);
  }
  out.step(
    `${big.payload} bytes: ${big.lengthForm} length form, ${big.headerBytes} header bytes`,
    'len7 0–125 is the length itself; 126 means "a 16-bit length follows" (up to 65,535); 127 means "a 64-bit length follows". Plus 4 bytes of masking key from a client. TCP may deliver one frame in several reads (last column, this run): the decoder buffers until the whole frame is there.',
    { lengths: lengthObs.map((l) => ({ ...l })) },
  );

  // Fragmentation: one message in two frames.
  const frag1 = sent(clientFrame(ctx, 1, Buffer.from('frag'), false));
  const frag2 = sent(clientFrame(ctx, 0, Buffer.from('mented')));
  const fragReply = await peer.next();
  out.code([describeFrame(frag1, 'fragment 1 (FIN=0)'), describeFrame(frag2, 'fragment 2 (continuation, FIN=1)')].join('\n\n'));
  out.step(
    `Two frames, one message: the server reassembled ${quote(fragReply.payload)}`,
    'FIN=0 says "more of this message follows"; the next frames have opcode 0 (continuation) until one has FIN=1. Control frames (ping, pong, close) may arrive between fragments and are never fragmented.',
    { fragments: 2, message: fragReply.payload.toString() },
  );

  // Ping / pong.
  const pingPayload = Buffer.from(`hb-${Math.floor(ctx.rng() * 1000)}`);
  const t0 = performance.now();
  const ping = sent(clientFrame(ctx, 9, pingPayload));
  const pong = await peer.next();
  const rttMs = performance.now() - t0;
  out.code([describeFrame(ping, 'client → server, ping'), describeFrame(pong, 'server → client, pong')].join('\n\n'));
  const pongMatches = pong.opcode === 10 && pong.payload.equals(pingPayload);
  out.step(
    `Pong ${pongMatches ? 'carried the same payload' : 'did NOT match'} ${quote(pingPayload)}, after ${rttMs.toFixed(2)} ms`,
    'A ping must be answered with a pong carrying the same application data. Heartbeats like this detect dead connections (a NAT or load balancer silently dropping an idle socket) that TCP alone would not notice for a long time.',
    { ping: pingPayload.toString(), pongOpcode: pong.opcode, pongMatches },
  );

  // Close with a status code.
  const close = sent(clientFrame(ctx, 8, closePayload(1000, 'bye')));
  const closeBack = await peer.next();
  const tcpClosed = await peer.whenClosed();
  out.code([describeFrame(close, 'client → server, close'), describeFrame(closeBack, 'server → client, close')].join('\n\n'));
  const closeCode = closeBack.payload.length >= 2 ? closeBack.payload.readUInt16BE(0) : 0;
  out.step(
    `Close: sent 1000, server echoed ${closeCode}, then ${tcpClosed ? 'closed TCP' : 'left TCP open'}`,
    'Either side sends a close frame (2-byte status code, optional UTF-8 reason); the other answers with one; then the server closes TCP. 1000 is a normal closure, 1001 going away (a deploy), 1002 protocol error, 1008 policy violation, 1011 server error.',
    { sent: 1000, echoed: closeCode, tcpClosed },
  );

  // An unmasked client frame.
  const bad = await handshake(ctx, tracked, echo.port, APP_ORIGIN);
  if (!bad.peer) throw new Error('second handshake failed');
  const unmasked = encodeFrame(1, Buffer.from('no mask'));
  bad.peer.socket.write(unmasked);
  const badClose = await bad.peer.next();
  const badCode = badClose.payload.length >= 2 ? badClose.payload.readUInt16BE(0) : 0;
  const badTcpClosed = await bad.peer.whenClosed();
  out.code([`unmasked client frame: ${hex(unmasked)}`, describeFrame(badClose, 'server → client')].join('\n'));
  out.step(
    `Unmasked client frame → close ${badCode} ${quote(badClose.payload.subarray(2))}, TCP ${badTcpClosed ? 'dropped' : 'still open'}`,
    'The mask bit is mandatory from clients; a server must fail the connection otherwise, and a client must fail it if a server frame is masked.',
    { closeCode: badCode, tcpClosed: badTcpClosed },
  );

  // ---------------------------------------------------------------- part 3: two servers
  out.heading('3. Two servers behind a load balancer');
  out.say(
    `A chat room with ${2 * k} members: ${k} connected to server A and ${k} to server B (two real WebSocket servers, as a load balancer would spread them). A server broadcasts each message to the members it holds, sender included. Every member sends one message.`,
  );
  let predicted: number | undefined;
  const choices = [`all ${2 * k}`, `${k}: only those on server A`, '1: only the sender'];
  if (ctx.prompts) predicted = await ctx.prompts.predictChoice(`a member on server A sends a message: how many of the ${2 * k} receive it?`, choices);

  interface ChatServer {
    readonly ws: WsServer;
    readonly members: Peer[];
    broker: Socket | undefined;
  }
  const deliveries: Delivery[] = [];
  let relays = 0;
  const broadcastLocal = (srv: ChatServer, payload: string) => {
    const frame = encodeFrame(1, Buffer.from(payload));
    for (const m of srv.members) if (!m.closed) m.socket.write(frame);
  };
  const startChat = async (name: string): Promise<ChatServer> => {
    const srv: ChatServer = { ws: undefined as unknown as WsServer, members: [], broker: undefined };
    const ws = await startWsServer(
      ctx,
      name,
      (p) => srv.members.push(p),
      (text) => {
        if (srv.broker) srv.broker.write(`${JSON.stringify({ type: 'pub', room: 'lobby', data: text })}\n`);
        else broadcastLocal(srv, text);
      },
    );
    (srv as { ws: WsServer }).ws = ws;
    return srv;
  };
  const servers = [await startChat('A'), await startChat('B')];
  const members: { server: string; peer: Peer; name: string }[] = [];
  for (const srv of servers) {
    for (let i = 1; i <= k; i++) {
      const h = await handshake(ctx, tracked, srv.ws.port, APP_ORIGIN);
      if (!h.peer) throw new Error('chat handshake failed');
      const m = { server: srv.ws.name, peer: h.peer, name: `${srv.ws.name}${i}` };
      h.peer.onFrame = (f) => {
        if (f.opcode !== 1) return;
        const msg = JSON.parse(f.payload.toString()) as { from: string };
        deliveries.push({ fromServer: msg.from.slice(0, 1), toServer: m.server });
      };
      members.push(m);
    }
  }
  await pollUntil(() => servers.every((s) => s.members.length === k), 2000, ctx.signal);

  const matrix = (list: readonly Delivery[]) => {
    const c = (from: string, to: string) => list.filter((d) => d.fromServer === from && d.toServer === to).length;
    return { AtoA: c('A', 'A'), AtoB: c('A', 'B'), BtoA: c('B', 'A'), BtoB: c('B', 'B') };
  };
  const sendAll = (tag: string) => {
    for (const m of members) m.peer.socket.write(clientFrame(ctx, 1, Buffer.from(JSON.stringify({ from: m.name, text: `${tag} from ${m.name}` }))));
  };
  const expectedAll = 2 * k * 2 * k;

  // Without a broker.
  sendAll('hi');
  await pollUntil(() => deliveries.length >= 2 * k * k, 2000, ctx.signal);
  // Give any cross-server delivery time to show up: there is no path for one, and this proves it.
  await new Promise((r) => setTimeout(r, 100));
  const before = matrix(deliveries);
  const beforeTotal = deliveries.length;

  // With a broker: a third TCP server relaying newline-delimited JSON to every subscribed server.
  const subscribers = new Set<Socket>();
  const broker: Server = createTcpServer((s) => {
    s.on('close', () => subscribers.delete(s));
    s.on('error', () => undefined);
    let pending = '';
    s.on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const msg = JSON.parse(line) as { type: string };
        if (msg.type === 'sub') {
          subscribers.add(s);
          s.write(`${JSON.stringify({ type: 'subscribed' })}\n`);
        } else if (msg.type === 'pub') {
          for (const sub of subscribers) {
            relays++;
            sub.write(`${line}\n`);
          }
        }
      }
    });
  });
  const brokerPort = await listenLocal(ctx, broker);
  for (const srv of servers) {
    const s = connect(brokerPort, '127.0.0.1');
    tracked.add(s);
    s.on('close', () => tracked.delete(s));
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      let pending = '';
      s.on('data', (d: Buffer) => {
        pending += d.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const msg = JSON.parse(pending.slice(0, nl)) as { type: string; data?: string };
          pending = pending.slice(nl + 1);
          if (msg.type === 'subscribed') resolve();
          else if (msg.type === 'pub' && msg.data !== undefined) broadcastLocal(srv, msg.data);
        }
      });
      s.write(`${JSON.stringify({ type: 'sub', room: 'lobby' })}\n`);
    });
    srv.broker = s;
  }
  const mark = deliveries.length;
  sendAll('again');
  const complete = await pollUntil(() => deliveries.length - mark >= expectedAll, 2000, ctx.signal);
  const after = matrix(deliveries.slice(mark));
  const afterTotal = deliveries.length - mark;

  out.table([
    ['deliveries', 'A → A', 'A → B', 'B → A', 'B → B', 'total', 'wanted'],
    ['no broker', before.AtoA, before.AtoB, before.BtoA, before.BtoB, beforeTotal, expectedAll],
    ['with broker', after.AtoA, after.AtoB, after.BtoA, after.BtoB, afterTotal, expectedAll],
  ]);
  const perMessageBefore = before.AtoA / k;
  const observedChoice = perMessageBefore === 2 * k ? 0 : perMessageBefore === k ? 1 : perMessageBefore === 1 ? 2 : -1;
  if (predicted !== undefined) {
    out.say(
      predicted === observedChoice
        ? `You predicted ${choices[predicted]}: right, each message from A reached ${perMessageBefore} member${perMessageBefore === 1 ? '' : 's'}.`
        : `You predicted ${choices[predicted]}; each message from A reached ${perMessageBefore} member${perMessageBefore === 1 ? '' : 's'}.`,
    );
  }
  out.step(
    `No broker: ${before.AtoB + before.BtoA} deliveries crossed servers; ${beforeTotal} of ${expectedAll} arrived`,
    before.AtoB + before.BtoA === 0
      ? 'Each server only knows the sockets it holds. A message to server A reaches A’s members; B’s members never hear about it, because nothing connects the two servers.'
      : 'Each server only knows the sockets it holds, so only same-server deliveries were expected here.',
    { phase: 'no-broker', ...before, total: beforeTotal, expected: expectedAll },
  );
  out.step(
    `Broker: ${afterTotal} of ${expectedAll} delivered${complete ? '' : ' (timed out)'}; the broker relayed ${relays} publications`,
    'Each server publishes what its clients send to the broker and subscribes to the room; the broker hands every publication to every subscribed server, which delivers it to its own members. Socket.IO’s Redis adapter works this way, over Redis pub/sub; NATS or Kafka can be the broker too.',
    { phase: 'broker', ...after, total: afterTotal, expected: expectedAll, relays },
  );
  out.bars(
    [
      { label: 'no broker', value: beforeTotal },
      { label: 'with broker', value: afterTotal },
    ],
    'deliveries',
  );

  out.takeaways([
    'A WebSocket starts as an HTTP/1.1 GET with Upgrade: websocket; the 101 carries base64(SHA-1(key + GUID)) to prove the server understood it.',
    'Frames: FIN and opcode, a mask bit, a 7-bit length (or 126 + 16-bit, 127 + 64-bit); client frames are masked, server frames never are.',
    'Ping/pong detects dead peers; close frames carry a status code; check Origin at the handshake, since CORS does not protect WebSocket.',
    'Connections are stateful and pinned to one server: to scale out, relay messages between servers through a broker (Redis pub/sub, NATS, Kafka).',
  ]);

  return {
    handshake: { status: hs.status, acceptMatches: acceptOk, key: hs.key, accept: hs.accept ?? null, evilOriginStatus: evil.status },
    frames: {
      helloClientBytes: hello.raw.length,
      helloServerBytes: helloBack.raw.length,
      serverFramesMasked: helloBack.masked,
      clientFramesMasked: hello.masked,
      lengths: lengthObs.map((l) => ({ ...l })),
      fragmented: fragReply.payload.toString(),
      pongMatches,
      closeEchoed: closeCode,
      tcpClosedAfterClose: tcpClosed,
      unmaskedCloseCode: badCode,
      unmaskedTcpClosed: badTcpClosed,
    },
    scaling: { clientsPerServer: k, expected: expectedAll, before: { ...before, total: beforeTotal }, after: { ...after, total: afterTotal }, relays },
  };
}
