/**
 * Lab: streaming large files. A seeded file of sizeMb MiB is written to a temp dir by a stream, then copied
 * and checksummed (sha256) two ways, each in a fresh Node process that reports its own peak memory
 * (process.resourceUsage().maxRSS): readFile → hash → writeFile against stream.pipeline. Then backpressure on
 * a deliberately slow Writable: ignored, honoured by hand, and by pipeline. Then a tus-like resumable upload
 * to a real HTTP server on 127.0.0.1: interrupted mid-chunk, resumed from the offset the server reports (HEAD),
 * finished with a sha256 match.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startServer } from '../src/labs/http-harness.js';
import { formatResponseHead, headerValue, sendRequest } from '../src/labs/http-wire-client.js';
import { createSnippetRunner } from '../src/labs/node-snippet.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const kib = (bytes: number) => (bytes >= MiB ? mib(bytes) : `${Math.round(bytes / 1024)} KiB`);

/** One MiB of seeded CSV text; each block of the file is this with its own header line. */
function seededBlock(rng: () => number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let id = 1; size < MiB; id++) {
    const line = `${id},user${Math.floor(rng() * 100_000)},${(rng() * 1000).toFixed(2)},${rng() < 0.5 ? 'paid' : 'refunded'}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, MiB);
}

interface ChildReport {
  readonly ms: number;
  readonly maxRssKb: number;
  readonly peakArrayBuffers: number;
  readonly hash: string;
  readonly chunks: number;
  readonly largestChunk: number;
  /** The most file data held at once: the whole file (buffered) or what was queued in the pipeline. */
  readonly peakHeld: number;
}

/** Runs in a fresh `node` process, so its peak RSS belongs to this variant alone. */
function childCode(variant: 'idle' | 'buffered' | 'streaming', src: string, dst: string): string {
  const body = {
    idle: `report({ hash: '', chunks: 0, largestChunk: 0, peakHeld: 0 });`,
    buffered: `
const data = await fs.promises.readFile(SRC);
sample();
const hash = createHash('sha256').update(data).digest('hex');
await fs.promises.writeFile(DST, data);
sample();
report({ hash, chunks: 1, largestChunk: data.length, peakHeld: data.length });`,
    streaming: `
const h = createHash('sha256');
const rs = fs.createReadStream(SRC), ws = fs.createWriteStream(DST);
let chunks = 0, largestChunk = 0, peakHeld = 0;
const tap = new Transform({ transform(chunk, _enc, done) {
  h.update(chunk); chunks++; largestChunk = Math.max(largestChunk, chunk.length);
  // File data queued in the pipeline right now: read ahead, in the tap, waiting to be written.
  peakHeld = Math.max(peakHeld, rs.readableLength + tap.writableLength + tap.readableLength + ws.writableLength + chunk.length);
  sample(); done(null, chunk);
} });
await pipeline(rs, tap, ws);
report({ hash: h.digest('hex'), chunks, largestChunk, peakHeld });`,
  }[variant];
  return `const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const SRC = ${JSON.stringify(src)}, DST = ${JSON.stringify(dst)};
let peakArrayBuffers = 0;
const sample = () => { peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers); };
const timer = setInterval(sample, 5);
const t0 = performance.now();
const report = (r) => {
  clearInterval(timer);
  sample();
  console.log(JSON.stringify({ ms: performance.now() - t0, maxRssKb: process.resourceUsage().maxRSS, peakArrayBuffers, ...r }));
};
(async () => {${body}
})();
`;
}

interface BackpressureRun {
  readonly variant: string;
  readonly writesFalse: number;
  readonly drains: number;
  readonly pauses: number;
  readonly peakBuffered: number;
  readonly ms: number;
}

/** A Writable that takes 1 ms per chunk (a slow disk or client) and records how much is queued in front of it. */
function slowWritable(hwm: number) {
  const stats = { drains: 0, peakBuffered: 0, bytes: 0 };
  const w = new Writable({
    highWaterMark: hwm,
    write(chunk: Buffer, _enc, done) {
      stats.bytes += chunk.length;
      setTimeout(done, 1);
    },
  });
  w.on('drain', () => stats.drains++);
  return { w, stats };
}

async function backpressure(ctx: LabContext, variant: 'ignore' | 'drain' | 'pipeline', hwm: number, chunk: number, count: number): Promise<BackpressureRun> {
  const { w, stats } = slowWritable(hwm);
  ctx.defer(() => void w.destroy());
  const data = Buffer.alloc(chunk, 0x61);
  let writesFalse = 0;
  let pauses = 0;
  const t0 = performance.now();
  const note = () => (stats.peakBuffered = Math.max(stats.peakBuffered, w.writableLength));
  if (variant === 'pipeline') {
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < count; i++) yield data;
      })(),
      { objectMode: false, highWaterMark: chunk },
    );
    source.on('pause', () => pauses++);
    const probe = new Transform({
      highWaterMark: chunk,
      transform(c: Buffer, _enc, done) {
        note();
        done(null, c);
      },
    });
    const origWrite = w.write.bind(w);
    // Count what pipeline's internal pipe() is told by write(): false means "stop until 'drain'".
    w.write = ((c: Buffer, ...rest: never[]) => {
      const ok = origWrite(c, ...rest);
      if (!ok) writesFalse++;
      note();
      return ok;
    }) as typeof w.write;
    await pipeline(source, probe, w, { signal: ctx.signal });
  } else {
    for (let i = 0; i < count; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const ok = w.write(data);
      note();
      if (!ok) {
        writesFalse++;
        if (variant === 'drain') await once(w, 'drain', { signal: ctx.signal });
      }
    }
    w.end();
    await once(w, 'finish', { signal: ctx.signal });
  }
  return { variant, writesFalse, drains: stats.drains, pauses, peakBuffered: stats.peakBuffered, ms: Math.round(performance.now() - t0) };
}

interface Upload {
  readonly length: number;
  readonly path: string;
  offset: number;
  busy: Promise<void>;
}

/** A tus-like upload server: POST creates, HEAD reports the offset, PATCH appends at exactly that offset. */
function uploadHandler(dir: string) {
  const uploads = new Map<string, Upload>();
  let next = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const base = { 'Tus-Resumable': '1.0.0', 'Cache-Control': 'no-store' };
    if (req.method === 'POST' && req.url === '/files') {
      const id = `f${++next}`;
      const length = Number(req.headers['upload-length']);
      const path = join(dir, `upload-${id}.bin`);
      // The file exists before the 201: the first PATCH opens it with 'r+', which does not create it.
      await writeFile(path, '');
      uploads.set(id, { length, path, offset: 0, busy: Promise.resolve() });
      res.writeHead(201, { ...base, Location: `/files/${id}` }).end();
      return;
    }
    const up = uploads.get((req.url ?? '').split('/')[2] ?? '');
    if (!up) return void res.writeHead(404, base).end();
    // One request at a time per upload: a HEAD waits until an interrupted PATCH has flushed what it received.
    await up.busy;
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...base, 'Upload-Offset': String(up.offset), 'Upload-Length': String(up.length) }).end();
      return;
    }
    if (req.method !== 'PATCH') return void res.writeHead(405, base).end();
    const claimed = Number(req.headers['upload-offset']);
    if (claimed !== up.offset) {
      req.resume();
      res.writeHead(409, { ...base, 'Upload-Offset': String(up.offset) }).end(`offset is ${up.offset}, not ${claimed}\n`);
      return;
    }
    let release = () => undefined as void;
    up.busy = new Promise<void>((r) => (release = r));
    try {
      await pipeline(req, createWriteStream(up.path, { flags: 'r+', start: up.offset }));
    } catch {
      // The client went away mid-body: keep whatever reached the disk.
    }
    up.offset = statSync(up.path).size;
    release();
    // pipeline() has destroyed req either way; `complete` tells whether the whole body arrived.
    if (!req.complete || res.destroyed) return void res.destroy();
    const headers: Record<string, string> = { ...base, 'Upload-Offset': String(up.offset) };
    if (up.offset === up.length) {
      const h = createHash('sha256');
      await pipeline(createReadStream(up.path), h);
      headers['Upload-Sha256'] = h.digest('hex');
    }
    res.writeHead(204, headers).end();
  };
  return {
    uploads,
    handler: (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch(() => res.destroy());
    },
  };
}

interface PatchResult {
  readonly status: number | 'aborted';
  readonly sent: number;
  readonly headers: IncomingMessage['headers'];
}

/** PATCH bytes [start, end) of the file as the body, streamed with backpressure; optionally cut after `cutAfter` bytes. */
function patch(ctx: LabContext, port: number, path: string, file: string, start: number, end: number, cutAfter?: number): Promise<PatchResult> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'PATCH',
        agent: false,
        signal: ctx.signal,
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(start), 'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(end - start) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sent, headers: res.headers }));
      },
    );
    const src = createReadStream(file, { start, end: end - 1, highWaterMark: 256 * 1024 });
    req.on('error', (e) => {
      src.destroy();
      if (cutAfter !== undefined && sent >= cutAfter) resolve({ status: 'aborted', sent, headers: {} });
      else reject(e);
    });
    src.on('data', (c: Buffer | string) => {
      const piece = typeof c === 'string' ? Buffer.from(c) : c;
      const take = cutAfter !== undefined ? piece.subarray(0, Math.max(0, cutAfter - sent)) : piece;
      sent += take.length;
      const ok = req.write(take);
      if (cutAfter !== undefined && sent >= cutAfter) {
        // The connection drops: the client destroys its socket mid-body.
        src.destroy();
        req.destroy(new Error('connection lost'));
        return;
      }
      if (!ok) {
        src.pause();
        req.once('drain', () => src.resume());
      }
    });
    src.on('end', () => req.end());
    src.on('error', reject);
  });
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const sizeMb = ctx.params.sizeMb ?? 64;
  const hwmKb = ctx.params.hwmKb ?? 64;
  const uploadMb = Math.min(sizeMb, ctx.params.uploadMb ?? 16);
  const chunkMb = ctx.params.chunkMb ?? 4;

  const dir = mkdtempSync(join(tmpdir(), 'backend-tutor-streaming-'));
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'orders.csv');
  const dst = join(dir, 'copy.csv');

  out.say(
    `A ${sizeMb} MiB seeded CSV file is written to a temp dir, then copied and checksummed (sha256) two ways, each in a fresh Node process that reports its own peak memory. Then backpressure on a slow writer, and a resumable upload that loses its connection half-way.`,
  );

  out.heading(`Writing the ${sizeMb} MiB file with a stream`);
  const block = seededBlock(ctx.rng);
  const fileHash = createHash('sha256');
  const uploadHash = createHash('sha256');
  const t0 = performance.now();
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < sizeMb; i++) {
          const b = Buffer.from(block);
          b.write(`# block ${i}\n`, 0, 'latin1');
          fileHash.update(b);
          if (i < uploadMb) uploadHash.update(b);
          yield b;
        }
      })(),
    ),
    createWriteStream(src),
    { signal: ctx.signal },
  );
  const sourceHash = fileHash.digest('hex');
  const uploadSha = uploadHash.digest('hex');
  out.step(
    `${mib(statSync(src).size)} written in ${Math.round(performance.now() - t0)} ms, 1 MiB at a time`,
    'pipeline(generator → file stream) only asks the generator for the next block when the file stream has room: the whole file never exists in memory.',
    { bytes: statSync(src).size, sha256: sourceHash.slice(0, 16) },
  );

  const choices = ['about the same: both read the same file', `buffered more: it holds all ${sizeMb} MiB at once`, 'streaming more: it uses many small buffers'];
  const guess = ctx.prompts ? await ctx.prompts.predictChoice(`peak memory of readFile→writeFile against pipeline, for ${sizeMb} MiB?`, choices) : undefined;

  out.heading('Buffered against streamed, each in a fresh process');
  out.code(
    [
      '// buffered',
      'const data = await fs.promises.readFile(SRC);',
      "const hash = createHash('sha256').update(data).digest('hex');",
      'await fs.promises.writeFile(DST, data);',
      '// streamed: 64 KiB chunks, hashed on the way through',
      'await pipeline(createReadStream(SRC), hashTap, createWriteStream(DST));',
    ].join('\n'),
  );
  const runner = createSnippetRunner(ctx.signal);
  ctx.defer(() => runner.close());
  const report = async (v: 'idle' | 'buffered' | 'streaming'): Promise<ChildReport> => {
    const lines = await runner.run(childCode(v, src, dst), 'cjs', 60_000);
    return JSON.parse(lines[lines.length - 1]!) as ChildReport;
  };
  const idle = await report('idle');
  const buffered = await report('buffered');
  const streamed = await report('streaming');
  const above = (r: ChildReport) => Math.max(0, r.maxRssKb - idle.maxRssKb) * 1024;
  out.table([
    ['variant', 'time', 'peak RSS', 'above idle', 'arrayBuffers', 'data held', 'chunks'],
    ['idle node', '-', mib(idle.maxRssKb * 1024), '-', mib(idle.peakArrayBuffers), '-', '-'],
    ['buffered', `${Math.round(buffered.ms)} ms`, mib(buffered.maxRssKb * 1024), mib(above(buffered)), mib(buffered.peakArrayBuffers), kib(buffered.peakHeld), buffered.chunks],
    ['streamed', `${Math.round(streamed.ms)} ms`, mib(streamed.maxRssKb * 1024), mib(above(streamed)), mib(streamed.peakArrayBuffers), kib(streamed.peakHeld), streamed.chunks],
  ]);
  out.bars(
    [
      { label: 'buffered, above idle', value: Math.round((above(buffered) / MiB) * 10) / 10 },
      { label: 'streamed, above idle', value: Math.round((above(streamed) / MiB) * 10) / 10 },
    ],
    'MiB',
  );
  const hashesMatch = buffered.hash === sourceHash && streamed.hash === sourceHash;
  out.step(
    `Buffered peaked ${mib(above(buffered))} above an idle process; streamed ${mib(above(streamed))}`,
    `readFile holds the whole file in one ${mib(buffered.largestChunk)} Buffer (outside the JS heap, counted in arrayBuffers): memory grows with the file. The pipeline never held more than ${kib(streamed.peakHeld)} of file data at once, in ${kib(streamed.largestChunk)} chunks (${streamed.chunks} went through); yet its arrayBuffers peaked at ${mib(streamed.peakArrayBuffers)}: chunks already written that the garbage collector had not freed yet.`,
    { bufferedAboveIdle: above(buffered), streamedAboveIdle: above(streamed), chunks: streamed.chunks, streamedPeakHeld: streamed.peakHeld },
  );
  out.figure('sha256 of both copies', hashesMatch ? 'same as the source' : 'MISMATCH', sourceHash.slice(0, 16) + '…');
  if (guess !== undefined) {
    // Judged on the measured peaks above idle: one side counts as "more" only when it is at least 1.5 times the other.
    const [b, s] = [above(buffered), above(streamed)];
    const right = b >= 1.5 * s ? 1 : s >= 1.5 * b ? 2 : 0;
    out.say(guess === right ? 'You predicted it.' : `Not what happened: this run matches "${choices[right]!}".`);
  }

  out.heading('Backpressure: a writer slower than the reader');
  const chunk = 16 * 1024;
  const count = 64;
  out.say(
    `A Writable that takes 1 ms per chunk, highWaterMark ${hwmKb} KiB. ${count} chunks of 16 KiB (${mib(chunk * count)}) are written three ways. write() returns false once ${hwmKb} KiB are queued: "stop until 'drain'".`,
  );
  const bp: BackpressureRun[] = [];
  for (const v of ['ignore', 'drain', 'pipeline'] as const) bp.push(await backpressure(ctx, v, hwmKb * 1024, chunk, count));
  const label: Record<string, string> = { ignore: 'write() ignored', drain: "await 'drain'", pipeline: 'pipeline()' };
  out.table([
    ['producer', 'write() false', "'drain'", 'source paused', 'peak queued', 'time'],
    ...bp.map((b) => [label[b.variant]!, b.writesFalse, b.drains, b.variant === 'pipeline' ? b.pauses : '-', `${Math.round(b.peakBuffered / 1024)} KiB`, `${b.ms} ms`]),
  ]);
  const [ign, drn, pip] = bp as [BackpressureRun, BackpressureRun, BackpressureRun];
  out.step(
    `Ignored: write() said false ${ign.writesFalse} times, ${Math.round(ign.peakBuffered / 1024)} KiB piled up`,
    'Every write is accepted anyway and queued in memory in front of the slow writer: with a large file or a slow client, that queue is the memory leak.',
    { ...ign },
  );
  out.step(
    `Honoured: peak ${Math.round(drn.peakBuffered / 1024)} KiB queued, ${drn.drains} 'drain' events`,
    `The producer stops at each false and resumes on 'drain', so the queue stays near highWaterMark; the total time is set by the slow writer either way (${ign.ms} vs ${drn.ms} ms).`,
    { ...drn },
  );
  out.step(
    `pipeline() paused the source ${pip.pauses} times; peak ${Math.round(pip.peakBuffered / 1024)} KiB queued`,
    "pipeline() does the same bookkeeping for you, as pipe() does; unlike pipe(), it also destroys every stream if one fails: the default for server code.",
    { ...pip },
  );

  out.heading(`Resumable upload: ${uploadMb} MiB in ${chunkMb} MiB chunks, cut off half-way`);
  const store = uploadHandler(dir);
  const server = await startServer(ctx, store.handler);
  const total = uploadMb * MiB;
  const chunkBytes = chunkMb * MiB;
  const chunks = Math.ceil(total / chunkBytes);
  // Seeded: the connection drops inside a chunk in the middle of the upload, 30–80% into it.
  const cutChunk = Math.floor((chunks - 1) / 2);
  const cutAt = cutChunk * chunkBytes + Math.floor((0.3 + 0.5 * ctx.rng()) * Math.min(chunkBytes, total - cutChunk * chunkBytes));
  const created = await sendRequest(ctx, server.port, { method: 'POST', path: '/files', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(total) } });
  const location = headerValue(created.headers, 'location') ?? '';
  out.code(`POST /files   Upload-Length: ${total}\n${formatResponseHead(created, ['location'])}`);
  const statuses: (number | string)[] = [created.status];
  let offset = 0;
  let sentBeforeCut = 0;
  for (let i = 0; i <= cutChunk; i++) {
    const end = Math.min(total, offset + chunkBytes);
    const r = await patch(ctx, server.port, location, src, offset, end, i === cutChunk ? cutAt - offset : undefined);
    statuses.push(r.status);
    if (r.status === 'aborted') {
      sentBeforeCut = offset + r.sent;
      break;
    }
    offset = Number(r.headers['upload-offset']);
  }
  out.step(
    `Chunk ${cutChunk + 1} of ${chunks}: connection dropped after byte ${sentBeforeCut.toLocaleString('en-US')}`,
    `The client destroyed its socket mid-body (a network cut). ${cutChunk > 0 ? 'Chunks before it were acknowledged with 204 and Upload-Offset; the' : 'The'} server keeps whatever part of this one reached its disk.`,
    { cutAt, sent: sentBeforeCut, chunk: cutChunk + 1 },
  );
  // No body needed: the server checks Upload-Offset before it reads one.
  const naive = await sendRequest(ctx, server.port, {
    method: 'PATCH',
    path: location,
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body: Buffer.alloc(0),
  });
  statuses.push(naive.status);
  out.step(
    `PATCH at the chunk start again (Upload-Offset: ${offset}): ${naive.status}`,
    naive.status === 409
      ? `The server already has bytes past ${offset} and refuses to write at the wrong place: 409 Conflict. The client must ask where to continue.`
      : 'The server had nothing of this chunk yet, so the chunk start was still the right offset.',
    { status: naive.status, claimed: offset },
  );
  const head = await sendRequest(ctx, server.port, { method: 'HEAD', path: location, headers: { 'Tus-Resumable': '1.0.0' } });
  statuses.push(head.status);
  const resumeAt = Number(headerValue(head.headers, 'upload-offset'));
  out.code(`HEAD ${location}\n${formatResponseHead(head, ['upload-offset', 'upload-length'])}`);
  out.step(
    `The server has ${resumeAt.toLocaleString('en-US')} bytes: resume there${resumeAt > offset ? ', not at a chunk boundary' : ''}`,
    `${sentBeforeCut > resumeAt ? `${(sentBeforeCut - resumeAt).toLocaleString('en-US')} of the bytes the client had written never reached the server's disk` : "every byte the client had written reached the server's disk"}; ${resumeAt - offset > 0 ? `${(resumeAt - offset).toLocaleString('en-US')} bytes of the cut chunk are kept and not sent again` : 'nothing of the cut chunk was kept'}.`,
    { resumeAt, sentBeforeCut, chunkStart: offset },
  );
  offset = resumeAt;
  let serverSha = '';
  let resumedChunks = 0;
  while (offset < total) {
    const r = await patch(ctx, server.port, location, src, offset, Math.min(total, offset + chunkBytes));
    statuses.push(r.status);
    resumedChunks++;
    if (r.status !== 204) break;
    offset = Number(r.headers['upload-offset']);
    serverSha = String(r.headers['upload-sha256'] ?? '');
  }
  const match = serverSha === uploadSha;
  out.figure('sha256 on the server', `${serverSha.slice(0, 16)}…`);
  out.figure(`sha256 of the first ${uploadMb} MiB here`, `${uploadSha.slice(0, 16)}…`, match ? 'match' : 'MISMATCH');
  out.step(
    `Completed with ${resumedChunks} more PATCH${resumedChunks === 1 ? '' : 'es'}: the checksums ${match ? 'match' : 'differ'}`,
    'Every PATCH names the offset it writes at, so a retry can never duplicate or skip bytes; the final checksum confirms it. GCS resumable uploads also ask the server for its offset; S3 multipart instead re-sends whole numbered parts (ListParts says which arrived).',
    { status: statuses, match, resumedChunks },
  );

  out.takeaways([
    'readFile/writeFile hold the whole file in memory; a stream pipeline holds a few chunks, whatever the size.',
    "write() returning false is backpressure: stop until 'drain', or let pipeline() do it (and clean up on errors).",
    'A resumable upload asks the server how much it has (HEAD → Upload-Offset) and continues from there; a 409 stops a write at the wrong offset.',
    'Verify the whole object end to end with a checksum: what arrived is what was sent.',
  ]);

  return {
    sizeMb,
    /** Removed by the lab's cleanup when it ends. */
    tempDir: dir,
    sourceSha256: sourceHash,
    memory: {
      idleRssKb: idle.maxRssKb,
      bufferedRssKb: buffered.maxRssKb,
      streamedRssKb: streamed.maxRssKb,
      bufferedPeakArrayBuffers: buffered.peakArrayBuffers,
      streamedPeakArrayBuffers: streamed.peakArrayBuffers,
      streamedChunks: streamed.chunks,
      bufferedPeakHeld: buffered.peakHeld,
      streamedPeakHeld: streamed.peakHeld,
      largestStreamedChunk: streamed.largestChunk,
      hashesMatch,
    },
    backpressure: bp.map((b) => ({ ...b })),
    upload: { bytes: total, chunks, cutChunk: cutChunk + 1, cutAt, sentBeforeCut, retryStatus: naive.status, resumeAt, resumedChunks, statuses, match },
  };
}
