/**
 * Lab: serialization. N seeded user records encoded as JSON and as a schema-driven binary format built here
 * (protobuf-style: field numbers, wire types, varints, zigzag, length-prefixed strings), sizes and times
 * measured, gzip included (real zlib). Then JSON's data-model losses, each one executed and printed. Then
 * forward compatibility over real HTTP: a v2 server adds a field; a lenient v1 client, a strict v1 client
 * and a v1 binary decoder each read it.
 */
import { gzipSync } from 'node:zlib';
import { sendHttp } from '../src/labs/http-any-method.js';
import { startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

export interface UserRecord {
  id: bigint;
  name: string;
  email: string;
  age: number;
  balanceCents: number;
  score: number;
  active: boolean;
  tags: string[];
  createdAt: Date;
  /** Added in schema v2. */
  phone?: string;
}

type FieldType = 'u64' | 'string' | 'uint' | 'sint' | 'double' | 'bool' | 'strings' | 'date';
interface Field {
  readonly no: number;
  readonly name: keyof UserRecord;
  readonly type: FieldType;
}

/** Wire types, as in protobuf: 0 varint, 1 eight fixed bytes, 2 length-prefixed bytes. */
const WIRE: Record<FieldType, 0 | 1 | 2> = { u64: 1, string: 2, uint: 0, sint: 0, double: 1, bool: 0, strings: 2, date: 0 };

const SCHEMA_V1: readonly Field[] = [
  { no: 1, name: 'id', type: 'u64' },
  { no: 2, name: 'name', type: 'string' },
  { no: 3, name: 'email', type: 'string' },
  { no: 4, name: 'age', type: 'uint' },
  { no: 5, name: 'balanceCents', type: 'sint' },
  { no: 6, name: 'score', type: 'double' },
  { no: 7, name: 'active', type: 'bool' },
  { no: 8, name: 'tags', type: 'strings' },
  { no: 9, name: 'createdAt', type: 'date' },
];
const SCHEMA_V2: readonly Field[] = [...SCHEMA_V1, { no: 10, name: 'phone', type: 'string' }];

/** A growable byte buffer with varint writers. */
class Writer {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;
  ensure(n: number) {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  varint(n: number) {
    // Seven bits per byte, low bits first; the high bit says "more follows". Safe up to 2^53.
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  string(s: string) {
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  bytes() {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads what Writer writes: a cursor over the bytes. */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(): number {
    let result = 0;
    let mul = 1;
    let b: number;
    do {
      b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return result;
  }
}

const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** Each record: varint length, then (field number << 3 | wire type) keys and values, fields in schema order. */
export function encodeBinary(records: readonly UserRecord[], schema: readonly Field[]): Buffer {
  const out = new Writer();
  const rec = new Writer();
  for (const r of records) {
    rec.pos = 0;
    for (const f of schema) {
      const v = r[f.name];
      if (v === undefined) continue; // absent fields cost nothing
      const key = f.no * 8 + WIRE[f.type];
      if (f.type === 'strings') {
        for (const s of v as string[]) {
          rec.varint(key);
          rec.string(s);
        }
        continue;
      }
      rec.varint(key);
      switch (f.type) {
        case 'u64':
          rec.ensure(8);
          rec.pos = rec.buf.writeBigUInt64LE(v as bigint, rec.pos);
          break;
        case 'double':
          rec.ensure(8);
          rec.pos = rec.buf.writeDoubleLE(v as number, rec.pos);
          break;
        case 'string':
          rec.string(v as string);
          break;
        case 'uint':
          rec.varint(v as number);
          break;
        case 'sint':
          rec.varint(zigzag(v as number));
          break;
        case 'bool':
          rec.varint(v ? 1 : 0);
          break;
        case 'date':
          rec.varint((v as Date).getTime());
          break;
      }
    }
    out.varint(rec.pos);
    out.ensure(rec.pos);
    rec.buf.copy(out.buf, out.pos, 0, rec.pos);
    out.pos += rec.pos;
  }
  return Buffer.from(out.bytes());
}

export interface Decoded {
  readonly records: UserRecord[];
  /** Fields whose number the reader's schema does not know, skipped by wire type. */
  readonly skipped: number;
  readonly skippedBytes: number;
}

export function decodeBinary(buf: Buffer, schema: readonly Field[]): Decoded {
  const byNo = new Map(schema.map((f) => [f.no, f]));
  const records: UserRecord[] = [];
  const read = new Reader(buf);
  let skipped = 0;
  let skippedBytes = 0;
  while (read.pos < buf.length) {
    const end = read.varint() + read.pos;
    const r: UserRecord = { id: 0n, name: '', email: '', age: 0, balanceCents: 0, score: 0, active: false, tags: [], createdAt: new Date(0) };
    while (read.pos < end) {
      const key = read.varint();
      const f = byNo.get(Math.floor(key / 8));
      const wire = key % 8;
      if (!f) {
        // Unknown field: the wire type alone says how many bytes to skip. This is forward compatibility.
        const start = read.pos;
        if (wire === 0) read.varint();
        else if (wire === 1) read.pos += 8;
        else if (wire === 2) {
          const len = read.varint();
          read.pos += len;
        } else throw new Error(`wire type ${wire} unknown`);
        skipped++;
        skippedBytes += read.pos - start;
        continue;
      }
      switch (f.type) {
        case 'u64':
          r.id = buf.readBigUInt64LE(read.pos);
          read.pos += 8;
          break;
        case 'double':
          (r[f.name] as number) = buf.readDoubleLE(read.pos);
          read.pos += 8;
          break;
        case 'string': {
          const len = read.varint();
          (r[f.name] as string) = buf.toString('utf8', read.pos, read.pos + len);
          read.pos += len;
          break;
        }
        case 'strings': {
          const len = read.varint();
          r.tags.push(buf.toString('utf8', read.pos, read.pos + len));
          read.pos += len;
          break;
        }
        case 'uint':
          (r[f.name] as number) = read.varint();
          break;
        case 'sint':
          (r[f.name] as number) = unzigzag(read.varint());
          break;
        case 'bool':
          r.active = read.varint() === 1;
          break;
        case 'date':
          r.createdAt = new Date(read.varint());
          break;
      }
    }
    records.push(r);
  }
  return { records, skipped, skippedBytes };
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Zoë', 'José', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Søren', 'Yukihiro'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Müller', 'García', 'Torvalds', 'Liskov', 'Thompson', 'Hamilton', 'Ritchie'];
const TAGS = ['admin', 'beta', 'newsletter', 'vip', 'trial', 'support'];
/** Twitter's snowflake epoch: ids are (ms since it) << 22 | worker << 12 | sequence, ~2^60 today. */
const SNOWFLAKE_EPOCH = 1_288_834_974_657;

export function makeRecords(rng: () => number, n: number): UserRecord[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
  const base = Date.UTC(2024, 0, 1);
  const out: UserRecord[] = [];
  for (let i = 0; i < n; i++) {
    const created = base + Math.floor(rng() * 365 * 86_400_000);
    const first = pick(FIRST);
    const last = pick(LAST);
    const tags = TAGS.filter(() => rng() < 0.25);
    out.push({
      id: (BigInt(created - SNOWFLAKE_EPOCH) << 22n) | (BigInt(Math.floor(rng() * 1024)) << 12n) | BigInt(i % 4096),
      name: `${first} ${last}`,
      email: `${first}.${last}${i}@example.com`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase(),
      age: 18 + Math.floor(rng() * 70),
      balanceCents: Math.floor(rng() * 600_000) - 100_000,
      score: Math.round(rng() * 100_000) / 100,
      active: rng() < 0.7,
      tags,
      createdAt: new Date(created),
    });
  }
  return out;
}

/** JSON has no 64-bit integer or date: ids travel as strings (the usual fix), dates as ISO strings. */
export function encodeJson(records: readonly UserRecord[]): string {
  return JSON.stringify(records.map((r) => ({ ...r, id: String(r.id) })));
}
interface JsonUser extends Omit<UserRecord, 'id' | 'createdAt'> {
  id: string;
  createdAt: string;
}
export function decodeJson(text: string): UserRecord[] {
  return (JSON.parse(text) as JsonUser[]).map((u) => ({ ...u, id: BigInt(u.id), createdAt: new Date(u.createdAt) }));
}

const same = (a: UserRecord, b: UserRecord) =>
  a.id === b.id &&
  a.name === b.name &&
  a.email === b.email &&
  a.age === b.age &&
  a.balanceCents === b.balanceCents &&
  a.score === b.score &&
  a.active === b.active &&
  a.tags.join('\u0000') === b.tags.join('\u0000') &&
  a.createdAt.getTime() === b.createdAt.getTime();

/** Best of two runs after a warm-up run, in ms. Between runs the event loop gets a turn, for Ctrl-C. */
async function bestOf<T>(fn: () => T, signal: AbortSignal): Promise<{ ms: number; value: T }> {
  let best = Infinity;
  let value = fn();
  for (let i = 0; i < 2; i++) {
    await new Promise((r) => setImmediate(r));
    if (signal.aborted) throw signal.reason;
    const t0 = performance.now();
    value = fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, value };
}

/** Walk one encoded record and name every key and value: the bytes explained. */
function annotate(buf: Buffer, schema: readonly Field[]): string[][] {
  const rows: string[][] = [['key', 'field', 'wire', 'bytes', 'value']];
  const wireName = ['varint', 'fixed64', 'len'];
  const read = new Reader(buf);
  const end = read.varint() + read.pos;
  const hex = (from: number, to: number) => {
    const h = [...buf.subarray(from, Math.min(to, from + 6))].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return to - from > 6 ? `${h} …` : h;
  };
  while (read.pos < end) {
    const k0 = read.pos;
    const key = read.varint();
    const f = schema.find((x) => x.no === Math.floor(key / 8));
    const wire = key % 8;
    const v0 = read.pos;
    let value = '';
    if (wire === 0) {
      const n = read.varint();
      value = f?.type === 'sint' ? String(unzigzag(n)) : f?.type === 'date' ? new Date(n).toISOString().slice(0, 10) : f?.type === 'bool' ? String(n === 1) : String(n);
    } else if (wire === 1) {
      value = f?.type === 'u64' ? String(buf.readBigUInt64LE(read.pos)) : String(buf.readDoubleLE(read.pos));
      read.pos += 8;
    } else {
      const len = read.varint();
      value = JSON.stringify(buf.toString('utf8', read.pos, read.pos + len));
      read.pos += len;
    }
    rows.push([hex(k0, v0), `${Math.floor(key / 8)} ${f?.name ?? '?'}`, wireName[wire] ?? '?', `${hex(v0, read.pos)}`, value.length > 22 ? `${value.slice(0, 21)}…` : value]);
  }
  return rows;
}

interface Loss {
  readonly id: string;
  /** Short, for the step line: what went in. */
  readonly label: string;
  readonly expr: string;
  readonly result: string;
  readonly why: string;
}

/** Each of JSON's classic losses, executed now; `result` is what this Node printed. */
function jsonLosses(): Loss[] {
  const show = (fn: () => unknown): string => {
    try {
      const v = fn();
      return typeof v === 'string' ? v : String(v);
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const at = new Date(Date.UTC(2024, 2, 10, 12));
  const roundTripped = JSON.parse(JSON.stringify({ at })) as { at: unknown };
  return [
    {
      id: 'bigint-precision',
      label: 'id 9007199254740993',
      expr: `JSON.parse('{"id":9007199254740993}').id`,
      result: show(() => (JSON.parse('{"id":9007199254740993}') as { id: number }).id),
      why: 'JSON numbers become IEEE-754 doubles: above 2^53 (9007199254740992) not every integer exists, so the id silently becomes a neighbour. No error.',
    },
    {
      id: 'date-to-string',
      label: 'a Date',
      expr: 'JSON.stringify({ at: new Date(Date.UTC(2024, 2, 10, 12)) })',
      result: show(() => JSON.stringify({ at })),
      why: 'Date has a toJSON method that returns an ISO 8601 string; JSON has no date type.',
    },
    {
      id: 'date-comes-back-string',
      label: 'typeof the date, parsed back',
      expr: 'typeof JSON.parse(that).at',
      result: show(() => typeof roundTripped.at),
      why: `Nothing marks the string as a date, so it comes back a string; calling .getTime() on it here gave: ${show(() => (roundTripped.at as Date).getTime()).replace(/: .*/, '')}.`,
    },
    {
      id: 'undefined-dropped',
      label: '{ a: 1, b: undefined }',
      expr: 'JSON.stringify({ a: 1, b: undefined })',
      result: show(() => JSON.stringify({ a: 1, b: undefined })),
      why: 'A key whose value is undefined (or a function) is left out: "cleared" and "absent" become the same thing.',
    },
    {
      id: 'undefined-in-array',
      label: '[1, undefined]',
      expr: 'JSON.stringify([1, undefined])',
      result: show(() => JSON.stringify([1, undefined])),
      why: 'In an array it cannot be left out without shifting the others, so it becomes null.',
    },
    {
      id: 'nan-to-null',
      label: 'NaN and Infinity',
      expr: 'JSON.stringify({ n: NaN, i: Infinity })',
      result: show(() => JSON.stringify({ n: NaN, i: Infinity })),
      why: 'JSON has no NaN or Infinity: both become null, and a reader cannot tell them from a real null.',
    },
    {
      id: 'map-set-to-object',
      label: 'a Map and a Set',
      expr: "JSON.stringify({ m: new Map([['a', 1]]), s: new Set([1]) })",
      result: show(() => JSON.stringify({ m: new Map([['a', 1]]), s: new Set([1]) })),
      why: 'Map and Set keep their entries internally, not as own enumerable properties, so they serialize as empty objects: the data is gone.',
    },
    {
      id: 'bigint-throws',
      label: 'a BigInt',
      expr: 'JSON.stringify({ id: 1n })',
      result: show(() => JSON.stringify({ id: 1n })),
      why: 'BigInt is the one type JSON.stringify refuses outright: add a replacer (or BigInt.prototype.toJSON) that turns it into a string.',
    },
  ];
}

/** A v1 client that reads the fields it knows and ignores the rest (the robustness principle). */
function lenientV1(text: string): { user: Record<string, unknown>; ignored: string[] } {
  const body = JSON.parse(text) as Record<string, unknown>;
  const known = new Set(SCHEMA_V1.map((f) => f.name as string));
  const user = Object.fromEntries(Object.entries(body).filter(([k]) => known.has(k)));
  return { user, ignored: Object.keys(body).filter((k) => !known.has(k)) };
}

/** A v1 client that rejects unknown fields (additionalProperties: false, Go's DisallowUnknownFields). */
function strictV1(text: string): Record<string, unknown> {
  const body = JSON.parse(text) as Record<string, unknown>;
  const known = new Set(SCHEMA_V1.map((f) => f.name as string));
  for (const k of Object.keys(body)) if (!known.has(k)) throw new Error(`unknown field "${k}"`);
  return body;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const n = Math.max(100, Math.round(ctx.params.records ?? 5000));
  const records = makeRecords(ctx.rng, n);

  out.say(
    `${n.toLocaleString('en-US')} seeded user records (64-bit snowflake id, name, email, age, signed balance, score, flag, tags, creation date), encoded as JSON and as a binary format built in this lab: protobuf-style field numbers and wire types, varints, zigzag for signed numbers, length-prefixed UTF-8.`,
  );

  out.heading('1. One record, byte by byte');
  const one = encodeBinary([records[0]!], SCHEMA_V1);
  const oneJson = encodeJson([records[0]!]).slice(1, -1);
  out.code(oneJson.length > 76 ? oneJson.replace(/,"(?=email|balanceCents|active|createdAt)/g, ',\n"') : oneJson);
  out.table(annotate(one, SCHEMA_V1));
  out.step(
    `The same record: ${Buffer.byteLength(oneJson)} bytes of JSON, ${one.length} bytes binary`,
    'Binary keys are one byte (field number × 8 + wire type) instead of quoted names; small integers are varints of 1–3 bytes; the id is 8 raw bytes instead of 19–20 digits in quotes. The schema, not the payload, says what field 4 means.',
    { jsonBytes: Buffer.byteLength(oneJson), binaryBytes: one.length },
  );

  out.heading(`2. Size and speed for ${n.toLocaleString('en-US')} records`);
  let guessSmaller: number | undefined;
  if (ctx.prompts) {
    guessSmaller = await ctx.prompts.predictChoice('after gzip, how does the binary payload compare with the JSON one?', [
      'binary is still less than half the size',
      'binary is somewhat smaller, but the gap shrinks a lot',
      'JSON is smaller',
    ]);
  }
  const jsonEnc = await bestOf(() => encodeJson(records), ctx.signal);
  const binEnc = await bestOf(() => encodeBinary(records, SCHEMA_V1), ctx.signal);
  const jsonDec = await bestOf(() => decodeJson(jsonEnc.value), ctx.signal);
  const binDec = await bestOf(() => decodeBinary(binEnc.value, SCHEMA_V1).records, ctx.signal);
  const jsonBytes = Buffer.byteLength(jsonEnc.value);
  const binBytes = binEnc.value.length;
  const jsonGz = gzipSync(jsonEnc.value).length;
  const binGz = gzipSync(binEnc.value).length;
  const jsonOk = jsonDec.value.filter((r, i) => same(r, records[i]!)).length;
  const binOk = binDec.value.filter((r, i) => same(r, records[i]!)).length;
  out.table([
    ['format', 'bytes', 'per record', 'gzip', 'encode', 'decode', 'round-trip'],
    ['JSON', kb(jsonBytes), (jsonBytes / n).toFixed(1), kb(jsonGz), ms(jsonEnc.ms), ms(jsonDec.ms), `${jsonOk}/${n}`],
    ['binary', kb(binBytes), (binBytes / n).toFixed(1), kb(binGz), ms(binEnc.ms), ms(binDec.ms), `${binOk}/${n}`],
  ]);
  out.bars(
    [
      { label: 'JSON', value: Math.round(jsonBytes / 1024) },
      { label: 'binary', value: Math.round(binBytes / 1024) },
      { label: 'JSON, gzip', value: Math.round(jsonGz / 1024) },
      { label: 'binary, gzip', value: Math.round(binGz / 1024) },
    ],
    'KiB',
  );
  const rawRatio = jsonBytes / binBytes;
  const gzRatio = jsonGz / binGz;
  out.step(
    `Binary is ${(100 - (100 * binBytes) / jsonBytes).toFixed(0)}% smaller raw (JSON ${rawRatio.toFixed(2)}×), ${(100 - (100 * binGz) / jsonGz).toFixed(0)}% after gzip (${gzRatio.toFixed(2)}×)`,
    "JSON repeats every key name in every record; gzip removes most of that repetition, so compression narrows the gap. What remains is digits-as-text versus varints, and quotes and punctuation.",
    { jsonBytes, binBytes, jsonGz, binGz },
  );
  if (guessSmaller !== undefined) {
    const actual = binGz * 2 < jsonGz ? 0 : binGz < jsonGz ? 1 : 2;
    out.say(guessSmaller === actual ? 'Your prediction matched.' : `Not quite: after gzip JSON is ${kb(jsonGz)} and binary ${kb(binGz)}.`);
  }
  const encFaster = jsonEnc.ms <= binEnc.ms ? 'JSON' : 'binary';
  const decFaster = jsonDec.ms <= binDec.ms ? 'JSON' : 'binary';
  out.step(
    `Encoding: ${encFaster} was faster here; decoding: ${decFaster} was faster`,
    `JSON.stringify and JSON.parse are native C++ in V8, but the JSON side here also converts every id and Date to and from strings and handles ${rawRatio.toFixed(1)}× the bytes; this binary codec is plain JavaScript writing numbers directly. Which wins depends on the data and the runtime: measure.`,
    { jsonEncMs: jsonEnc.ms, binEncMs: binEnc.ms, jsonDecMs: jsonDec.ms, binDecMs: binDec.ms },
  );
  // The same records with ids sent as JSON numbers instead of strings.
  const asNumbers = jsonEnc.value.replace(/"id":"(\d+)"/g, '"id":$1');
  const parsedIds = (JSON.parse(asNumbers) as { id: number }[]).map((u) => u.id);
  const corrupted = parsedIds.filter((id, i) => BigInt(id) !== records[i]!.id).length;
  const example = records.findIndex((r, i) => BigInt(parsedIds[i]!) !== r.id);
  out.step(
    `Had the ids been JSON numbers: ${corrupted} of ${n} would come back wrong`,
    example >= 0
      ? `Snowflake ids are about 2^60, above 2^53, so most do not fit a double exactly: ${records[example]!.id} was parsed as ${BigInt(parsedIds[example]!)}. Send 64-bit ids as strings.`
      : 'Every id happened to be representable as a double this time; ids above 2^53 usually are not. Send 64-bit ids as strings.',
    { corrupted, records: n },
  );

  out.heading("3. What JSON's data model loses");
  let guessBig: number | undefined;
  const bigChoices = ['9007199254740993', '9007199254740992', 'it throws a SyntaxError', 'the string "9007199254740993"'];
  if (ctx.prompts) guessBig = await ctx.prompts.predictChoice(`JSON.parse('{"id":9007199254740993}').id is…`, bigChoices);
  const losses = jsonLosses();
  out.code(losses.map((l) => `${l.expr}\n  → ${l.result}`).join('\n'));
  if (guessBig !== undefined) {
    const got = losses[0]!.result;
    out.say(bigChoices[guessBig] === got ? `Right: ${got}.` : `Node printed ${got}.`);
  }
  for (const l of losses) out.step(`${l.label} → ${l.result.length > 50 ? `${l.result.slice(0, 49)}…` : l.result}`, l.why, { case: l.id, result: l.result });
  const exact = decodeBinary(encodeBinary([{ ...records[0]!, id: 9007199254740993n }], SCHEMA_V1), SCHEMA_V1).records[0]!;
  out.step(
    `Binary: id 9007199254740993 → ${exact.id}, createdAt → ${exact.createdAt.constructor.name}`,
    'The schema types the field as an unsigned 64-bit integer read into a BigInt, and field 9 as a date: the type lives in the schema, so nothing has to be guessed from the text.',
    { id: String(exact.id), dateType: exact.createdAt.constructor.name },
  );

  out.heading('4. Forward compatibility: a v2 server, v1 clients');
  const v2user: UserRecord = { ...records[1]!, phone: '+44 20 7946 0958' };
  const server = await startServer(ctx, (req, res) => {
    if (req.headers.accept === 'application/x-user-bin') {
      res.writeHead(200, { 'content-type': 'application/x-user-bin' });
      res.end(encodeBinary([v2user], SCHEMA_V2));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(encodeJson([v2user]).slice(1, -1));
    }
  });
  out.say('The server was upgraded to schema v2, which adds field 10, phone. Three clients still on v1 fetch the same user over HTTP.');
  const [jr, br] = await Promise.all([sendHttp(server.port, 'GET', '/users/1', { headers: { accept: 'application/json' } }), sendHttp(server.port, 'GET', '/users/1', { headers: { accept: 'application/x-user-bin' } })]);
  out.code(`< ${jr.body.replace(/,"(?=email|balanceCents|active|createdAt|phone)/g, ',\n< "')}`);
  const clients: Record<string, { ok: boolean; detail: string }> = {};
  try {
    const r = lenientV1(jr.body);
    clients.lenientJson = { ok: true, detail: `read ${Object.keys(r.user).length} fields, ignored: ${r.ignored.join(', ') || 'none'}` };
  } catch (e) {
    clients.lenientJson = { ok: false, detail: (e as Error).message };
  }
  try {
    strictV1(jr.body);
    clients.strictJson = { ok: true, detail: 'accepted' };
  } catch (e) {
    clients.strictJson = { ok: false, detail: `rejected: ${(e as Error).message}` };
  }
  try {
    const d = decodeBinary(br.raw, SCHEMA_V1);
    clients.binaryV1 = { ok: d.records.length === 1 && same(d.records[0]!, records[1]!), detail: `skipped ${d.skipped} unknown field (${d.skippedBytes} bytes)` };
  } catch (e) {
    clients.binaryV1 = { ok: false, detail: (e as Error).message };
  }
  out.say(`Both responses: HTTP ${jr.status} (JSON, ${jr.raw.length} bytes) and ${br.status} (binary, ${br.raw.length} bytes).`);
  out.table([
    ['v1 client', 'result', 'detail'],
    ['JSON, ignores unknown', clients.lenientJson.ok ? 'ok' : 'FAILED', clients.lenientJson.detail],
    ['JSON, rejects unknown', clients.strictJson.ok ? 'ok' : 'FAILED', clients.strictJson.detail],
    ['binary decoder', clients.binaryV1.ok ? 'ok' : 'FAILED', clients.binaryV1.detail],
  ]);
  out.step(
    `Lenient client: ${clients.lenientJson.ok ? 'kept working' : 'failed'}; strict client: ${clients.strictJson.ok ? 'kept working' : 'broke'}`,
    'Adding a field is a compatible change only for readers that ignore what they do not know. A strict reader turns every server-side addition into an outage for old clients, so strictness belongs on input you receive (requests), not on responses you consume.',
    { lenient: clients.lenientJson.ok, strict: clients.strictJson.ok },
  );
  out.step(
    `Binary v1 decoder: ${clients.binaryV1.ok ? 'decoded the user' : 'failed'}, ${clients.binaryV1.detail}`,
    "The key's wire type says how long the value is (varint, 8 bytes, or a length prefix), so an old reader can step over a field it has never heard of. That is why protobuf field numbers must never be reused.",
    { binaryOk: clients.binaryV1.ok },
  );

  out.takeaways([
    'JSON is text with six types: ids above 2^53 lose digits silently, Dates come back as strings, undefined/NaN/Map/Set are dropped or nulled, BigInt throws.',
    'Send 64-bit ids as strings (or a typed binary field), money as integer minor units or decimal strings, never floats; revive dates in one place.',
    'A schema-driven binary format is smaller (numeric keys, varints; gzip closes much of the gap); its speed depends on the runtime and data (in Node, JSON is native C++): measure first.',
    'Ignore unknown fields in what you read from others; never reuse a field number or name.',
  ]);

  return {
    records: n,
    oneRecord: { jsonBytes: Buffer.byteLength(oneJson), binaryBytes: one.length },
    size: { jsonBytes, binBytes, jsonGz, binGz },
    timeMs: { jsonEnc: jsonEnc.ms, binEnc: binEnc.ms, jsonDec: jsonDec.ms, binDec: binDec.ms },
    roundTrip: { json: jsonOk, binary: binOk },
    idsAsNumbersCorrupted: corrupted,
    losses: Object.fromEntries(losses.map((l) => [l.id, l.result])),
    binaryExactId: String(exact.id),
    forwardCompat: clients,
  };
}
