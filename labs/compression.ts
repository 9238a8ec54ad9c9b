/**
 * Lab: HTTP compression. A real server on 127.0.0.1 negotiates Content-Encoding from Accept-Encoding
 * (q-values honoured) and compresses with node:zlib; the client decodes and checks every byte. Then gzip,
 * deflate and brotli at several levels on seeded JSON, repetitive HTML, random bytes and already-compressed
 * bytes: sizes, ratios and time. Then small bodies, where compression only adds bytes.
 */
import { brotliCompressSync, brotliDecompressSync, constants, deflateSync, gzipSync, gunzipSync, inflateSync } from 'node:zlib';
import { startServer } from '../src/labs/http-harness.js';
import { headerValue, sendRequest } from '../src/labs/http-wire-client.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

type Coding = 'br' | 'gzip' | 'deflate' | 'identity';

/** The server's own order when the client likes several codings equally. */
const SERVER_PREFERENCE: readonly Coding[] = ['br', 'gzip', 'deflate', 'identity'];

export interface Negotiation {
  /** null: nothing acceptable (406). */
  readonly coding: Coding | null;
  readonly reason: string;
}

/**
 * Accept-Encoding (RFC 9110 §12.5.3): codings with weights, q=0 refuses, * stands for any coding not listed.
 * The highest weight wins whatever the order; ties go to the server's preference. identity (no encoding)
 * is the fallback, acceptable unless refused by name or by *;q=0; 406 when nothing is acceptable.
 */
export function negotiate(header: string | undefined): Negotiation {
  if (header === undefined) return { coding: 'identity', reason: 'no Accept-Encoding: sent as is' };
  const weights = new Map<string, number>();
  for (const item of header.split(',')) {
    const [token = '', ...params] = item.split(';').map((s) => s.trim());
    if (!token) continue;
    const qParam = params.find((p) => p.toLowerCase().startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    weights.set(token.toLowerCase(), Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0);
  }
  const star = weights.get('*');
  const supported = SERVER_PREFERENCE.filter((c) => c !== 'identity');
  const described = supported
    .map((c) => (weights.has(c) ? `${c}=${weights.get(c)}` : star !== undefined ? `${c}=${star} via *` : `${c} unlisted`))
    .join(', ');
  const candidates = SERVER_PREFERENCE.filter((c) => c !== 'identity' || weights.has('identity'))
    .map((c) => ({ c, q: weights.get(c) ?? star ?? 0 }))
    .filter((x) => x.q > 0);
  if (candidates.length) {
    const best = Math.max(...candidates.map((x) => x.q));
    const top = candidates.filter((x) => x.q === best);
    const decision = top.length > 1 ? `${top.map((x) => x.c).join(', ')} tie at ${best}: server prefers ${top[0]!.c}` : `${top[0]!.c} has the highest q`;
    return { coding: top[0]!.c, reason: `${described}; ${decision}` };
  }
  const identity = weights.get('identity') ?? star;
  if (identity === undefined || identity > 0) return { coding: 'identity', reason: `${described}; none acceptable, so identity` };
  return { coding: null, reason: `${described}; identity refused too` };
}

function encode(coding: Coding, body: Buffer, level?: number): Buffer {
  switch (coding) {
    case 'br':
      return brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: level ?? 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
      });
    case 'gzip':
      return gzipSync(body, { level: level ?? 6 });
    case 'deflate':
      return deflateSync(body, { level: level ?? 6 });
    default:
      return body;
  }
}

function decode(coding: string | undefined, body: Buffer): Buffer {
  if (coding === 'br') return brotliDecompressSync(body);
  if (coding === 'gzip') return gunzipSync(body);
  if (coding === 'deflate') return inflateSync(body);
  return body;
}

const NAMES = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Ken Thompson', 'Margaret Hamilton', 'Donald Knuth'];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'refunded'];
const TAGS = ['gift', 'express', 'fragile', 'bulk', 'priority', 'eco'];

function makeJson(rng: () => number, bytes: number): Buffer {
  const rows: string[] = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const row = JSON.stringify({
      id: 100_000 + i,
      customer: NAMES[Math.floor(rng() * NAMES.length)],
      status: STATUSES[Math.floor(rng() * STATUSES.length)],
      total: Math.round(rng() * 50_000) / 100,
      items: 1 + Math.floor(rng() * 9),
      tags: TAGS.filter(() => rng() < 0.25),
      createdAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(rng() * 3e10)).toISOString(),
    });
    rows.push(row);
    size += row.length + 1;
  }
  return Buffer.from(`[${rows.join(',')}]`);
}

function makeHtml(rng: () => number, bytes: number): Buffer {
  const head = '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Orders</title><link rel="stylesheet" href="/app.css"></head>\n<body>\n<table class="orders">\n';
  const rows: string[] = [];
  let size = head.length + 30;
  for (let i = 0; size < bytes; i++) {
    const status = STATUSES[Math.floor(rng() * STATUSES.length)];
    const row = `  <tr class="order-row"><td class="order-id"><a href="/orders/${100_000 + i}">#${100_000 + i}</a></td><td class="customer">${NAMES[Math.floor(rng() * NAMES.length)]}</td><td class="status status-${status}">${status}</td><td class="total">$${(rng() * 500).toFixed(2)}</td></tr>\n`;
    rows.push(row);
    size += row.length;
  }
  return Buffer.from(`${head}${rows.join('')}</table>\n</body>\n</html>\n`);
}

function makeRandom(rng: () => number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = Math.floor(rng() * 256);
  return b;
}

/** Compress and time it: repeat quick runs (up to 5) and keep the fastest, so one hiccup does not dominate. */
function timed(fn: () => Buffer): { out: Buffer; ms: number } {
  let best = Infinity;
  let out: Buffer = Buffer.alloc(0);
  let total = 0;
  for (let i = 0; i < 5 && total < 40; i++) {
    const t = performance.now();
    out = fn();
    const ms = performance.now() - t;
    best = Math.min(best, ms);
    total += ms;
  }
  return { out, ms: best };
}

interface Setting {
  readonly coding: Exclude<Coding, 'identity'>;
  readonly level: number;
  readonly label: string;
}

const SETTINGS: readonly Setting[] = [
  { coding: 'gzip', level: 1, label: 'gzip -1' },
  { coding: 'gzip', level: 6, label: 'gzip -6' },
  { coding: 'gzip', level: 9, label: 'gzip -9' },
  { coding: 'deflate', level: 6, label: 'deflate -6' },
  { coding: 'br', level: 1, label: 'br q1' },
  { coding: 'br', level: 5, label: 'br q5' },
  { coding: 'br', level: 11, label: 'br q11' },
];

const fmt = (n: number) => n.toLocaleString('en-US');
/** Below 1 the output grew: keep the third decimal so 0.999× does not read as 1.00×. */
const ratioText = (r: number) => `${r < 1 ? r.toFixed(3) : r.toFixed(2)}×`;

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const kb = Math.max(4, Math.min(512, Math.round(ctx.params.kb ?? 32)));
  const minBytes = Math.max(0, Math.min(65_536, Math.round(ctx.params.minBytes ?? 1024)));

  const json = makeJson(ctx.rng, kb * 1024);
  const html = makeHtml(ctx.rng, kb * 1024);
  const random = makeRandom(ctx.rng, kb * 1024);
  const jsonGz = gzipSync(json, { level: 6 });
  const small = Buffer.from('{"ok":true}');

  // The server: negotiates a coding, then applies the usual policy: only text types, only above a size.
  const log: { path: string; acceptEncoding: string | null; coding: string; reason: string }[] = [];
  const resources: Record<string, { body: Buffer; type: string; compressible: boolean }> = {
    '/orders.json': { body: json, type: 'application/json', compressible: true },
    '/orders.html': { body: html, type: 'text/html; charset=utf-8', compressible: true },
    '/photo.bin': { body: random, type: 'application/octet-stream', compressible: false },
    '/ok.json': { body: small, type: 'application/json', compressible: true },
  };
  const server = await startServer(ctx, (req, res) => {
    const path = req.url ?? '/';
    const r = resources[path];
    if (!r) {
      res.writeHead(404);
      res.end();
      return;
    }
    const ae = headerValue(req.headers, 'accept-encoding');
    const n = negotiate(ae);
    let coding = n.coding;
    let reason = n.reason;
    if (coding && coding !== 'identity' && !r.compressible) [coding, reason] = ['identity', `policy: ${r.type} is not a text type, sent as is`];
    else if (coding && coding !== 'identity' && r.body.length < minBytes) [coding, reason] = ['identity', `policy: body under ${fmt(minBytes)} B, sent as is`];
    log.push({ path, acceptEncoding: ae ?? null, coding: coding ?? '406', reason });
    // The response depends on Accept-Encoding: caches must key on it.
    res.setHeader('Vary', 'Accept-Encoding');
    if (!coding) {
      res.writeHead(406, { 'Content-Type': 'text/plain' });
      res.end('Not Acceptable\n');
      return;
    }
    const wire = encode(coding, r.body);
    res.writeHead(200, { 'Content-Type': r.type, 'Content-Length': wire.length, ...(coding !== 'identity' ? { 'Content-Encoding': coding } : {}) });
    res.end(wire);
  });

  out.say(
    `Payloads, generated from the seed: ${fmt(json.length)} B of JSON orders, ${fmt(html.length)} B of repetitive HTML, ${fmt(random.length)} B of random bytes (like a JPEG or a zip: no redundancy left), and an 11-byte {"ok":true}.`,
  );

  out.heading('1. Negotiation: Accept-Encoding against a real server');
  out.say(
    `The server supports br, gzip and deflate (preferring them in that order on a tie), compresses only text types and only bodies of at least ${fmt(minBytes)} B, and always sends Vary: Accept-Encoding. The client decodes what it gets and compares it with the original.`,
  );
  const cases: { path: string; ae: string | undefined }[] = [
    { path: '/orders.json', ae: 'br;q=1.0, gzip;q=0.8' },
    { path: '/orders.json', ae: 'br;q=0.5, gzip;q=1.0' },
    { path: '/orders.json', ae: 'gzip, deflate, br' },
    { path: '/orders.json', ae: 'br;q=0, *' },
    { path: '/orders.json', ae: 'deflate;q=0.5' },
    { path: '/orders.json', ae: undefined },
    { path: '/orders.json', ae: '*;q=0' },
    { path: '/ok.json', ae: 'br, gzip' },
    { path: '/photo.bin', ae: 'br, gzip' },
  ];
  const negotiated: { path: string; acceptEncoding: string | null; status: number; contentEncoding: string | null; vary: string | null; wireBytes: number; originalBytes: number; verified: boolean }[] = [];
  for (const c of cases) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const reply = await sendRequest(ctx, server.port, { path: c.path, headers: c.ae === undefined ? {} : { 'Accept-Encoding': c.ae } });
    const entry = log.at(-1)!;
    const ce = headerValue(reply.headers, 'content-encoding');
    const original = resources[c.path]!.body;
    const verified = reply.status === 200 && decode(ce, reply.body).equals(original);
    negotiated.push({
      path: c.path,
      acceptEncoding: c.ae ?? null,
      status: reply.status,
      contentEncoding: ce ?? null,
      vary: headerValue(reply.headers, 'vary') ?? null,
      wireBytes: reply.body.length,
      originalBytes: original.length,
      verified,
    });
    const got = reply.status === 200 ? `${ce ?? 'identity'}, ${fmt(reply.body.length)} B` : `${reply.status} ${reply.statusText}`;
    out.step(
      `${c.path} ${c.ae === undefined ? '(no Accept-Encoding)' : `"${c.ae}"`} → ${got}`,
      `${entry.reason}.${reply.status === 200 ? ` ${ce ? `Decoded: ${verified ? 'identical to' : 'DIFFERENT from'}` : verified ? 'Identical to' : 'DIFFERENT from'} the ${fmt(original.length)}-byte original.` : ' The server has no representation the client accepts.'}`,
      { ...negotiated.at(-1)! },
    );
  }

  out.heading('2. Codecs and levels on different payloads');
  let predicted: number | undefined;
  const choices = ['much smaller: about half', 'a little smaller: about 90%', 'no smaller: the same size or a little larger'];
  if (ctx.prompts) predicted = await ctx.prompts.predictChoice(`gzip on ${fmt(random.length)} random bytes: how big is the output?`, choices);

  const payloads = [
    { id: 'json', label: 'JSON', body: json, text: true },
    { id: 'html', label: 'HTML', body: html, text: true },
    { id: 'random', label: 'random', body: random, text: false },
    { id: 'json.gz', label: 'JSON.gz', body: jsonGz, text: false },
  ];
  const results: { payload: string; setting: string; coding: string; level: number; bytes: number; ratio: number; ms: number }[] = [];
  // Warm up each codec once so the first measurement does not pay for loading and JIT.
  for (const s of SETTINGS) encode(s.coding, json.subarray(0, 4096), s.level);
  for (const s of SETTINGS) {
    for (const p of payloads) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // Brotli 11 is slow (hundreds of ms on a busy machine): run it on the text payloads only.
      if (s.level === 11 && !p.text) continue;
      const { out: z, ms } = timed(() => encode(s.coding, p.body, s.level));
      results.push({ payload: p.id, setting: s.label, coding: s.coding, level: s.level, bytes: z.length, ratio: p.body.length / z.length, ms });
    }
  }
  const cell = (p: string, s: string) => results.find((r) => r.payload === p && r.setting === s)!;
  const has = (p: string, s: string) => results.some((r) => r.payload === p && r.setting === s);
  out.say(`Compressed size in bytes, and the ratio (original ÷ compressed). Originals: ${payloads.map((p) => `${p.label} ${fmt(p.body.length)}`).join(', ')}.`);
  out.table([
    ['codec', ...payloads.map((p) => p.label)],
    ...SETTINGS.map((s) => [s.label, ...payloads.map((p) => (has(p.id, s.label) ? `${fmt(cell(p.id, s.label).bytes)} ${ratioText(cell(p.id, s.label).ratio)}` : 'not run'))]),
  ]);
  out.say('Time to compress, in ms (fastest of up to 5 runs, this machine):');
  out.table([['codec', ...payloads.map((p) => p.label)], ...SETTINGS.map((s) => [s.label, ...payloads.map((p) => (has(p.id, s.label) ? cell(p.id, s.label).ms.toFixed(2) : '-'))])]);

  const g6 = (p: string) => cell(p, 'gzip -6');
  out.bars(
    payloads.map((p) => ({ label: `${p.label} gzip -6`, value: Math.round(g6(p.id).ratio * 100) / 100 })),
    '×',
  );
  const rnd = g6('random');
  const growth = rnd.bytes - random.length;
  const observedChoice = rnd.bytes >= random.length * 0.99 ? 2 : rnd.bytes >= random.length * 0.8 ? 1 : 0;
  out.step(
    `Random bytes: gzip -6 gave ${fmt(rnd.bytes)} B for ${fmt(random.length)} B (${growth >= 0 ? '+' : ''}${fmt(growth)} B)`,
    'Compression finds repeats and skewed byte frequencies; random data has neither, so all that is left is the format overhead. The same holds for JPEG, MP4 or an already gzipped body.',
    { payload: 'random', bytes: rnd.bytes, original: random.length, growth },
  );
  if (predicted !== undefined) out.say(predicted === observedChoice ? `You predicted "${choices[predicted]}": right.` : `You predicted "${choices[predicted]}"; it came out ${fmt(rnd.bytes)} B for ${fmt(random.length)} B.`);
  const gz = g6('json.gz');
  out.step(
    `Already gzipped JSON: ${fmt(jsonGz.length)} B → ${fmt(gz.bytes)} B with gzip again`,
    gz.bytes >= jsonGz.length ? 'Compressing compressed data only adds a header: no gain, only CPU.' : `${fmt(jsonGz.length - gz.bytes)} B saved: almost nothing for the CPU spent.`,
    { payload: 'json.gz', bytes: gz.bytes, original: jsonGz.length },
  );
  const text = (['json', 'html'] as const).map((p) => ({ p, best: results.filter((r) => r.payload === p).sort((a, b) => a.bytes - b.bytes)[0]! }));
  for (const { p, best } of text) {
    const g = g6(p);
    const b5 = cell(p, 'br q5');
    const b11 = cell(p, 'br q11');
    out.step(
      `${p.toUpperCase()}: gzip -6 ${g.ratio.toFixed(1)}× in ${g.ms.toFixed(2)} ms; br q5 ${b5.ratio.toFixed(1)}×; smallest: ${best.setting} (${best.ratio.toFixed(1)}×)`,
      `${g.ratio >= 2 ? 'Text with repeated keys and markup shrinks several times over.' : `Only ${g.ratio.toFixed(1)}× for text this time.`} br q11 took ${b11.ms.toFixed(1)} ms here, ${(b11.ms / Math.max(g.ms, 0.001)).toFixed(0)}× gzip -6: fine once at build time for static files, costly on every dynamic response.`,
      { payload: p, gzip6Ratio: g.ratio, br5Ratio: b5.ratio, br11Ms: b11.ms, gzip6Ms: g.ms, smallest: best.setting },
    );
  }

  out.heading('3. Small bodies');
  const sizes = [11, 64, 128, 256, 512, 1024, 2048];
  const smallRows: { bytes: number; gzip: number; deflate: number; br: number }[] = sizes.map((n) => {
    const b = n === 11 ? small : json.subarray(0, n);
    return { bytes: b.length, gzip: encode('gzip', b).length, deflate: encode('deflate', b).length, br: encode('br', b).length };
  });
  out.say('The first N bytes of the JSON (and {"ok":true}), compressed at the server\'s levels:');
  out.table([
    ['body B', 'gzip B', 'deflate B', 'br B', 'gzip saves'],
    ...smallRows.map((r) => [r.bytes, r.gzip, r.deflate, r.br, r.gzip < r.bytes ? `${fmt(r.bytes - r.gzip)} B` : `none (+${r.gzip - r.bytes} B)`]),
  ]);
  const ok = smallRows[0]!;
  const firstWin = smallRows.find((r) => r.gzip < r.bytes);
  out.step(
    `{"ok":true}: ${ok.bytes} B → gzip ${ok.gzip} B, deflate ${ok.deflate} B, br ${ok.br} B`,
    'gzip wraps the data in a 10-byte header and an 8-byte trailer; on a tiny body there is nothing to win back, and one TCP packet carries ~1,400 B either way.',
    { ...ok },
  );
  out.step(
    firstWin ? `gzip first saved bytes at ${fmt(firstWin.bytes)} B of this JSON` : 'gzip saved nothing at any of these sizes',
    `That is why servers skip small bodies (Express's compression middleware: 1 kB by default; this server: ${fmt(minBytes)} B) and non-text types.`,
    { firstSavingAt: firstWin?.bytes ?? null },
  );

  out.takeaways([
    'The client lists codings with q-weights in Accept-Encoding; the server picks by weight (order does not matter), labels the body with Content-Encoding and sends Vary: Accept-Encoding.',
    'JSON and HTML shrink several times over; random or already-compressed bytes do not shrink at all.',
    'Higher levels buy a little size for a lot of CPU: brotli 11 is for pre-compressed static files, a mid level for dynamic responses.',
    'Skip tiny bodies and compressed formats: the format overhead and the CPU outweigh any saving.',
  ]);

  return {
    sizes: { json: json.length, html: html.length, random: random.length, jsonGz: jsonGz.length },
    negotiated,
    results: results.map((r) => ({ ...r, ratio: Math.round(r.ratio * 1000) / 1000, ms: Math.round(r.ms * 1000) / 1000 })),
    small: smallRows,
    predictedRight: predicted === undefined ? null : predicted === observedChoice,
  };
}
