/**
 * Lab: CORS, as a browser enforces it. A real server on 127.0.0.1 applies a CORS policy; a "browser" sends
 * what a page's fetch() would send (Origin, the OPTIONS preflight, cookies when credentials are included)
 * and decides what the script may see by running the Fetch Standard's CORS check and CORS-preflight
 * checks on the real response headers. The server logs what it actually ran.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { startServer } from '../src/labs/http-harness.js';
import { formatRequestSeen, formatResponseHead, headerValue, sendRequest, type WireReply } from '../src/labs/http-wire-client.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

export type CredentialsMode = 'omit' | 'same-origin' | 'include';

/** What a page's script asks for: fetch(url, { method, headers, credentials, body }) from `origin`. */
export interface PageRequest {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  /** Headers the script set (the browser adds Origin, cookies, Accept-Encoding… itself). */
  readonly headers: Readonly<Record<string, string>>;
  readonly credentials: CredentialsMode;
  readonly body?: string;
}

export interface Check {
  readonly ok: boolean;
  /** The rule of the Fetch Standard that decided. */
  readonly rule: string;
}

const SAFELISTED_METHODS = ['GET', 'HEAD', 'POST'];
const SAFELISTED_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
// Fetch: CORS-unsafe request-header bytes (controls except tab, and "():<>?@[\]{}, DEL).
const UNSAFE_BYTE = /[\u0000-\u0008\u000a-\u001f"():<>?@[\\\]{}\u007f]/;

/** Fetch "CORS-safelisted request-header" (without Range, which fetch() from a page cannot set freely). */
function safelisted(name: string, value: string): boolean {
  if (Buffer.byteLength(value) > 128) return false;
  switch (name.toLowerCase()) {
    case 'accept':
      return !UNSAFE_BYTE.test(value);
    case 'accept-language':
    case 'content-language':
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case 'content-type': {
      if (UNSAFE_BYTE.test(value.replace(/;.*$/, ''))) return false;
      const essence = value.split(';')[0]!.trim().toLowerCase();
      return SAFELISTED_CONTENT_TYPES.includes(essence);
    }
    default:
      return false;
  }
}

/** Fetch "CORS-unsafe request-header names": sorted, lowercase. */
export function unsafeHeaderNames(headers: Readonly<Record<string, string>>): string[] {
  const unsafe: string[] = [];
  const potentially: string[] = [];
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!safelisted(name, value)) unsafe.push(name);
    else {
      potentially.push(name);
      size += Buffer.byteLength(value);
    }
  }
  if (size > 1024) unsafe.push(...potentially);
  return [...new Set(unsafe.map((n) => n.toLowerCase()))].sort();
}

/** A preflight is needed unless the method is GET, HEAD or POST and every header is safelisted. */
export function needsPreflight(req: PageRequest): boolean {
  return !SAFELISTED_METHODS.includes(req.method) || unsafeHeaderNames(req.headers).length > 0;
}

/** Fetch "CORS check" for a request and the headers of its response. */
export function corsCheck(req: Pick<PageRequest, 'origin' | 'credentials'>, headers: IncomingHttpHeaders): Check {
  const origin = headerValue(headers, 'access-control-allow-origin');
  if (origin === undefined) return { ok: false, rule: 'no Access-Control-Allow-Origin' };
  const include = req.credentials === 'include';
  if (!include && origin === '*') return { ok: true, rule: 'Allow-Origin: * and no credentials' };
  if (origin !== req.origin) {
    return {
      ok: false,
      rule: origin === '*' ? 'Allow-Origin: * with credentials' : `Allow-Origin ${origin} ≠ ${req.origin}`,
    };
  }
  if (!include) return { ok: true, rule: 'Allow-Origin names this exact origin' };
  const credentials = headerValue(headers, 'access-control-allow-credentials');
  if (credentials === 'true') return { ok: true, rule: 'exact origin + Allow-Credentials: true' };
  return { ok: false, rule: 'credentials, but no Allow-Credentials: true' };
}

/** Fetch "extracting header list values" for a comma-separated list (null when the header is absent). */
function listValues(headers: IncomingHttpHeaders, name: string): string[] | null {
  const v = headerValue(headers, name);
  return v === undefined ? null : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Fetch "CORS-preflight fetch", steps after the response: may the actual request be sent? */
export function preflightCheck(req: PageRequest, status: number, headers: IncomingHttpHeaders): Check {
  const cors = corsCheck(req, headers);
  if (!cors.ok) return cors;
  if (status < 200 || status > 299) return { ok: false, rule: `preflight status ${status} is not 2xx` };
  const include = req.credentials === 'include';
  const methods = listValues(headers, 'access-control-allow-methods') ?? [];
  const headerNames = (listValues(headers, 'access-control-allow-headers') ?? []).map((h) => h.toLowerCase());
  // Method names compare case-sensitively; * counts only without credentials.
  if (!methods.includes(req.method) && !SAFELISTED_METHODS.includes(req.method) && (include || !methods.includes('*'))) {
    return { ok: false, rule: `method ${req.method} not in Allow-Methods` };
  }
  const names = Object.keys(req.headers).map((h) => h.toLowerCase());
  if (names.includes('authorization') && !headerNames.includes('authorization')) {
    return { ok: false, rule: 'Authorization not listed (* never covers it)' };
  }
  for (const name of unsafeHeaderNames(req.headers)) {
    if (!headerNames.includes(name) && (include || !headerNames.includes('*'))) return { ok: false, rule: `header ${name} not in Allow-Headers` };
  }
  return { ok: true, rule: 'origin, method and headers allowed' };
}

const ALLOWED_ORIGIN = 'https://app.example.com';
const OTHER_ORIGIN = 'https://evil.example';
const COOKIE = 'session=ada-7f3c';

interface Scenario {
  readonly id: string;
  readonly part: 'simple' | 'preflight' | 'credentials';
  readonly title: string;
  /** For the summary table. */
  readonly short: string;
  readonly req: PageRequest;
}

const SCENARIOS: readonly Scenario[] = [
  { id: 'simple-allowed', part: 'simple', title: 'GET from the allowed origin', short: 'GET, allowed origin', req: { origin: ALLOWED_ORIGIN, method: 'GET', path: '/api/orders', headers: {}, credentials: 'same-origin' } },
  { id: 'simple-refused', part: 'simple', title: 'GET from another origin', short: 'GET, other origin', req: { origin: OTHER_ORIGIN, method: 'GET', path: '/api/orders', headers: {}, credentials: 'same-origin' } },
  {
    id: 'put-allowed',
    part: 'preflight',
    title: 'PUT with JSON from the allowed origin',
    short: 'PUT JSON, allowed origin',
    req: { origin: ALLOWED_ORIGIN, method: 'PUT', path: '/api/orders/42', headers: { 'Content-Type': 'application/json' }, credentials: 'same-origin', body: '{"status":"paid"}' },
  },
  {
    id: 'put-refused',
    part: 'preflight',
    title: 'The same PUT from another origin',
    short: 'PUT JSON, other origin',
    req: { origin: OTHER_ORIGIN, method: 'PUT', path: '/api/orders/42', headers: { 'Content-Type': 'application/json' }, credentials: 'same-origin', body: '{"status":"paid"}' },
  },
  {
    id: 'put-header-refused',
    part: 'preflight',
    title: 'PUT from the allowed origin, with X-Trace-Id',
    short: 'PUT + X-Trace-Id, allowed origin',
    req: {
      origin: ALLOWED_ORIGIN,
      method: 'PUT',
      path: '/api/orders/42',
      headers: { 'Content-Type': 'application/json', 'X-Trace-Id': 't-81' },
      credentials: 'same-origin',
      body: '{"status":"paid"}',
    },
  },
  { id: 'cred-allowed', part: 'credentials', title: 'Credentialed GET, exact origin echoed', short: 'GET + cookie, origin echoed', req: { origin: ALLOWED_ORIGIN, method: 'GET', path: '/api/me', headers: {}, credentials: 'include' } },
  { id: 'cred-wildcard', part: 'credentials', title: 'Credentialed GET, Allow-Origin: *', short: 'GET + cookie, Allow-Origin *', req: { origin: ALLOWED_ORIGIN, method: 'GET', path: '/public/me', headers: {}, credentials: 'include' } },
  { id: 'wildcard-no-cred', part: 'credentials', title: 'The same endpoint without credentials', short: 'GET, no cookie, Allow-Origin *', req: { origin: ALLOWED_ORIGIN, method: 'GET', path: '/public/me', headers: {}, credentials: 'same-origin' } },
];

interface Exchange {
  readonly request: string;
  readonly reply: WireReply;
  readonly check: Check;
}

interface Outcome {
  readonly id: string;
  readonly preflight: boolean;
  readonly preflightOk: boolean | null;
  readonly actualSent: boolean;
  readonly actualStatus: number | null;
  readonly delivered: boolean;
  readonly rule: string;
  readonly serverRanHandler: boolean;
}

const fetchCall = (s: Scenario, apiHost: string): string => {
  const opts: string[] = [];
  if (s.req.method !== 'GET') opts.push(`method: '${s.req.method}'`);
  const hs = Object.entries(s.req.headers).map(([k, v]) => `'${k}': '${v}'`);
  if (hs.length) opts.push(`headers: { ${hs.join(', ')} }`);
  if (s.req.body) opts.push('body');
  if (s.req.credentials === 'include') opts.push("credentials: 'include'");
  const url = `'http://${apiHost}${s.req.path}'`;
  return `// a script on ${s.req.origin}\nfetch(${url}${opts.length ? `, {\n  ${opts.join(',\n  ')},\n}` : ''})`;
};

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;

  // The API's CORS policy: one allowed origin, echoed back with credentials; a /public/ route copied from a
  // blog post that sends * together with Allow-Credentials: true.
  const handled: { method: string; path: string; origin: string | null; cookie: boolean }[] = [];
  const preflights: { path: string; origin: string | null; cookie: boolean }[] = [];
  let lastSeen = '';
  const server = await startServer(ctx, (req, res) => {
    const origin = req.headers.origin ?? null;
    const path = req.url ?? '/';
    lastSeen = formatRequestSeen(req, ['origin', 'access-control-request-method', 'access-control-request-headers', 'content-type', 'x-trace-id', 'cookie']);
    if (path.startsWith('/public/')) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    } else {
      res.setHeader('Vary', 'Origin');
      if (origin === ALLOWED_ORIGIN) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
    }
    if (req.method === 'OPTIONS') {
      preflights.push({ path, origin, cookie: req.headers.cookie !== undefined });
      if (origin === ALLOWED_ORIGIN) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.writeHead(204);
      res.end();
      return;
    }
    // The handler runs whatever the origin: CORS headers are advice to the browser, not access control.
    req.resume();
    req.on('end', () => {
      const cookie = req.headers.cookie?.includes('session=') ?? false;
      handled.push({ method: req.method ?? '', path, origin, cookie });
      const body =
        req.method === 'PUT'
          ? { id: 42, status: 'paid' }
          : path.endsWith('/me')
            ? { user: cookie ? 'ada' : null }
            : { orders: [{ id: 41 }, { id: 42 }] };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  const apiHost = `127.0.0.1:${server.port}`;

  const send = async (method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ request: string; reply: WireReply }> => {
    const reply = await sendRequest(ctx, server.port, { method, path, headers, ...(body !== undefined ? { body } : {}) });
    return { request: lastSeen, reply };
  };

  /** What a browser does for fetch(): maybe a preflight, then the request, then the CORS check on the response. */
  const browserFetch = async (req: PageRequest) => {
    let preflight: Exchange | undefined;
    if (needsPreflight(req)) {
      // The preflight never carries cookies or the script's headers: only what is being asked for.
      const unsafe = unsafeHeaderNames(req.headers);
      const headers: Record<string, string> = { Accept: '*/*', Origin: req.origin, 'Access-Control-Request-Method': req.method };
      if (unsafe.length) headers['Access-Control-Request-Headers'] = unsafe.join(',');
      const { request, reply } = await send('OPTIONS', req.path, headers);
      preflight = { request, reply, check: preflightCheck(req, reply.status, reply.headers) };
      if (!preflight.check.ok) return { preflight, actual: undefined };
    }
    const headers: Record<string, string> = { ...req.headers, Origin: req.origin };
    if (req.credentials === 'include') headers.Cookie = COOKIE;
    const { request, reply } = await send(req.method, req.path, headers, req.body);
    return { preflight, actual: { request, reply, check: corsCheck(req, reply.headers) } };
  };

  out.say(
    `The API runs on ${apiHost} (think https://api.example.com). Its CORS policy allows one origin, ${ALLOWED_ORIGIN}: it echoes that origin with Allow-Credentials, allows GET, POST, PUT, DELETE and the headers Content-Type and Authorization. Another origin gets no CORS headers.`,
  );
  out.say(
    'The "browser" here sends exactly what a browser would send for each fetch(), then decides what the page may see by running the Fetch Standard\'s CORS check on the real response headers. The server logs every request it handled.',
  );

  let predicted: number | undefined;
  const choices = [
    'the browser does not send it: the server never sees it',
    'the server runs the handler and answers; the browser hides the answer',
    'the server automatically answers 403 Forbidden',
  ];
  if (ctx.prompts) {
    predicted = await ctx.prompts.predictChoice(`a script on ${OTHER_ORIGIN} sends a plain GET to this API. What happens?`, choices);
  }

  const outcomes: Outcome[] = [];
  const headings = { simple: '1. Simple requests: no preflight', preflight: '2. A PUT with JSON: the preflight', credentials: '3. Credentials: cookies and Allow-Origin' };
  let part = '';
  const showHeaders = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age', 'vary'];
  for (const [n, s] of SCENARIOS.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (s.part !== part) {
      part = s.part;
      out.heading(headings[s.part]);
      if (s.part === 'preflight') {
        out.say(
          'PUT is not GET, HEAD or POST, and application/json is not one of the three form content types, so the browser must first ask with OPTIONS. The preflight carries no cookies and no body.',
        );
      }
      if (s.part === 'credentials') {
        out.say(`With credentials: 'include' the browser attaches the user's cookies (here ${COOKIE}), and the response must name the exact origin and say Allow-Credentials: true.`);
        out.say('The API also has /public/ routes that answer any origin with Allow-Origin: * and Allow-Credentials: true, a combination often copied from a blog post.');
      }
    }
    out.say(`Case ${n + 1}: ${s.title}`);
    out.code(fetchCall(s, apiHost));
    const handledBefore = handled.length;
    const pre = needsPreflight(s.req);
    const r = await browserFetch(s.req);
    if (r.preflight) {
      out.say('The browser sends the preflight, and the server answers:');
      out.code(`${r.preflight.request}\n\n${formatResponseHead(r.preflight.reply, showHeaders)}`);
      out.step(
        `Preflight ${r.preflight.check.ok ? 'passed' : 'failed'}: ${r.preflight.check.rule}`,
        r.preflight.check.ok
          ? 'The answer covers this origin, this method and these headers: the browser goes on and sends the real request.'
          : `So the browser stops here: the ${s.req.method} is never sent, and fetch() rejects with a TypeError (a network error).`,
        { scenario: s.id, phase: 'preflight', status: r.preflight.reply.status, ok: r.preflight.check.ok, rule: r.preflight.check.rule },
      );
    }
    if (r.actual) {
      const a = r.actual;
      out.say(r.preflight ? `Then the ${s.req.method} itself:` : 'The browser sends, and the server answers:');
      out.code(`${a.request}\n\n${formatResponseHead(a.reply, showHeaders)}\n\n${a.reply.body.toString('utf8')}`);
      out.step(
        `CORS check ${a.check.ok ? 'passed' : 'failed'}: ${a.check.rule}`,
        a.check.ok
          ? `The browser hands the ${a.reply.status} response and its body to the script.`
          : `The server answered ${a.reply.status} with a body, and the browser received it, but it withholds it: the script sees only a TypeError, no status, no body.`,
        { scenario: s.id, phase: 'response', status: a.reply.status, ok: a.check.ok, rule: a.check.rule },
      );
    }
    const ran = handled.length > handledBefore;
    outcomes.push({
      id: s.id,
      preflight: pre,
      preflightOk: r.preflight ? r.preflight.check.ok : null,
      actualSent: r.actual !== undefined,
      actualStatus: r.actual?.reply.status ?? null,
      delivered: r.actual?.check.ok ?? false,
      rule: (r.actual ?? r.preflight)?.check.rule ?? '',
      serverRanHandler: ran,
    });
    if (s.id === 'simple-refused') {
      out.step(
        `Server log: the handler ${ran ? 'ran' : 'did not run'} for GET ${s.req.path} from ${s.req.origin}`,
        ran
          ? 'CORS did not stop the request. It only decides whether the page may read the response; a simple request (like a form post) always reaches the server. Protect state changes with auth and CSRF defences, not CORS.'
          : 'The request did not reach the handler.',
        { scenario: s.id, serverRanHandler: ran },
      );
      if (predicted !== undefined) {
        const observed = ran ? 1 : 0;
        out.say(predicted === observed ? `You predicted "${choices[predicted]}": right.` : `You predicted "${choices[predicted]}"; the server log says otherwise.`);
      }
    }
    if (s.id === 'put-refused' || s.id === 'put-header-refused') {
      out.step(
        `Server log: the PUT handler ${ran ? 'ran' : 'never ran'}`,
        ran ? 'The PUT reached the server.' : 'A failed preflight protects the server: the state-changing request was never sent.',
        { scenario: s.id, serverRanHandler: ran },
      );
    }
  }

  out.heading('Summary');
  const o = (id: string) => outcomes.find((x) => x.id === id)!;
  out.table([
    ['#', 'request', 'preflight', 'handler ran', 'the script gets'],
    ...outcomes.map((x, i) => [
      i + 1,
      SCENARIOS[i]!.short,
      x.preflightOk === null ? '-' : x.preflightOk ? 'passed' : 'failed',
      x.serverRanHandler ? 'yes' : 'no',
      x.delivered ? `${x.actualStatus} + body` : 'network error',
    ]),
  ]);
  out.figure('preflights the server answered', preflights.length);
  out.figure('requests the server handled', handled.length, `${handled.filter((h) => h.cookie).length} with the session cookie`);

  out.takeaways([
    'CORS is enforced by the browser on responses: it decides whether a script may read them, not whether the server runs the request.',
    'GET, HEAD and POST with safelisted headers go straight out; anything else (PUT, JSON, Authorization) is asked about first with OPTIONS.',
    'A failed preflight stops the real request; a refused simple request has already run on the server.',
    'With credentials the response must echo the exact origin plus Allow-Credentials: true; * is rejected. Echo only allowlisted origins and send Vary: Origin.',
  ]);

  return {
    outcomes: outcomes.map((x) => ({ ...x })),
    preflights: preflights.length,
    preflightsWithCookie: preflights.filter((p) => p.cookie).length,
    handled: handled.map((h) => ({ ...h })),
    simpleRefusedRanOnServer: o('simple-refused').serverRanHandler,
    predictedRight: predicted === undefined ? null : predicted === (o('simple-refused').serverRanHandler ? 1 : 0),
  };
}
