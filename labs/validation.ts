/**
 * Lab: validation and transformation. A signup form's fields each go through a chain (trim, lower-case,
 * coerce numeric and boolean strings, defaults, then type/format/range checks). The lab runs it on a messy
 * submission, on a seeded batch with and without the transforms, fail-fast against collect-all with a
 * simulated user fixing what the server reports over real HTTP, the problem+json (RFC 9457) 422 and 400
 * responses, and a mass-assignment attempt against a spread-the-body handler and an allow-list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendHttp, showExchange } from '../src/labs/http-any-method.js';
import { startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

type Value = string | number | boolean | undefined;

type Step =
  | { readonly kind: 'transform'; readonly name: string; readonly fn: (v: Value) => Value }
  | { readonly kind: 'check'; readonly name: string; readonly message: string; readonly ok: (v: Value) => boolean };

const t = (name: string, fn: (v: Value) => Value): Step => ({ kind: 'transform', name, fn });
const c = (name: string, message: string, ok: (v: Value) => boolean): Step => ({ kind: 'check', name, message, ok });

const trim = t('trim', (v) => (typeof v === 'string' ? v.trim() : v));
const lower = t('lower-case', (v) => (typeof v === 'string' ? v.toLowerCase() : v));
const toNumber = t('coerce number', (v) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v));
const toBoolean = t('coerce boolean', (v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  return ['true', 'on', '1', 'yes'].includes(s) ? true : ['false', 'off', '0', 'no'].includes(s) ? false : v;
});
const byDefault = (d: Value) => t(`default ${JSON.stringify(d)}`, (v) => (v === undefined || v === '' ? d : v));
const required = c('required', 'is required', (v) => v !== undefined && v !== '');
const isString = c('string', 'must be a string', (v) => typeof v === 'string');
const isInteger = c('integer', 'must be a whole number', (v) => typeof v === 'number' && Number.isInteger(v));
const isBoolean = c('boolean', 'must be true or false', (v) => typeof v === 'boolean');
const range = (min: number, max: number) => c(`${min}–${max}`, `must be between ${min} and ${max}`, (v) => typeof v === 'number' && v >= min && v <= max);
const pattern = (name: string, re: RegExp, message: string) => c(name, message, (v) => typeof v === 'string' && re.test(v));
const minLength = (n: number) => c(`≥ ${n} chars`, `must be ${n} characters or more`, (v) => typeof v === 'string' && v.length >= n);
const oneOf = (xs: readonly string[]) => c(`one of ${xs.join('|')}`, `must be one of ${xs.join(', ')}`, (v) => typeof v === 'string' && xs.includes(v));

/** The schema: the order of the fields is the order fail-fast checks them. */
const SCHEMA: Readonly<Record<string, readonly Step[]>> = {
  email: [trim, lower, required, isString, pattern('email', /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/, 'must be an email address')],
  username: [trim, lower, required, isString, pattern('[a-z0-9_]{3,20}', /^[a-z0-9_]{3,20}$/, 'must be 3–20 letters, digits or _')],
  // No trim and no case change: a password is exactly what the user typed.
  password: [required, isString, minLength(12)],
  age: [trim, toNumber, required, isInteger, range(13, 120)],
  plan: [trim, lower, byDefault('free'), oneOf(['free', 'pro', 'team'])],
  newsletter: [toBoolean, byDefault(false), isBoolean],
};
const FIELDS = Object.keys(SCHEMA);

export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}
export interface Result {
  readonly value: Record<string, Value>;
  readonly errors: FieldError[];
  /** Checks actually run: fail-fast stops early. */
  readonly checksRun: number;
}

/**
 * Validate a raw body. `transforms: false` runs only the checks (what a naive validator does with form
 * strings). Within a field the chain always stops at its first failing check; `failFast` also stops at the
 * first failing field. The output holds only schema fields: that is the allow-list.
 */
export function validate(body: Readonly<Record<string, unknown>>, o: { failFast: boolean; transforms: boolean }): Result {
  const value: Record<string, Value> = {};
  const errors: FieldError[] = [];
  let checksRun = 0;
  for (const field of FIELDS) {
    const raw = body[field];
    let v: Value = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? raw : raw === undefined ? undefined : String(raw);
    let failed = false;
    for (const step of SCHEMA[field]!) {
      if (step.kind === 'transform') {
        if (o.transforms) v = step.fn(v);
        continue;
      }
      checksRun++;
      if (!step.ok(v)) {
        errors.push({ pointer: `#/${field}`, detail: step.message });
        failed = true;
        break;
      }
    }
    if (!failed) value[field] = v;
    if (failed && o.failFast) break;
  }
  return { value, errors, checksRun };
}

/** The steps one field went through, with the value after each: the chain made visible. */
function trace(field: string, raw: Value): string {
  let v = raw;
  const parts = [JSON.stringify(raw)];
  for (const step of SCHEMA[field]!) {
    if (step.kind === 'transform') {
      const next = step.fn(v);
      if (next !== v) parts.push(`${step.name} → ${JSON.stringify(next)}`);
      v = next;
    } else if (!step.ok(v)) return `${parts.join(' · ')} · ${step.name} ✗`;
  }
  return `${parts.join(' · ')} · checks ✓`;
}

/** A correct value for each field: what the simulated user types once told what is wrong. */
const FIXES: Readonly<Record<string, string>> = {
  email: 'ada@example.com',
  username: 'ada_l',
  password: 'correct horse battery',
  age: '36',
  plan: 'pro',
  newsletter: 'on',
};

/** Seeded messy submissions: each field clean, messy-but-fixable (spaces, case, strings), or wrong. */
function makeSubmissions(rng: () => number, n: number): Record<string, string>[] {
  const pad = (s: string) => ' '.repeat(Math.floor(rng() * 3)) + s + ' '.repeat(Math.floor(rng() * 3));
  const upper = (s: string) => (rng() < 0.5 ? s.toUpperCase() : s[0]!.toUpperCase() + s.slice(1));
  const gens: Record<string, { clean: () => string; messy: () => string; bad: () => string | undefined }> = {
    email: { clean: () => `user${Math.floor(rng() * 1000)}@example.com`, messy: () => pad(upper(`user${Math.floor(rng() * 1000)}@example.com`)), bad: () => (rng() < 0.5 ? 'user@example' : '') },
    username: { clean: () => `user_${Math.floor(rng() * 1000)}`, messy: () => pad(upper(`user_${Math.floor(rng() * 1000)}`)), bad: () => (rng() < 0.5 ? 'a' : 'no spaces!') },
    password: { clean: () => 'correct horse battery', messy: () => ' correct horse battery ', bad: () => 'hunter2' },
    age: { clean: () => String(18 + Math.floor(rng() * 60)), messy: () => pad(String(18 + Math.floor(rng() * 60))), bad: () => (rng() < 0.5 ? 'thirty' : '9') },
    plan: { clean: () => 'pro', messy: () => pad(upper(rng() < 0.5 ? 'team' : 'pro')), bad: () => 'enterprise' },
    newsletter: { clean: () => 'true', messy: () => (rng() < 0.5 ? 'on' : 'Yes'), bad: () => 'maybe' },
  };
  const out: Record<string, string>[] = [];
  for (let i = 0; i < n; i++) {
    const body: Record<string, string> = {};
    for (const f of FIELDS) {
      const r = rng();
      const g = gens[f]!;
      const v = r < 0.06 ? g.bad() : r < 0.55 ? g.messy() : r < 0.95 ? g.clean() : undefined; // 5%: field left out
      if (v !== undefined) body[f] = v;
    }
    out.push(body);
  }
  return out;
}

/** A user who fixes exactly the fields the server reported, then submits again. Returns the round trips. */
function simulateUser(start: Record<string, unknown>, failFast: boolean): { roundTrips: number } {
  const body = { ...start };
  for (let trips = 1; trips < 50; trips++) {
    const r = validate(body, { failFast, transforms: true });
    if (!r.errors.length) return { roundTrips: trips };
    for (const e of r.errors) body[e.pointer.slice(2)] = FIXES[e.pointer.slice(2)];
  }
  return { roundTrips: 50 };
}

const PROBLEM = 'application/problem+json';

/** RFC 9457 members in their usual order (type, title, status, detail, instance), then extensions. */
function problem(res: ServerResponse, status: number, p: { type?: string; title: string; detail?: string; instance?: string; errors?: FieldError[] }) {
  res.writeHead(status, { 'content-type': PROBLEM });
  res.end(JSON.stringify({ type: p.type ?? 'about:blank', title: p.title, status, detail: p.detail, instance: p.instance, errors: p.errors }));
}

/** The parsed body, by content type: an HTML form sends strings only, JSON may send any type. */
async function parseBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req, 16 * 1024);
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SyntaxError('body must be a JSON object');
    return v as Record<string, unknown>;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

const form = (body: Record<string, unknown>) => new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)] as [string, string])).toString();

/** A problem+json body as sent (compact), laid out one member per line for reading. */
function layout(body: string): string {
  const p = JSON.parse(body) as Record<string, unknown>;
  const lines = Object.entries(p).map(([k, v]) =>
    Array.isArray(v) ? `  "${k}": [\n${v.map((x) => `    ${JSON.stringify(x).replace(/":/g, '": ').replace(/,"/g, ', "')}`).join(',\n')}\n  ]` : `  "${k}": ${JSON.stringify(v)}`,
  );
  return `{\n${lines.join(',\n')}\n}`;
}
const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? JSON.stringify(v) : String(v));

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const n = Math.max(10, Math.round(ctx.params.submissions ?? 200));

  out.say('A signup form, validated the way a server should: each field runs a chain of transforms and then checks, and the output holds only the fields the schema knows.');
  out.code(
    Object.entries(SCHEMA)
      .map(([f, steps]) => `${f.padEnd(10)} ${steps.map((s) => s.name).join(' → ')}`)
      .join('\n'),
  );

  // --- 1 -------------------------------------------------------------------------------------------
  out.heading('1. One messy submission through the chain');
  const messy: Record<string, string> = { email: '  Ada.Lovelace@Example.COM ', username: ' Ada_L ', password: ' correct horse battery', age: ' 36 ', plan: 'PRO ', newsletter: 'on' };
  const checksOnly = validate(messy, { failFast: false, transforms: false });
  const chained = validate(messy, { failFast: false, transforms: true });
  const failedPlain = new Set(checksOnly.errors.map((e) => e.pointer.slice(2)));
  const failedChain = new Set(chained.errors.map((e) => e.pointer.slice(2)));
  out.table([['field', 'as sent', 'checks only', 'chain'], ...FIELDS.map((f) => [f, show(messy[f]), failedPlain.has(f) ? '✗' : '✓', failedChain.has(f) ? '✗' : '✓'])]);
  for (const f of FIELDS) {
    const plainError = checksOnly.errors.find((e) => e.pointer === `#/${f}`);
    out.step(
      `${f}: checks only ${plainError ? '✗' : '✓'}, with the chain ${failedChain.has(f) ? '✗' : '✓'}`,
      `${trace(f, messy[f])}${plainError ? `. Checks only said: ${plainError.detail}.` : ''}`,
      { field: f, checksOnly: !plainError, chain: !failedChain.has(f) },
    );
  }
  out.step(
    `Checks only: ${checksOnly.errors.length} of ${FIELDS.length} fields rejected; with the transforms: ${chained.errors.length}`,
    'A form sends every value as a string, with whatever spaces and capitals the user typed. Normalising first (trim, lower-case, "36" → 36, "on" → true, empty → default) turns honest input into valid input; the checks then run on the cleaned value. The password is left exactly as typed, leading space included.',
    { checksOnlyErrors: checksOnly.errors.length, chainErrors: chained.errors.length },
  );

  // --- 3 -------------------------------------------------------------------------------------------
  out.heading('2. Fail-fast against collect-all, over HTTP');
  const stored: Record<string, unknown>[] = [];
  const server = await startServer(ctx, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname.startsWith('/users/')) {
        const user = stored[Number(url.pathname.slice(7))];
        res.writeHead(user ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(user ?? { error: 'not found' }));
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = await parseBody(req);
      } catch (e) {
        // The envelope fails fast: nothing can be validated in a body that does not parse.
        problem(res, 400, { type: 'https://example.com/problems/malformed-body', title: 'The request body is not valid JSON.', detail: (e as Error).message, instance: url.pathname });
        return;
      }
      if (url.pathname === '/unsafe/users') {
        // The vulnerable handler: validates the known fields, then stores the whole body.
        const r = validate(body, { failFast: false, transforms: true });
        if (r.errors.length) return problem(res, 422, { title: 'Invalid', errors: r.errors });
        const user = { isAdmin: false, ...body, ...r.value };
        stored.push(user);
        res.writeHead(201, { 'content-type': 'application/json', location: `/users/${stored.length - 1}` });
        res.end(JSON.stringify(user));
        return;
      }
      const failFast = url.searchParams.get('mode') === 'fail-fast';
      const r = validate(body, { failFast, transforms: true });
      if (r.errors.length) {
        problem(res, 422, {
          type: 'https://example.com/problems/validation-error',
          title: 'Your request is not valid.',
          detail: failFast ? 'A field failed validation.' : `${r.errors.length} field${r.errors.length === 1 ? '' : 's'} failed validation.`,
          instance: url.pathname,
          errors: r.errors,
        });
        return;
      }
      // The allow-list: only schema fields reach the record; the rest is reported, never stored.
      const user = { ...r.value, isAdmin: false };
      const ignored = Object.keys(body).filter((k) => !FIELDS.includes(k));
      stored.push(user);
      res.writeHead(201, { 'content-type': 'application/json', location: `/users/${stored.length - 1}`, ...(ignored.length ? { 'x-ignored-fields': ignored.join(', ') } : {}) });
      res.end(JSON.stringify(user));
    })().catch((e: unknown) => {
      if (!res.headersSent) problem(res, 500, { title: 'Internal error', detail: String(e) });
    });
  });

  const bad: Record<string, string> = { email: 'ada@example', username: ' Ada_L ', password: 'hunter2', age: 'thirty', plan: 'enterprise' };
  const errorCount = validate(bad, { failFast: false, transforms: true }).errors.length;
  out.say(`A form with mistakes, sent as application/x-www-form-urlencoded. A simulated user fixes exactly what each response reports and submits again, until the server answers 201.`);
  out.code(form(bad).replace(/&/g, '\n&'));
  let guess: number | undefined;
  const tripChoices = ['1', '2', String(errorCount), String(errorCount + 1)];
  if (ctx.prompts) guess = await ctx.prompts.predictChoice(`the form has ${errorCount} mistakes. With fail-fast validation, how many submissions until it is accepted?`, tripChoices);

  const submitUntilAccepted = async (mode: string) => {
    const body: Record<string, unknown> = { ...bad };
    const log: { status: number; reported: string[] }[] = [];
    let last = '';
    for (let i = 0; i < 20; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const r = await sendHttp(server.port, 'POST', `/users?mode=${mode}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(body) });
      if (r.status !== 422) {
        log.push({ status: r.status, reported: [] });
        break;
      }
      last = r.body;
      const errors = (JSON.parse(r.body) as { errors: FieldError[] }).errors;
      log.push({ status: r.status, reported: errors.map((e) => e.pointer) });
      for (const e of errors) body[e.pointer.slice(2)] = FIXES[e.pointer.slice(2)];
    }
    return { log, first: last };
  };
  const ff = await submitUntilAccepted('fail-fast');
  const ca = await submitUntilAccepted('collect-all');
  const rows: string[][] = [['try', 'fail-fast', 'collect-all']];
  for (let i = 0; i < Math.max(ff.log.length, ca.log.length); i++) {
    const cell = (x: { status: number; reported: string[] } | undefined) => (x ? `${x.status} ${x.reported.join(' ')}`.trim() : '');
    rows.push([String(i + 1), cell(ff.log[i]), cell(ca.log[i])]);
  }
  out.table(rows);
  const reported = (l: typeof ff.log) => l.reduce((s, x) => s + x.reported.length, 0);
  if (guess !== undefined) {
    out.say(tripChoices[guess] === String(ff.log.length) ? `Right: ${ff.log.length} submissions.` : `It took ${ff.log.length} submissions.`);
  }
  out.step(
    `Fail-fast: ${ff.log.length} requests, one error per 422; collect-all: ${ca.log.length} requests`,
    `Errors reported in total: fail-fast ${reported(ff.log)}, collect-all ${reported(ca.log)}. Fail-fast made the user discover them one response at a time. Collect-all still stops inside each field at its first failed check: "thirty" is reported as not a whole number, not also as out of range.`,
    { failFastRequests: ff.log.length, collectAllRequests: ca.log.length, failFastErrors: reported(ff.log), collectAllErrors: reported(ca.log) },
  );

  // --- 4 -------------------------------------------------------------------------------------------
  out.heading('3. The error response: problem+json (RFC 9457)');
  const first422 = await sendHttp(server.port, 'POST', '/users', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(bad) });
  out.say('The 422 as the server sent it (the body is laid out one member per line here):');
  out.code(showExchange('POST', '/users', { ...first422, body: layout(first422.body).replace(/\n/g, '\n< ') }, ['content-type']));
  const broken = '{"email": "ada@example.com", "age": ';
  const r400 = await sendHttp(server.port, 'POST', '/users', { headers: { 'content-type': 'application/json' }, body: broken });
  out.say('And a JSON body cut short:');
  out.code(showExchange('POST', '/users', { ...r400, body: layout(r400.body).replace(/\n/g, '\n< ') }, ['content-type'], broken));
  const p422 = JSON.parse(first422.body) as { errors: FieldError[] };
  out.step(
    `${first422.status} ${first422.headers['content-type']}: ${p422.errors.length} errors, each with a JSON pointer`,
    'The body is well-formed but its content is invalid. type identifies the kind of problem (a URI clients can switch on), title stays the same for every occurrence, and the errors extension tells a form which field to highlight.',
    { status: first422.status, contentType: String(first422.headers['content-type']), errors: p422.errors.length },
  );
  out.step(
    `${r400.status} for a body that does not parse`,
    'Malformed syntax is 400: no field can be checked, so this fails fast before validation runs. Keep the two apart so a client knows whether to fix its encoder or its data.',
    { status: r400.status },
  );

  // --- 2 -------------------------------------------------------------------------------------------
  out.heading(`4. ${n} seeded submissions`);
  const subs = makeSubmissions(ctx.rng, n);
  const perField: Record<string, { plain: number; chain: number }> = Object.fromEntries(FIELDS.map((f) => [f, { plain: 0, chain: 0 }]));
  let acceptedPlain = 0;
  let acceptedChain = 0;
  const trips = { failFast: 0, collectAll: 0, invalid: 0, errors: 0 };
  for (const s of subs) {
    const p = validate(s, { failFast: false, transforms: false });
    const q = validate(s, { failFast: false, transforms: true });
    if (!p.errors.length) acceptedPlain++;
    if (!q.errors.length) acceptedChain++;
    for (const e of p.errors) perField[e.pointer.slice(2)]!.plain++;
    for (const e of q.errors) perField[e.pointer.slice(2)]!.chain++;
    if (q.errors.length) {
      trips.invalid++;
      trips.errors += q.errors.length;
      trips.failFast += simulateUser(s, true).roundTrips;
      trips.collectAll += simulateUser(s, false).roundTrips;
    }
  }
  out.say('About half the values are messy but fixable (spaces, capitals, numbers and booleans as text), 6% are really wrong, 5% of fields are left out.');
  out.table([['field', 'rejected, checks only', 'rejected, chain'], ...FIELDS.map((f) => [f, perField[f]!.plain, perField[f]!.chain])]);
  out.figure('accepted, checks only', `${acceptedPlain} / ${n}`);
  out.figure('accepted, transforms + checks', `${acceptedChain} / ${n}`);
  out.step(
    `The chain accepted ${acceptedChain - acceptedPlain} more submissions`,
    'Those were rejected only for formatting the user cannot see or should not care about. What the chain still rejects is really wrong (a bad email, an age of 9, "enterprise") or missing.',
    { acceptedPlain, acceptedChain, submissions: n },
  );
  out.step(
    `${trips.invalid} invalid forms, ${trips.errors} errors: fail-fast ${trips.failFast} submissions, collect-all ${trips.collectAll}`,
    'Simulated users who fix exactly what each response reports, counting every submission including the first. Fail-fast reveals one error per response, so a form with k errors takes k + 1 submissions; collect-all reports them together, so it takes 2.',
    { invalid: trips.invalid, errors: trips.errors, failFastTrips: trips.failFast, collectAllTrips: trips.collectAll },
  );

  // --- 5 -------------------------------------------------------------------------------------------
  out.heading('5. Mass assignment: an isAdmin the client should not set');
  const attack = { email: 'mallory@example.com', username: 'mallory', password: 'correct horse battery', age: 30, isAdmin: true };
  out.say('Both handlers receive the same JSON body, with one extra field:');
  out.code(JSON.stringify(attack, null, 2));
  const unsafe = await sendHttp(server.port, 'POST', '/unsafe/users', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(attack) });
  const safe = await sendHttp(server.port, 'POST', '/users', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(attack) });
  const readBack = async (loc: unknown) => JSON.parse((await server.get(String(loc))).body) as Record<string, unknown>;
  const unsafeUser = await readBack(unsafe.headers.location);
  const safeUser = await readBack(safe.headers.location);
  out.table([
    ['handler', 'status', 'stored isAdmin', 'note'],
    ['{ ...defaults, ...body }', unsafe.status, String(unsafeUser.isAdmin), 'validated, then spread'],
    ['allow-list (schema output)', safe.status, String(safeUser.isAdmin), `ignored: ${String(safe.headers['x-ignored-fields'] ?? 'none')}`],
  ]);
  out.step(
    `Spread handler stored isAdmin = ${String(unsafeUser.isAdmin)}; allow-list stored isAdmin = ${String(safeUser.isAdmin)}`,
    'Validation passed in both: every known field was valid. The difference is what gets copied into the record. Build it from the validated output, field by field, never from the request body; strip or reject everything else.',
    { unsafeIsAdmin: unsafeUser.isAdmin === true, safeIsAdmin: safeUser.isAdmin === true },
  );

  out.takeaways([
    'Transform, then check: trim, normalise case, coerce form strings, apply defaults; never trim a password.',
    'Collect every independent field error in one response, but stop inside a field at its first failure.',
    'Fail fast on the envelope (a body that does not parse is 400; well-formed but invalid is 422); send errors as problem+json with a pointer per field.',
    'Copy only allow-listed fields from the validated output into your models: never spread the body.',
  ]);

  return {
    submissions: n,
    messy: { checksOnlyErrors: checksOnly.errors.length, chainErrors: chained.errors.length, value: JSON.parse(JSON.stringify(chained.value)) as Record<string, string | number | boolean> },
    batch: { acceptedPlain, acceptedChain, perField, ...trips },
    http: {
      failFast: ff.log.map((x) => ({ status: x.status, reported: x.reported })),
      collectAll: ca.log.map((x) => ({ status: x.status, reported: x.reported })),
      problemStatus: first422.status,
      problemContentType: String(first422.headers['content-type']),
      problemErrors: p422.errors.map((e) => ({ pointer: e.pointer, detail: e.detail })),
      malformedStatus: r400.status,
    },
    massAssignment: { unsafeStatus: unsafe.status, unsafeIsAdmin: unsafeUser.isAdmin === true, safeStatus: safe.status, safeIsAdmin: safeUser.isAdmin === true, ignored: String(safe.headers['x-ignored-fields'] ?? '') },
  };
}
