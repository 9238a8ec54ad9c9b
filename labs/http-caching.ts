/**
 * Lab: HTTP caching. A real server on 127.0.0.1 sends Cache-Control: max-age and an ETag and answers
 * If-None-Match with 304. A tiny client-side cache honours max-age on a virtual clock and revalidates when
 * its copy goes stale; a client without a cache reads the same sequence. Every request, status and byte is
 * counted; then the resource changes and the old ETag no longer matches.
 */
import { createHash } from 'node:crypto';
import { startServer } from '../src/labs/http-harness.js';
import { formatRequestSeen, formatResponseHead, headerValue, sendRequest, type WireReply } from '../src/labs/http-wire-client.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const NAMES = ['kettle', 'lamp', 'chair', 'desk', 'mug', 'shelf', 'rug', 'clock', 'vase', 'stool', 'bench', 'mirror'];
const MEAN_GAP_S = 20;

interface CacheControl {
  readonly maxAge: number | undefined;
  readonly noStore: boolean;
  readonly noCache: boolean;
}

function parseCacheControl(value: string | undefined): CacheControl {
  const directives = (value ?? '').split(',').map((d) => d.trim().toLowerCase());
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  return { maxAge: maxAge ? Number(maxAge.slice(8)) : undefined, noStore: directives.includes('no-store'), noCache: directives.includes('no-cache') };
}

/** If-None-Match uses the weak comparison: W/"x" matches "x"; * matches any current representation. */
function noneMatch(header: string, etag: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((t) => strip(t) === strip(etag));
}

interface Stored {
  readonly body: Buffer;
  readonly etag: string | undefined;
  /** Virtual second when the response was stored or last revalidated. */
  readonly storedAt: number;
  readonly cc: CacheControl;
}

type Decision = 'empty' | 'fresh' | 'stale';

interface Read {
  readonly i: number;
  readonly t: number;
  readonly decision: Decision;
  readonly age: number | null;
  readonly request: 'none' | 'GET' | 'conditional';
  readonly status: number | null;
  readonly bytes: number;
  /** Version of the catalog the client got, and whether the server had a newer one at that moment. */
  readonly version: number;
  readonly outdated: boolean;
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const reads = Math.max(4, Math.min(500, Math.round(ctx.params.reads ?? 24)));
  const maxAge = Math.max(0, Math.min(3600, Math.round(ctx.params.maxAge ?? 60)));

  // The resource: a product catalogue generated from the seed. Its ETag is a hash of the bytes.
  const catalog = Array.from({ length: 40 }, (_, i) => ({
    id: i + 1,
    name: `${NAMES[Math.floor(ctx.rng() * NAMES.length)]} ${i + 1}`,
    price: 500 + Math.floor(ctx.rng() * 20_000),
    stock: Math.floor(ctx.rng() * 100),
  }));
  let version = 1;
  let body = Buffer.from(JSON.stringify(catalog));
  const etagOf = (b: Buffer) => `"${createHash('sha256').update(b).digest('base64url').slice(0, 16)}"`;
  let etag = etagOf(body);
  const etags = [etag];

  // Seeded read times on a virtual clock, and the moment the catalogue changes (between two reads).
  const times: number[] = [];
  for (let t = 0, i = 0; i < reads; i++) {
    times.push(t);
    t += Math.max(1, Math.round(-Math.log(1 - ctx.rng()) * MEAN_GAP_S));
  }
  const changeAfter = Math.floor(reads * 0.6) - 1;
  const changeAt = Math.floor((times[changeAfter]! + times[changeAfter + 1]!) / 2);
  const changedItem = Math.floor(ctx.rng() * catalog.length);

  const perClient: Record<string, { requests: number; ok: number; notModified: number; bodyBytes: number }> = {};
  let lastSeen = '';
  const server = await startServer(ctx, (req, res) => {
    const who = req.headers['user-agent'] ?? '?';
    const s = (perClient[who] ??= { requests: 0, ok: 0, notModified: 0, bodyBytes: 0 });
    s.requests++;
    lastSeen = formatRequestSeen(req, ['host', 'user-agent', 'if-none-match']);
    const headers = { 'Cache-Control': `max-age=${maxAge}`, ETag: etag };
    const inm = req.headers['if-none-match'];
    if (inm && noneMatch(inm, etag)) {
      // Not modified: the same validators and caching headers, and no body at all.
      s.notModified++;
      res.writeHead(304, headers);
      res.end();
      return;
    }
    s.ok++;
    s.bodyBytes += body.length;
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  });

  out.say(
    `A server on 127.0.0.1 serves GET /catalog (${body.length} bytes of JSON) with Cache-Control: max-age=${maxAge} and an ETag, a hash of the body. It answers If-None-Match with 304 Not Modified when the tag still matches.`,
  );
  out.say(
    `Two clients read /catalog ${reads} times at the same moments: one with a small HTTP cache, one without. The clock is virtual: reads are spaced by seeded gaps (about ${MEAN_GAP_S} s on average) and the cache ages its copy on that clock, so no real minute passes. The requests themselves are real.`,
  );

  // Which version of the catalogue a body is, to count reads that returned an outdated copy.
  const bodies = new Map<string, number>();
  const versionOf = (b: Buffer) => bodies.get(b.toString('latin1')) ?? 0;
  bodies.set(body.toString('latin1'), version);
  const store = new Map<string, Stored>();
  const exchanges: { label: string; request: string; reply: WireReply; version: number }[] = [];
  const get = async (ua: string, headers: Record<string, string> = {}) => {
    const reply = await sendRequest(ctx, server.port, { path: '/catalog', headers: { 'User-Agent': ua, ...headers } });
    return { reply, request: lastSeen };
  };

  /** The caching client: serve fresh copies locally, revalidate stale ones, store what the server says to. */
  const cachedRead = async (i: number, now: number): Promise<Read> => {
    const hit = store.get('/catalog');
    const age = hit ? now - hit.storedAt : null;
    const fresh = hit && !hit.cc.noCache && hit.cc.maxAge !== undefined && age! < hit.cc.maxAge;
    const outdated = (v: number) => v !== version;
    if (hit && fresh) return { i, t: now, decision: 'fresh', age, request: 'none', status: null, bytes: 0, version: versionOf(hit.body), outdated: outdated(versionOf(hit.body)) };
    const conditional = hit?.etag !== undefined;
    const { reply, request } = await get('caching-client', conditional ? { 'If-None-Match': hit!.etag! } : {});
    const cc = parseCacheControl(headerValue(reply.headers, 'cache-control'));
    const newTag = headerValue(reply.headers, 'etag');
    let got: Buffer;
    if (reply.status === 304 && hit) {
      got = hit.body;
      store.set('/catalog', { body: hit.body, etag: newTag ?? hit.etag, storedAt: now, cc });
    } else {
      got = reply.body;
      if (cc.noStore) store.delete('/catalog');
      else store.set('/catalog', { body: reply.body, etag: newTag, storedAt: now, cc });
    }
    const v = versionOf(got);
    const firstOf = (label: string) => !exchanges.some((e) => e.label === label) && exchanges.push({ label, request, reply, version: v });
    if (!hit) firstOf('first read');
    else if (reply.status === 304) firstOf('revalidated');
    else if (v > 1) firstOf('changed');
    return { i, t: now, decision: hit ? 'stale' : 'empty', age, request: conditional ? 'conditional' : 'GET', status: reply.status, bytes: reply.body.length, version: v, outdated: outdated(v) };
  };

  let predicted: number | undefined;
  const choices = ['200 with the whole body again', '304 Not Modified, with no body', 'nothing: the client uses its copy without asking'];
  if (ctx.prompts) {
    predicted = await ctx.prompts.predictChoice(
      'the cached copy is older than max-age, but the catalogue has not changed. The client asks again: what does the server answer?',
      choices,
    );
  }

  const trace: Read[] = [];
  const plain = { requests: 0, ok: 0, notModified: 0, bodyBytes: 0 };
  for (let i = 0; i < reads; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    trace.push(await cachedRead(i, times[i]!));
    const { reply } = await get('no-cache-client');
    plain.requests++;
    if (reply.status === 200) plain.ok++;
    if (reply.status === 304) plain.notModified++;
    plain.bodyBytes += reply.body.length;
    if (i === changeAfter) {
      // The catalogue changes on the server: one price moves, so the bytes and therefore the ETag change.
      catalog[changedItem]!.price += 100;
      body = Buffer.from(JSON.stringify(catalog));
      etag = etagOf(body);
      etags.push(etag);
      version++;
      bodies.set(body.toString('latin1'), version);
    }
  }

  out.heading('Read by read (caching client)');
  const rows: (string | number)[][] = [['#', 't (s)', 'cache', 'request', 'status', 'body B', 'got']];
  const shown = Math.min(trace.length, 30);
  for (const r of trace.slice(0, shown)) {
    rows.push([
      r.i + 1,
      r.t,
      r.decision === 'empty' ? 'empty' : `${r.decision}, age ${r.age}`,
      r.request === 'none' ? '-' : r.request === 'GET' ? 'GET' : 'If-None-Match',
      r.status ?? '-',
      r.bytes.toLocaleString('en-US'),
      `v${r.version}${r.outdated ? ' (old)' : ''}`,
    ]);
    if (r.i === changeAfter) rows.push(['', changeAt, 'catalogue changes', `ETag now ${etags[1]!.slice(0, 9)}…"`, '', '', '']);
  }
  out.table(rows);
  if (trace.length > shown) out.say(`… and ${trace.length - shown} more reads, counted below.`);

  const c = perClient['caching-client'] ?? { requests: 0, ok: 0, notModified: 0, bodyBytes: 0 };
  const freshReads = trace.filter((r) => r.decision === 'fresh').length;
  const firstRevalidation = trace.find((r) => r.request === 'conditional');
  const outdatedReads = trace.filter((r) => r.outdated);
  out.step(
    `${freshReads} of ${reads} reads were answered from the cache without any request`,
    `While the copy is younger than max-age (${maxAge} s) it is fresh: the client does not contact the server at all, which saves the whole round trip.`,
    { freshReads, reads, maxAge },
  );
  if (firstRevalidation) {
    const st = firstRevalidation.status;
    out.step(
      `Read ${firstRevalidation.i + 1}: age ${firstRevalidation.age} s ≥ ${maxAge} s, so stale; GET with If-None-Match answered ${st}`,
      st === 304
        ? 'A stale copy with a validator is revalidated, not thrown away: the tag still matched, so the server sent 304 with no body and the cache reused its copy, fresh again for max-age.'
        : 'The tag no longer matched what the server has, so it sent the new representation in full.',
      { read: firstRevalidation.i + 1, age: firstRevalidation.age, status: st },
    );
  }
  // The question's premise: a stale copy revalidated while the catalogue was still unchanged.
  const unchangedRevalidation = trace.find((r) => r.request === 'conditional' && r.i <= changeAfter);
  const observedChoice = unchangedRevalidation?.status === 304 ? 1 : unchangedRevalidation?.status === 200 ? 0 : -1;
  if (predicted !== undefined) {
    out.say(
      observedChoice < 0
        ? `You predicted "${choices[predicted]}". With these parameters no copy went stale before the change, so there was nothing to revalidate.`
        : predicted === observedChoice
          ? `You predicted "${choices[predicted]}": right (read ${unchangedRevalidation!.i + 1}).`
          : `You predicted "${choices[predicted]}"; the server answered ${unchangedRevalidation!.status} (read ${unchangedRevalidation!.i + 1}).`,
    );
  }
  const changed = trace.find((r) => r.version === 2 && r.request !== 'none');
  out.step(
    `After the change at t=${changeAt} s: ${outdatedReads.length} read${outdatedReads.length === 1 ? '' : 's'} got the old version from the cache`,
    outdatedReads.length
      ? 'max-age is a promise that the copy is good enough for that long: the cache does not ask, so it cannot know the resource changed. That is the price of skipping the request.'
      : 'The copy went stale (or was revalidated) before the next read, so no read saw the old version this time.',
    { changeAt, outdatedReads: outdatedReads.length },
  );
  if (changed) {
    out.step(
      `Read ${changed.i + 1}: the old ETag no longer matched: ${changed.status}, new body (${changed.bytes} B)`,
      'The ETag is derived from the bytes, so any change gives a new tag. The cache replaced its copy and stored the new ETag for the next revalidation.',
      { read: changed.i + 1, status: changed.status, bytes: changed.bytes },
    );
  } else {
    out.step(
      'No read after the change reached the server',
      `With max-age=${maxAge} the cache never went back to the server after t=${changeAt} s, so every later read got the old version.`,
      { read: null },
    );
  }

  out.heading('On the wire');
  for (const e of exchanges) {
    out.say(
      e.label === 'first read'
        ? 'The first read: nothing cached, a plain GET, a 200 with the body and both caching headers.'
        : e.label === 'revalidated'
          ? 'A revalidation: the client sends the stored ETag back; the server compares and answers 304 with no body.'
          : 'After the change: the old ETag is sent, it does not match, so the answer is 200 with a new ETag and the new body.',
    );
    out.code(`${e.request}\n\n${formatResponseHead(e.reply, ['cache-control', 'etag', 'content-length', 'content-type'])}\n\n${e.reply.body.length ? `(${e.reply.body.length} body bytes)` : '(no body)'}`);
  }

  out.heading('Totals for the same sequence of reads');
  out.table([
    ['client', 'reads', 'requests sent', '200', '304', 'body bytes'],
    ['with cache', reads, c.requests, c.ok, c.notModified, c.bodyBytes.toLocaleString('en-US')],
    ['without cache', reads, plain.requests, plain.ok, plain.notModified, plain.bodyBytes.toLocaleString('en-US')],
  ]);
  out.bars(
    [
      { label: 'with cache', value: c.bodyBytes },
      { label: 'without cache', value: plain.bodyBytes },
    ],
    'body bytes',
  );
  const saved = plain.bodyBytes ? 1 - c.bodyBytes / plain.bodyBytes : 0;
  const serverCountsMatch = c.requests === trace.filter((r) => r.request !== 'none').length && (perClient['no-cache-client']?.requests ?? 0) === plain.requests;
  out.step(
    `With the cache: ${c.requests} request${c.requests === 1 ? '' : 's'} (without: ${plain.requests}), ${(saved * 100).toFixed(0)}% fewer body bytes`,
    `Fresh reads cost nothing; each 304 cost a round trip and a few header bytes but no body. Counts are the server's own${serverCountsMatch ? ', and agree with the clients' : ''}.`,
    { cachedRequests: c.requests, plainRequests: plain.requests, cachedBodyBytes: c.bodyBytes, plainBodyBytes: plain.bodyBytes },
  );

  out.takeaways([
    'Freshness (max-age): reuse the copy without asking; fastest, but a change on the server goes unseen until the copy expires.',
    'Validation (ETag + If-None-Match): once stale, ask "still this?"; a 304 carries no body, but it still costs a round trip.',
    'An ETag that is a hash of the bytes changes whenever the content does, so a changed resource always comes back as a 200.',
    'Pick max-age by how stale a read may be; use no-cache to always revalidate, no-store to never keep a copy.',
  ]);

  return {
    reads,
    maxAge,
    changeAt,
    etags,
    trace: trace.map((r) => ({ ...r })),
    caching: { ...c, freshReads },
    plain,
    outdatedReads: outdatedReads.length,
    firstRevalidationStatus: firstRevalidation?.status ?? null,
    changedStatus: changed?.status ?? null,
    serverCountsMatch,
    predictedRight: predicted === undefined || observedChoice < 0 ? null : observedChoice === predicted,
  };
}
