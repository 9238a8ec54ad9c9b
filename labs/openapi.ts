/**
 * Lab: OpenAPI as the contract. A small OpenAPI 3.1 document (YAML, embedded below, parsed with `yaml`)
 * drives a real HTTP server on 127.0.0.1: routing by path template, 404 for undocumented paths, 405 (with
 * Allow) for undocumented methods, and a request validator written here for the subset the document uses
 * (path and query parameters with types, a required JSON body with type, required, enum, format, minimum,
 * maxLength and additionalProperties: false). Invalid requests get 400 application/problem+json with one
 * entry per problem (a JSON pointer and what was expected). A client then checks every response against
 * the documented response schema, which catches a handler that leaves a field out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'yaml';
import { startServer } from '../src/labs/http-harness.js';
import { sendRequest, type WireReply } from '../src/labs/http-wire-client.js';
import type { LabContext, LabObservations, LabValue } from '../src/labs/types.js';

const SPEC = `
openapi: 3.1.0
info:
  title: Shop orders
  version: 1.2.0
paths:
  /stores/{storeId}/orders:
    parameters:
      - name: storeId
        in: path
        required: true
        schema: { type: integer, minimum: 1 }
    get:
      operationId: listOrders
      parameters:
        - name: limit
          in: query
          schema: { type: integer, minimum: 1, maximum: 100, default: 20 }
        - name: status
          in: query
          schema: { type: string, enum: [pending, paid, shipped] }
      responses:
        '200':
          description: A page of orders
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: { type: array, items: { $ref: '#/components/schemas/Order' } }
        default: { $ref: '#/components/responses/Problem' }
    post:
      operationId: createOrder
      parameters:
        - name: notify
          in: query
          schema: { type: boolean }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewOrder' }
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Order' }
        default: { $ref: '#/components/responses/Problem' }
components:
  schemas:
    NewOrder:
      type: object
      additionalProperties: false
      required: [email, items, shipping]
      properties:
        email: { type: string, format: email, maxLength: 254 }
        shipping: { type: string, enum: [standard, express] }
        note: { type: [string, 'null'], maxLength: NOTE_MAX }
        items:
          type: array
          minItems: 1
          items:
            type: object
            additionalProperties: false
            required: [sku, quantity]
            properties:
              sku: { type: string, maxLength: 12 }
              quantity: { type: integer, minimum: 1, maximum: 99 }
    Order:
      type: object
      required: [id, status, total, createdAt]
      properties:
        id: { type: integer }
        status: { type: string, enum: [pending, paid, shipped] }
        total: { type: number, minimum: 0 }
        createdAt: { type: string, format: date-time }
    Problem:
      type: object
      required: [type, title, status]
      properties:
        type: { type: string }
        title: { type: string }
        status: { type: integer }
        detail: { type: string }
        errors: { type: array }
  responses:
    Problem:
      description: An error (RFC 9457)
      content:
        application/problem+json:
          schema: { $ref: '#/components/schemas/Problem' }
`;

interface Schema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly items?: Schema;
  readonly default?: unknown;
}

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema: Schema;
}

interface MediaType {
  readonly schema: Schema;
}

interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content: Readonly<Record<string, MediaType>> };
  readonly responses: Readonly<Record<string, { readonly $ref?: string; readonly content?: Readonly<Record<string, MediaType>> }>>;
}

type PathItem = { readonly parameters?: readonly Parameter[] } & Partial<Record<Method, Operation>>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];

interface OpenApiDoc {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components: { readonly schemas: Readonly<Record<string, Schema>>; readonly responses: Readonly<Record<string, { content: Readonly<Record<string, MediaType>> }>> };
}

/** One problem: where (a JSON pointer into the body, or a parameter), which keyword, and what was expected. */
export interface Problem {
  readonly in: 'body' | 'path' | 'query';
  readonly pointer: string;
  readonly keyword: string;
  readonly detail: string;
}

/** Resolve a local $ref such as '#/components/schemas/Order' (JSON pointer into the document). */
function deref<T>(doc: OpenApiDoc, node: T & { $ref?: string }): T {
  if (!node.$ref) return node;
  let cur: unknown = doc;
  for (const part of node.$ref.replace(/^#\//, '').split('/')) cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return deref(doc, cur as T & { $ref?: string });
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v).length > 24 ? `${JSON.stringify(v).slice(0, 21)}…` : JSON.stringify(v));
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

const FORMATS: Record<string, RegExp> = {
  // Deliberately simple: one @, something on each side, a dot in the domain.
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  // RFC 3339 date-time.
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
};

/** JSON Schema validation for the keywords this document uses; every problem is collected, not just the first. */
export function validate(doc: OpenApiDoc, s0: Schema, value: unknown, pointer: string, where: Problem['in'], out: Problem[]): void {
  const s = deref(doc, s0);
  const add = (keyword: string, detail: string) => void out.push({ in: where, pointer: pointer || '/', keyword, detail });
  if (s.type !== undefined) {
    const types = typeof s.type === 'string' ? [s.type] : s.type;
    const actual = typeOf(value);
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return add('type', `expected ${types.join(' or ')}, got ${value === undefined ? 'nothing' : `${actual} ${show(value)}`}`);
  }
  if (s.enum && !s.enum.some((e) => e === value)) add('enum', `expected one of ${s.enum.map((e) => String(e)).join(', ')}; got ${show(value)}`);
  if (typeof value === 'string') {
    if (s.maxLength !== undefined && [...value].length > s.maxLength) add('maxLength', `expected at most ${s.maxLength} characters, got ${[...value].length}`);
    const re = s.format ? FORMATS[s.format] : undefined;
    if (re && !re.test(value)) add('format', `expected format ${s.format}, got ${show(value)}`);
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) add('minimum', `expected ≥ ${s.minimum}, got ${value}`);
    if (s.maximum !== undefined && value > s.maximum) add('maximum', `expected ≤ ${s.maximum}, got ${value}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) add('minItems', `expected at least ${s.minItems} item(s), got ${value.length}`);
    if (s.items) value.forEach((v, i) => validate(doc, s.items!, v, `${pointer}/${i}`, where, out));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in obj)) out.push({ in: where, pointer: `${pointer}/${escapePointer(r)}`, keyword: 'required', detail: 'required property is missing' });
    for (const [k, v] of Object.entries(obj)) {
      const p = s.properties?.[k];
      if (p) validate(doc, p, v, `${pointer}/${escapePointer(k)}`, where, out);
      else if (s.additionalProperties === false) out.push({ in: where, pointer: `${pointer}/${escapePointer(k)}`, keyword: 'additionalProperties', detail: 'property not allowed by the schema' });
    }
  }
}

/** Path and query values arrive as strings: convert by the parameter's schema type, or report a type problem. */
function coerce(raw: string, s: Schema): { ok: true; value: unknown } | { ok: false } {
  const t = typeof s.type === 'string' ? s.type : s.type?.[0];
  if (t === 'integer') return /^-?\d+$/.test(raw) ? { ok: true, value: Number(raw) } : { ok: false };
  if (t === 'number') return raw.trim() !== '' && Number.isFinite(Number(raw)) ? { ok: true, value: Number(raw) } : { ok: false };
  if (t === 'boolean') return raw === 'true' || raw === 'false' ? { ok: true, value: raw === 'true' } : { ok: false };
  return { ok: true, value: raw };
}

interface Route {
  readonly template: string;
  readonly regex: RegExp;
  readonly names: readonly string[];
  readonly item: PathItem;
}

function compileRoutes(doc: OpenApiDoc): Route[] {
  return Object.entries(doc.paths).map(([template, item]) => {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    return { template, regex: new RegExp(`^${source}$`), names, item };
  });
}

const problemJson = (res: ServerResponse, status: number, title: string, extra: Record<string, LabValue> = {}, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: `https://shop.example/problems/${status}`, title, status, ...extra }));
};

/** JSON with one top-level property per line (arrays: one element per line); values stay compact. */
function jsonLines(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>);
  const lines = entries.map(([k, v], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(v) && v.length) return `  "${k}": [\n${v.map((x, j) => `    ${JSON.stringify(x)}${j < v.length - 1 ? ',' : ''}`).join('\n')}\n  ]${comma}`;
    return `  "${k}": ${JSON.stringify(v)}${comma}`;
  });
  return ['{', ...lines, '}'].join('\n');
}

/** A problem+json body laid out for an 80-column screen: one error per two lines. */
function problemText(body: unknown): string {
  const b = body as { type: string; title: string; status: number; detail?: string; errors?: Record<string, LabValue>[] };
  const lines = ['{', `  "type": ${JSON.stringify(b.type)},`, `  "title": ${JSON.stringify(b.title)},`, `  "status": ${b.status},`, `  "detail": ${JSON.stringify(b.detail ?? '')},`, '  "errors": ['];
  (b.errors ?? []).forEach((e, i) => {
    const { detail, ...where } = e;
    const head = Object.entries(where).map(([k, v]) => `"${k}": ${JSON.stringify(v)}`).join(', ');
    lines.push(`    { ${head},`, `      "detail": ${JSON.stringify(detail)} }${i < (b.errors?.length ?? 0) - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}');
  return lines.join('\n');
}

const PRICES: Record<string, number> = { 'MUG-01': 12.5, 'TEE-M': 19.9, 'CAP-02': 15, 'SOCK-3': 7.25 };

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const noteMax = Math.max(1, Math.min(200, Math.round(ctx.params.noteMax ?? 40)));
  // The note's maxLength is a knob: the document is data, and the validator reads whatever it says.
  const specText = SPEC.replace('NOTE_MAX', String(noteMax));
  const doc = parse(specText) as OpenApiDoc;
  const routes = compileRoutes(doc);

  // ---------------------------------------------------------------- the server
  let nextId = 100;
  const validated = { requests: 0, rejected: 0, handled: 0 };
  const handlers: Record<string, (params: Record<string, unknown>, body: unknown) => { status: number; body: unknown }> = {
    listOrders: (p) => ({
      status: 200,
      body: {
        items: Array.from({ length: Math.min(2, Number(p.limit)) }, (_, i) => ({ id: 90 + i, status: 'paid', total: 25 + i, createdAt: '2026-01-01T10:00:00Z' })),
      },
    }),
    createOrder: (_p, b) => {
      const order = b as { shipping: string; items: { sku: string; quantity: number }[] };
      const subtotal = order.items.reduce((a, it) => a + (PRICES[it.sku] ?? 10) * it.quantity, 0);
      const id = nextId++;
      const createdAt = new Date(Date.UTC(2026, 0, 1, 12, 0, id - 100)).toISOString();
      if (order.shipping === 'express') {
        // THE BUG: the express branch was refactored and builds its response without `total`.
        return { status: 201, body: { id, status: 'pending', createdAt, shipping: 'express' } };
      }
      return { status: 201, body: { id, status: 'pending', total: Math.round(subtotal * 100 + 499) / 100, createdAt } };
    },
  };
  const server = await startServer(ctx, (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      validated.requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const route = routes.find((r) => r.regex.test(url.pathname));
      if (!route) return problemJson(res, 404, 'No such resource', { detail: `${url.pathname} is not in the API description` });
      const method = (req.method ?? 'GET').toLowerCase() as Method;
      const op = route.item[method];
      if (!op) {
        const allow = METHODS.filter((m) => route.item[m]).map((m) => m.toUpperCase());
        return problemJson(res, 405, 'Method not allowed', { detail: `${req.method} is not documented for ${route.template}` }, { Allow: allow.join(', ') });
      }
      const problems: Problem[] = [];
      const params: Record<string, unknown> = {};
      const match = route.regex.exec(url.pathname)!;
      for (const p of [...(route.item.parameters ?? []), ...(op.parameters ?? [])]) {
        const raw = p.in === 'path' ? decodeURIComponent(match[route.names.indexOf(p.name) + 1] ?? '') : p.in === 'query' ? url.searchParams.get(p.name) : null;
        if (raw === null) {
          if (p.required) problems.push({ in: p.in as Problem['in'], pointer: `/${p.name}`, keyword: 'required', detail: 'required parameter is missing' });
          else if (p.schema.default !== undefined) params[p.name] = p.schema.default;
          continue;
        }
        const c = coerce(raw, p.schema);
        if (!c.ok) {
          problems.push({ in: p.in as Problem['in'], pointer: `/${p.name}`, keyword: 'type', detail: `expected ${String(p.schema.type)}, got ${JSON.stringify(raw)}` });
          continue;
        }
        params[p.name] = c.value;
        validate(doc, p.schema, c.value, `/${p.name}`, p.in as Problem['in'], problems);
      }
      let body: unknown;
      if (op.requestBody) {
        const raw = Buffer.concat(parts).toString('utf8');
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        const media = op.requestBody.content[type];
        if (raw === '' && op.requestBody.required) problems.push({ in: 'body', pointer: '/', keyword: 'required', detail: 'a request body is required' });
        else if (!media) return problemJson(res, 415, 'Unsupported media type', { detail: `expected ${Object.keys(op.requestBody.content).join(', ')}` });
        else {
          try {
            body = JSON.parse(raw);
            validate(doc, media.schema, body, '', 'body', problems);
          } catch {
            problems.push({ in: 'body', pointer: '/', keyword: 'json', detail: 'body is not valid JSON' });
          }
        }
      }
      if (problems.length) {
        validated.rejected++;
        return problemJson(res, 400, 'Request does not match the API description', {
          detail: `${problems.length} problem${problems.length === 1 ? '' : 's'}`,
          errors: problems.map((p) => (p.in === 'body' ? { pointer: `#${p.pointer === '/' ? '' : p.pointer}`, keyword: p.keyword, detail: p.detail } : { in: p.in, parameter: p.pointer.slice(1), keyword: p.keyword, detail: p.detail })),
        });
      }
      validated.handled++;
      const r = handlers[op.operationId]!(params, body);
      res.writeHead(r.status, { 'Content-Type': 'application/json', ...(r.status === 201 ? { Location: `${url.pathname}/${(r.body as { id: number }).id}` } : {}) });
      res.end(JSON.stringify(r.body));
    });
  });

  // ---------------------------------------------------------------- the client and its contract check
  /** The documented schema for this response: the status code's entry, else `default`; 404 has no operation. */
  const responseSchema = (path: string, method: string, status: number, contentType: string): Schema | undefined => {
    const route = routes.find((r) => r.regex.test(path));
    const op = route?.item[method.toLowerCase() as Method];
    const entry = op ? deref(doc, op.responses[String(status)] ?? op.responses.default ?? {}) : doc.components.responses.Problem;
    return entry?.content?.[contentType]?.schema;
  };
  interface Exchange {
    readonly label: string;
    readonly method: string;
    readonly path: string;
    readonly status: number;
    readonly body: unknown;
    /** The response's Content-Type, without parameters. */
    readonly contentType: string;
    readonly allow: string | null;
    readonly contract: readonly Problem[];
  }
  const exchanges: Exchange[] = [];
  const call = async (label: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Exchange> => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const r: WireReply = await sendRequest(ctx, server.port, payload === undefined ? { method, path } : { method, path, headers: { 'Content-Type': contentType }, body: payload });
    const ct = String(r.headers['content-type'] ?? '').split(';')[0]!;
    const parsed: unknown = r.body.length ? JSON.parse(r.body.toString('utf8')) : null;
    const schema = responseSchema(path.split('?')[0]!, method, r.status, ct);
    const contract: Problem[] = [];
    if (!schema) contract.push({ in: 'body', pointer: '/', keyword: 'responses', detail: `no documented ${r.status} response with ${ct}` });
    else validate(doc, schema, parsed, '', 'body', contract);
    const ex: Exchange = { label, method, path, status: r.status, body: parsed, contentType: ct, allow: typeof r.headers.allow === 'string' ? r.headers.allow : null, contract };
    exchanges.push(ex);
    return ex;
  };

  const pick = <T>(xs: readonly T[]) => xs[Math.floor(ctx.rng() * xs.length)]!;
  const skus = Object.keys(PRICES);
  const store = 1 + Math.floor(ctx.rng() * 50);
  const goodOrder = { email: 'ada@shop.example', shipping: 'standard', items: [{ sku: pick(skus), quantity: 1 + Math.floor(ctx.rng() * 3) }] };

  out.say(
    `The API description below is OpenAPI ${doc.openapi}, parsed from YAML. The server on 127.0.0.1:${server.port} routes by its path templates and validates every request against it before any handler runs, with a validator written in this lab for the keywords the document uses. The client checks every response against the documented response schema.`,
  );
  out.heading('1. The contract');
  out.table([
    ['method', 'path', 'operationId', 'parameters'],
    ...Object.entries(doc.paths).flatMap(([p, item]) =>
      METHODS.filter((m) => item[m]).map((m) => [m.toUpperCase(), p, item[m]!.operationId, [...(item.parameters ?? []), ...(item[m]!.parameters ?? [])].map((x) => x.name).join(', ')]),
    ),
  ]);
  out.say('The request body of createOrder, components.schemas.NewOrder, as written in the document:');
  const lines = specText.split('\n');
  const from = lines.findIndex((l) => l.trim() === 'NewOrder:');
  const to = lines.findIndex((l, i) => i > from && l.trim() === 'Order:');
  out.code(lines.slice(from, to).join('\n'));

  // ---------------------------------------------------------------- part 2: requests
  out.heading('2. Requests, validated on the server');
  const ok = await call('valid order', 'POST', `/stores/${store}/orders?notify=true`, goodOrder);
  out.code(`POST /stores/${store}/orders?notify=true\n${jsonLines(goodOrder)}\n→ ${ok.status}\n${jsonLines(ok.body)}`);
  out.step(
    `Valid order: ${ok.status}; response matches the Order schema: ${ok.contract.length === 0 ? 'yes' : 'no'}`,
    'Path parameter storeId became an integer, notify a boolean, and the body passed every keyword of NewOrder before the handler ran: the handler can trust its input.',
    { status: ok.status, contractProblems: ok.contract.length },
  );

  const badOrder = {
    email: 'ada@shop',
    items: [
      { sku: pick(skus), quantity: 0 },
      { sku: 'GIFT-CARD-2026', quantity: 2.5 },
    ],
    shipping: 'overnight',
    note: 'x'.repeat(noteMax + 5),
    discount: 50,
  };
  const bad = await call('invalid body', 'POST', `/stores/${store}/orders`, badOrder);
  out.say('An order with several mistakes at once, and the answer:');
  out.code(`POST /stores/${store}/orders\n${jsonLines(badOrder).replace(/"x{13,}"/, (m) => `"${m.slice(1, 13)}…" (${m.length - 2} characters)`)}`);
  out.code(`${bad.status} ${bad.contentType}\n${problemText(bad.body)}`);
  const badErrors = ((bad.body as { errors?: { pointer?: string; keyword: string }[] }).errors ?? []).map((e) => ({ pointer: e.pointer ?? '', keyword: e.keyword }));
  out.step(
    `${bad.status} ${bad.contentType} with ${badErrors.length} errors, each with a JSON pointer`,
    'The validator reports every problem, not only the first, so a client fixes them in one round. "#/items/1/quantity" is an RFC 6901 JSON pointer into the request body, written as a URI fragment; additionalProperties: false is what turns the unknown "discount" into an error instead of silently ignoring it (or, worse, mass-assigning it). The format keyword is only an annotation in JSON Schema 2020-12 unless the validator turns format assertion on (Ajv: ajv-formats); this one does, so "ada@shop" fails.',
    { status: bad.status, errors: badErrors },
  );

  const params1 = await call('bad path + query', 'POST', `/stores/abc/orders?notify=maybe`, goodOrder);
  const params2 = await call('query out of range', 'GET', `/stores/${store}/orders?limit=500&status=lost`);
  const noBody = await call('no body', 'POST', `/stores/${store}/orders`);
  const notJson = await call('not JSON', 'POST', `/stores/${store}/orders`, '{"email": "ada@shop.example",', 'application/json');
  const textBody = await call('text/plain body', 'POST', `/stores/${store}/orders`, 'hello', 'text/plain');

  let predicted: number | undefined;
  const choices = ['404 Not Found', '405 Method Not Allowed', '400 Bad Request'];
  if (ctx.prompts) predicted = await ctx.prompts.predictChoice(`DELETE /stores/${store}/orders: the path is documented, DELETE is not. Which status?`, choices);
  const undocumented = await call('undocumented path', 'GET', '/admin/users');
  const wrongMethod = await call('undocumented method', 'DELETE', `/stores/${store}/orders`);
  if (predicted !== undefined) {
    const observed = choices.findIndex((c) => c.startsWith(String(wrongMethod.status)));
    out.say(predicted === observed ? `You predicted ${choices[predicted]}: right.` : `You predicted ${choices[predicted]}; the server answered ${wrongMethod.status}.`);
  }

  const problemCount = (e: Exchange) => (e.body as { errors?: unknown[] }).errors?.length || '-';
  const rows: (string | number)[][] = [['request', 'body', 'status', 'problems']];
  const bodies = new Map<Exchange, string>([
    [params1, 'valid'],
    [noBody, 'none'],
    [notJson, 'cut short'],
    [textBody, 'text/plain'],
  ]);
  for (const e of [params1, params2, noBody, notJson, textBody, undocumented, wrongMethod]) rows.push([`${e.method} ${e.path}`, bodies.get(e) ?? '-', e.status, problemCount(e)]);
  out.table(rows);
  const keywordsOf = (e: Exchange) => ((e.body as { errors?: { parameter?: string; keyword: string }[] }).errors ?? []).map((x) => `${x.parameter ?? '?'}: ${x.keyword}`);
  const detailOf = (e: Exchange) => ((e.body as { errors?: { detail: string }[] }).errors ?? []).map((x) => x.detail);
  out.step(
    `Parameters ${params1.status}: ${detailOf(params1).join('; ')}`,
    'Path and query values are strings on the wire; the parameter schema says what they must parse to. A handler that did Number("abc") itself would have run with NaN.',
    { status: params1.status, details: detailOf(params1) },
  );
  out.step(
    `Query limits: ${params2.status} (${keywordsOf(params2).join(', ')})`,
    'The same keywords (minimum, maximum, enum) apply to parameters as to body fields. Without the check, limit=500 would be a 500-row page nobody planned for.',
    { status: params2.status, details: detailOf(params2) },
  );
  out.step(
    `No body ${noBody.status}, broken JSON ${notJson.status}, text/plain ${textBody.status}`,
    'requestBody.required: true, the JSON must parse, and the content type must be one the operation documents (415 otherwise).',
    { noBody: noBody.status, notJson: notJson.status, textPlain: textBody.status },
  );
  out.step(
    `${undocumented.path}: ${undocumented.status}; DELETE on a documented path: ${wrongMethod.status}, Allow: ${wrongMethod.allow ?? '(none)'}`,
    'A path that matches no template is 404; a path that exists without that method is 405 with an Allow header listing the documented methods. An undocumented route cannot be reached by accident.',
    { undocumented: undocumented.status, wrongMethod: wrongMethod.status, allow: wrongMethod.allow },
  );

  // ---------------------------------------------------------------- part 3: responses
  out.heading('3. Responses, checked against the contract');
  const express = await call('express order', 'POST', `/stores/${store}/orders`, { ...goodOrder, shipping: 'express' });
  await call('list', 'GET', `/stores/${store}/orders?limit=2&status=paid`);
  out.code(`POST /stores/${store}/orders  (the valid order, shipping "express")\n→ ${express.status}\n${jsonLines(express.body)}`);
  const contractRows: (string | number)[][] = [['response', 'status', 'matches schema', 'problems']];
  for (const e of exchanges) contractRows.push([e.label, e.status, e.contract.length ? 'NO' : 'yes', e.contract.map((p) => `#${p.pointer} ${p.keyword}`).join(', ') || '-']);
  out.table(contractRows);
  const broken = exchanges.filter((e) => e.contract.length > 0);
  const errorBodies = exchanges.filter((e) => e.status >= 400);
  const errorsMatched = errorBodies.every((e) => e.contract.length === 0);
  out.step(
    `${broken.length} of ${exchanges.length} responses broke the contract${broken.length ? `: ${broken.map((b) => `${b.label}, ${b.contract.map((p) => `#${p.pointer} ${p.keyword}`).join(', ')}`).join('; ')}` : ''}`,
    (broken.length
      ? `${
          broken.some((b) => b.contract.some((p) => p.keyword === 'responses'))
            ? `${broken.map((b) => `"${b.label}"`).join(', ')} answered with a status or content type the document does not list`
            : `The status codes were documented ones, but the body of ${broken.map((b) => `"${b.label}"`).join(', ')} did not match its schema`
        }: clients generated from the document rely on what it promises, and nothing on the server noticed. Validating responses in tests (or in staging) catches this drift between code and description.`
      : 'Every response matched its documented schema.') +
      (errorsMatched ? ` All ${errorBodies.length} error bodies (4xx) matched the Problem schema.` : ''),
    { broken: broken.map((b) => ({ label: b.label, problems: b.contract.map((p) => ({ pointer: p.pointer, keyword: p.keyword })) })) },
  );

  out.takeaways([
    'An OpenAPI document describes paths (templates), operations, parameters, request bodies and responses; JSON Schema (2020-12 in 3.1) describes the data.',
    'Validate requests against it before handlers run: typed parameters, required bodies, enums, formats, bounds, additionalProperties: false; answer 400 with every problem.',
    'application/problem+json (RFC 9457) with JSON pointers tells clients exactly which field was wrong and why.',
    'Validate responses too, at least in tests: the description and the code drift apart silently otherwise.',
  ]);

  return {
    store,
    noteMax,
    valid: { status: ok.status, contractProblems: ok.contract.length },
    invalidBody: { status: bad.status, errors: badErrors },
    parameters: { status: params1.status, details: detailOf(params1) },
    query: { status: params2.status, details: detailOf(params2) },
    bodies: { noBody: noBody.status, notJson: notJson.status, textPlain: textBody.status },
    routing: { undocumented: undocumented.status, wrongMethod: wrongMethod.status, allow: wrongMethod.allow },
    contract: exchanges.map((e) => ({ label: e.label, status: e.status, problems: e.contract.map((p) => `${p.pointer} ${p.keyword}`) })),
    server: { ...validated },
  };
}
