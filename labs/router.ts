/**
 * Lab: routing. Two routers built here for real: a list of regexes tried in registration order (what Express
 * does) and a radix tree (compressed trie) ranking static > parameter > wildcard with backtracking (what
 * find-my-way, Fastify's router, does). Both serve a real HTTP server on 127.0.0.1: which route answered,
 * 404 versus 405 with Allow. Then both match a seeded set of generated routes in-process, counting the
 * route comparisons each lookup needed and timing them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendHttp, showExchange } from '../src/labs/http-any-method.js';
import { startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

interface RouteDef {
  readonly method: string;
  readonly pattern: string;
}

type Lookup =
  | { readonly kind: 'found'; readonly route: RouteDef; readonly params: Readonly<Record<string, string>>; readonly comparisons: number }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[]; readonly comparisons: number }
  | { readonly kind: 'not-found'; readonly comparisons: number };

interface Router {
  add(method: string, pattern: string): void;
  find(method: string, path: string): Lookup;
}

const label = (r: RouteDef) => `${r.method} ${r.pattern}`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Express's model: one layer per route, each a regex compiled from the pattern, tried in registration order;
 * the first layer whose path and method match wins. A comparison is one regex test.
 */
export function listRouter(): Router {
  const layers: { route: RouteDef; re: RegExp; keys: string[] }[] = [];
  return {
    add(method, pattern) {
      const keys: string[] = [];
      const src = pattern
        .split('/')
        .map((seg) => {
          if (seg.startsWith(':')) return keys.push(seg.slice(1)), '([^/]+)';
          if (seg === '*') return keys.push('*'), '(.*)';
          return escapeRe(seg);
        })
        .join('/');
      layers.push({ route: { method, pattern }, re: new RegExp(`^${src}$`), keys });
    },
    find(method, path) {
      let comparisons = 0;
      const allow = new Set<string>();
      for (const layer of layers) {
        comparisons++;
        const m = layer.re.exec(path);
        if (!m) continue;
        if (layer.route.method !== method) {
          // The path matched but not the method: remember it for Allow, keep scanning.
          allow.add(layer.route.method);
          continue;
        }
        const params: Record<string, string> = {};
        layer.keys.forEach((k, i) => (params[k] = m[i + 1] ?? ''));
        return { kind: 'found', route: layer.route, params, comparisons };
      }
      return allow.size ? { kind: 'method-not-allowed', allow: [...allow].sort(), comparisons } : { kind: 'not-found', comparisons };
    },
  };
}

interface RadixNode {
  /** The static text this node consumes (compressed: several characters, possibly several segments). */
  label: string;
  readonly kind: 'static' | 'param' | 'wildcard';
  readonly name: string;
  /** Static children keyed by their first character: at most one can match. */
  statics: Map<string, RadixNode>;
  param: RadixNode | undefined;
  wildcard: RadixNode | undefined;
  /** Method -> route, for routes ending at this node. */
  handlers: Map<string, RouteDef>;
}

const node = (kind: RadixNode['kind'], label: string, name = ''): RadixNode => ({ label, kind, name, statics: new Map(), param: undefined, wildcard: undefined, handlers: new Map() });

/**
 * find-my-way's model: a radix tree of static prefixes, with one parameter child and one wildcard child per
 * node. Lookup tries the static child, then the parameter, then the wildcard, and backtracks out of dead
 * ends. A comparison is one node tested (a prefix compared, a parameter read, a wildcard taken).
 */
export function radixRouter(): Router & { nodes(): number } {
  const root = node('static', '');
  let nodes = 1;
  const insertStatic = (start: RadixNode, text: string): RadixNode => {
    let parent = start;
    while (text) {
      const child = parent.statics.get(text[0]!);
      if (!child) {
        const n = node('static', text);
        nodes++;
        parent.statics.set(text[0]!, n);
        return n;
      }
      let k = 0;
      while (k < child.label.length && k < text.length && child.label[k] === text[k]) k++;
      if (k < child.label.length) {
        // Split: the shared prefix stays in `child`, the rest moves down into a new node.
        const tail: RadixNode = { ...child, label: child.label.slice(k) };
        nodes++;
        child.label = child.label.slice(0, k);
        child.statics = new Map([[tail.label[0]!, tail]]);
        child.param = undefined;
        child.wildcard = undefined;
        child.handlers = new Map();
      }
      parent = child;
      text = text.slice(k);
    }
    return parent;
  };
  const search = (n: RadixNode, path: string, i: number, method: string, params: [string, string][], st: { comparisons: number; allow: Set<string> }): RouteDef | undefined => {
    if (i === path.length && n.handlers.size) {
      const hit = n.handlers.get(method);
      if (hit) return hit;
      for (const m of n.handlers.keys()) st.allow.add(m);
    }
    if (i < path.length) {
      const s = n.statics.get(path[i]!);
      if (s) {
        st.comparisons++;
        if (path.startsWith(s.label, i)) {
          const r = search(s, path, i + s.label.length, method, params, st);
          if (r) return r;
        }
      }
      if (n.param) {
        st.comparisons++;
        let j = path.indexOf('/', i);
        if (j < 0) j = path.length;
        if (j > i) {
          params.push([n.param.name, path.slice(i, j)]);
          const r = search(n.param, path, j, method, params, st);
          if (r) return r;
          params.pop();
        }
      }
    }
    if (n.wildcard) {
      st.comparisons++;
      const hit = n.wildcard.handlers.get(method);
      if (hit) {
        params.push(['*', path.slice(i)]);
        return hit;
      }
      for (const m of n.wildcard.handlers.keys()) st.allow.add(m);
    }
    return undefined;
  };
  return {
    nodes: () => nodes,
    add(method, pattern) {
      let at = root;
      // Tokens: static runs, ":name" up to the next "/", and a final "*".
      for (const tok of pattern.match(/:[^/]+|\*|[^:*]+/g) ?? []) {
        if (tok.startsWith(':')) {
          if (at.param && at.param.name !== tok.slice(1)) throw new Error(`conflicting parameter names at ${pattern}`);
          at.param ??= (nodes++, node('param', '', tok.slice(1)));
          at = at.param;
        } else if (tok === '*') {
          at.wildcard ??= (nodes++, node('wildcard', '', '*'));
          at = at.wildcard;
        } else at = insertStatic(at, tok);
      }
      at.handlers.set(method, { method, pattern });
    },
    find(method, path) {
      const st = { comparisons: 0, allow: new Set<string>() };
      const params: [string, string][] = [];
      const route = search(root, path, 0, method, params, st);
      if (route) return { kind: 'found', route, params: Object.fromEntries(params), comparisons: st.comparisons };
      return st.allow.size ? { kind: 'method-not-allowed', allow: [...st.allow].sort(), comparisons: st.comparisons } : { kind: 'not-found', comparisons: st.comparisons };
    },
  };
}

/** The small app of the first two parts, in the order a team might have added the routes over time. */
const APP_ROUTES: readonly RouteDef[] = [
  { method: 'GET', pattern: '/users/:id' },
  { method: 'GET', pattern: '/users/me' },
  { method: 'GET', pattern: '/users/*' },
  { method: 'GET', pattern: '/users/:id/posts' },
  { method: 'PUT', pattern: '/users/:id' },
];

/** An HTTP handler around a router: 200 names the route, 405 carries Allow, 404 otherwise. */
function serve(router: Router) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const r = router.find(req.method ?? 'GET', path);
    const headers = { 'content-type': 'application/json', 'x-route-comparisons': String(r.comparisons) };
    if (r.kind === 'found') {
      res.writeHead(200, { ...headers, 'x-route': label(r.route) });
      res.end(JSON.stringify({ route: r.route.pattern, params: r.params }));
    } else if (r.kind === 'method-not-allowed') {
      // RFC 9110: a 405 must say which methods the resource does support.
      res.writeHead(405, { ...headers, allow: r.allow.join(', ') });
      res.end(JSON.stringify({ error: 'method not allowed' }));
    } else {
      res.writeHead(404, headers);
      res.end(JSON.stringify({ error: 'not found' }));
    }
  };
}

/** Seeded: distinct resource names, each with the usual six routes, static ones before parameters. */
function generateRoutes(rng: () => number, count: number): { routes: RouteDef[]; names: string[] } {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const names = new Set<string>();
  const routes: RouteDef[] = [];
  while (routes.length < count) {
    let name = '';
    const len = 4 + Math.floor(rng() * 6);
    for (let i = 0; i < len; i++) name += letters[Math.floor(rng() * 26)];
    if (names.has(name)) continue;
    names.add(name);
    const base = `/api/${name}`;
    const shapes: RouteDef[] = [
      { method: 'GET', pattern: base },
      { method: 'POST', pattern: base },
      { method: 'GET', pattern: `${base}/search` },
      { method: 'GET', pattern: `${base}/:id` },
      { method: 'DELETE', pattern: `${base}/:id` },
      { method: 'GET', pattern: `${base}/:id/items/:itemId` },
    ];
    routes.push(...shapes.slice(0, count - routes.length));
  }
  return { routes, names: [...names] };
}

interface Probe {
  readonly method: string;
  readonly path: string;
  /** The route it was generated from, or undefined for a path no route matches. */
  readonly expect: string | undefined;
}

function makeProbes(rng: () => number, routes: readonly RouteDef[], names: readonly string[], count: number) {
  const hits: Probe[] = [];
  const misses: Probe[] = [];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
  const id = () => String(1 + Math.floor(rng() * 99_999));
  const known = new Set(names);
  for (let i = 0; i < count; i++) {
    if (i % 10 === 9) {
      // One in ten: a path no route matches (an unknown resource, or a known one with an extra segment).
      if (rng() < 0.5) {
        let name = `x${pick(names)}`;
        while (known.has(name)) name += 'x';
        misses.push({ method: 'GET', path: `/api/${name}/${id()}`, expect: undefined });
      } else misses.push({ method: 'GET', path: `/api/${pick(names)}/${id()}/items/${id()}/extra`, expect: undefined });
    } else {
      const r = pick(routes);
      hits.push({ method: r.method, path: r.pattern.replace(/:[^/]+/g, id), expect: label(r) });
    }
  }
  return { hits, misses };
}

interface Measured {
  readonly cmpHit: number;
  readonly cmpMiss: number;
  readonly maxCmp: number;
  readonly usHit: number;
  readonly usMiss: number;
  readonly agree: number;
}

/** Let the event loop run (a Ctrl-C is delivered there), then stop if the lab was aborted. */
async function breathe(signal: AbortSignal): Promise<void> {
  await new Promise((r) => setImmediate(r));
  if (signal.aborted) throw signal.reason;
}

async function measure(router: Router, hits: readonly Probe[], misses: readonly Probe[], signal: AbortSignal): Promise<Measured> {
  let cmpHit = 0;
  let cmpMiss = 0;
  let maxCmp = 0;
  let agree = 0;
  for (const [i, p] of hits.entries()) {
    if (i % 200 === 0) await breathe(signal);
    const r = router.find(p.method, p.path);
    cmpHit += r.comparisons;
    maxCmp = Math.max(maxCmp, r.comparisons);
    if (r.kind === 'found' && label(r.route) === p.expect) agree++;
  }
  for (const p of misses) {
    const r = router.find(p.method, p.path);
    cmpMiss += r.comparisons;
    maxCmp = Math.max(maxCmp, r.comparisons);
    if (r.kind === 'not-found') agree++;
  }
  // Timing: the best of 2–5 passes over up to 400 probes of each set, within ~80 ms (the counting pass above
  // warmed up the JIT).
  const time = async (all: readonly Probe[]) => {
    const probes = all.slice(0, 400);
    let best = Infinity;
    const started = performance.now();
    for (let pass = 0; pass < 5 && (pass < 2 || performance.now() - started < 80); pass++) {
      await breathe(signal);
      const t0 = performance.now();
      for (const p of probes) router.find(p.method, p.path);
      best = Math.min(best, performance.now() - t0);
    }
    return probes.length ? (best * 1000) / probes.length : 0;
  };
  const usHit = await time(hits);
  const usMiss = await time(misses);
  return { cmpHit: cmpHit / Math.max(1, hits.length), cmpMiss: cmpMiss / Math.max(1, misses.length), maxCmp, usHit, usMiss, agree };
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const us = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const routeCount = Math.max(10, Math.round(ctx.params.routes ?? 1000));
  const lookups = Math.max(100, Math.round(ctx.params.lookups ?? 2000));

  out.say(
    'Two routers, both built in this lab: a list of regexes tried in registration order, the way Express does it, and a radix tree that ranks static > parameter > wildcard and backtracks, the way find-my-way (Fastify) does it. Each serves a real HTTP server on 127.0.0.1.',
  );
  out.heading('1. Which route wins');
  out.say('The routes, in the order they were registered:');
  out.code(APP_ROUTES.map((r, i) => `${i + 1}. app.${r.method.toLowerCase()}('${r.pattern}', …)`).join('\n'));

  const list = listRouter();
  const radix = radixRouter();
  for (const r of APP_ROUTES) {
    list.add(r.method, r.pattern);
    radix.add(r.method, r.pattern);
  }
  const listServer = await startServer(ctx, serve(list));
  const radixServer = await startServer(ctx, serve(radix));

  const candidates = APP_ROUTES.filter((r) => r.method === 'GET').map((r) => r.pattern);
  let guess: number | undefined;
  if (ctx.prompts) guess = await ctx.prompts.predictChoice('GET /users/me on the list router (first match wins): which route answers?', candidates);

  const paths = ['/users/me', '/users/42', '/users/me/posts', '/users/42/posts', '/users/me/x'];
  const rows: string[][] = [['GET path', 'list (first match)', 'radix (most specific)']];
  const precedence: Record<string, { list: string; radix: string; params: string }> = {};
  for (const path of paths) {
    const [a, b] = await Promise.all([listServer.get(path), radixServer.get(path)]);
    const routeOf = (r: typeof a) => (r.status === 200 ? (JSON.parse(r.body) as { route: string }).route : String(r.status));
    const paramsOf = (r: typeof a) => (r.status === 200 ? JSON.stringify((JSON.parse(r.body) as { params: Record<string, string> }).params).replace('{}', '') : '');
    precedence[path] = { list: routeOf(a), radix: routeOf(b), params: paramsOf(b) };
    rows.push([path, routeOf(a), routeOf(b)]);
  }
  out.table(rows);
  const me = precedence['/users/me']!;
  if (guess !== undefined) {
    out.say(candidates[guess] === me.list ? `You predicted ${candidates[guess]}: right.` : `You predicted ${candidates[guess]}; the list router answered with ${me.list}.`);
  }
  for (const path of paths) {
    const p = precedence[path]!;
    const listIdx = APP_ROUTES.findIndex((r) => r.method === 'GET' && r.pattern === p.list) + 1;
    if (p.list === p.radix) {
      out.step(`${path}: both chose ${p.list}`, `Only one route can match it, or the one registered first is also the most specific. Params: ${p.params || 'none'}.`, { path, list: p.list, radix: p.radix });
    } else {
      out.step(
        `${path}: list → ${p.list}, radix → ${p.radix}`,
        `The list took route ${listIdx}, the first registered whose regex matches. The tree ignores registration order: at each level it tries static text, then a parameter, then the wildcard, backing out of dead ends. Params: ${p.params || 'none'}.`,
        { path, list: p.list, radix: p.radix },
      );
    }
  }

  out.heading('2. 404 versus 405');
  out.say('A path no route matches is 404. A path that matches a route, with a method it lacks, is 405 and must carry Allow (RFC 9110). Both routers keep scanning after a path-only match to collect those methods.');
  const requests: [string, string][] = [
    ['DELETE', '/users/42'],
    ['POST', '/users/me'],
    ['GET', '/orders/7'],
    ['DELETE', '/nope'],
  ];
  const statusRows: string[][] = [['request', 'list', 'radix', 'Allow', 'cmp list', 'cmp radix']];
  const statuses: Record<string, { list: number; radix: number; allow: string; cmpList: number; cmpRadix: number }> = {};
  let shown405 = false;
  for (const [method, path] of requests) {
    const [a, b] = await Promise.all([sendHttp(listServer.port, method, path), sendHttp(radixServer.port, method, path)]);
    const allow = String(b.headers.allow ?? a.headers.allow ?? '');
    const s = { list: a.status, radix: b.status, allow, cmpList: Number(a.headers['x-route-comparisons']), cmpRadix: Number(b.headers['x-route-comparisons']) };
    statuses[`${method} ${path}`] = s;
    statusRows.push([`${method} ${path}`, String(s.list), String(s.radix), allow || '—', String(s.cmpList), String(s.cmpRadix)]);
    if (b.status === 405 && !shown405) {
      shown405 = true;
      out.code(showExchange(method, path, b, ['allow']));
    }
  }
  out.table(statusRows);
  for (const [key, s] of Object.entries(statuses)) {
    out.step(
      `${key} → ${s.radix}${s.allow ? `, Allow: ${s.allow}` : ''}`,
      s.radix === 405
        ? `Some route's pattern matches this path but none for ${key.split(' ')[0]}. The client learns the resource exists and what it may send instead.`
        : 'No route pattern matches this path, whatever the method.',
      { request: key, list: s.list, radix: s.radix, allow: s.allow },
    );
  }
  out.say('Express itself answers such a request with 404 ("Cannot DELETE /users/42") unless you add a 405 handler; it only builds Allow for OPTIONS.');

  out.heading(`3. Matching cost over ${routeCount.toLocaleString('en-US')} generated routes`);
  const gen = generateRoutes(ctx.rng, routeCount);
  out.say(
    `Seeded routes: /api/<name>, /api/<name>/search, /api/<name>/:id and /api/<name>/:id/items/:itemId with GET, POST or DELETE, ${gen.names.length} names. ${lookups.toLocaleString('en-US')} lookups: 9 in 10 hit a route, 1 in 10 matches nothing. In-process: HTTP would add far more than routing costs. A comparison is one regex test (list) or one tree node tested (radix).`,
  );
  let guessMiss: number | undefined;
  if (ctx.prompts) {
    guessMiss = await ctx.prompts.predictChoice(`at ${routeCount} routes, how many route comparisons does the list router need for a lookup that matches nothing?`, [
      'a handful: it stops early',
      `about half the routes (${Math.round(routeCount / 2)})`,
      `all of them (${routeCount})`,
    ]);
  }
  const sizes = [...new Set([10, 100, routeCount].filter((s) => s <= routeCount))];
  const perf: Record<string, { list: Measured; radix: Measured; radixNodes: number }> = {};
  const perfRows: (string | number)[][] = [['routes', 'router', 'cmp/hit', 'cmp/miss', 'max cmp', 'µs/hit', 'µs/miss']];
  for (const size of sizes) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const routes = gen.routes.slice(0, size);
    const names = gen.names.slice(0, Math.ceil(size / 6));
    const { hits, misses } = makeProbes(ctx.rng, routes, names, lookups);
    const l = listRouter();
    const t = radixRouter();
    for (const r of routes) {
      l.add(r.method, r.pattern);
      t.add(r.method, r.pattern);
    }
    const m = { list: await measure(l, hits, misses, ctx.signal), radix: await measure(t, hits, misses, ctx.signal), radixNodes: t.nodes() };
    perf[String(size)] = m;
    for (const [name, v] of [['list', m.list], ['radix', m.radix]] as const) {
      perfRows.push([size, name, r1(v.cmpHit), r1(v.cmpMiss), v.maxCmp, us(v.usHit), us(v.usMiss)]);
    }
  }
  out.table(perfRows);
  const big = perf[String(routeCount)]!;
  const total = lookups;
  out.step(
    `Expected route (or 404) for ${total} lookups: list ${big.list.agree}, radix ${big.radix.agree}`,
    'The generated app registers static routes (/search) before parametric ones, so registration order and specificity agree here: the routers differ in cost, not in answers.',
    { listAgree: big.list.agree, radixAgree: big.radix.agree, lookups: total },
  );
  out.step(
    `A miss cost the list ${r1(big.list.cmpMiss)} comparisons, the tree ${r1(big.radix.cmpMiss)}`,
    `The list must test every layer before it can say 404 (${routeCount} routes here), and a hit costs on average the position of its route. The tree follows the path's characters, so its count depends on the path's shape, not on how many routes exist.`,
    { routes: routeCount, listMiss: big.list.cmpMiss, radixMiss: big.radix.cmpMiss, listHit: big.list.cmpHit, radixHit: big.radix.cmpHit },
  );
  const small = perf[String(sizes[0])]!;
  if (sizes[0] !== routeCount) {
    const faster = small.list.usHit <= small.radix.usHit ? 'the list' : 'the tree';
    out.step(
      `At ${sizes[0]} routes a hit took list ${us(small.list.usHit)} µs, tree ${us(small.radix.usHit)} µs: ${faster} was faster`,
      `With a handful of routes a few regex tests cost about what a tree walk costs; the list's cost grows with every route added (${r1(small.list.cmpHit)} → ${r1(big.list.cmpHit)} comparisons per hit), the tree's barely moves (${r1(small.radix.cmpHit)} → ${r1(big.radix.cmpHit)}).`,
      { routes: sizes[0]!, listUsHit: small.list.usHit, radixUsHit: small.radix.usHit },
    );
  }
  if (guessMiss !== undefined) {
    const c = big.list.cmpMiss;
    const actual = c >= routeCount * 0.9 ? 2 : c >= routeCount * 0.3 && c <= routeCount * 0.7 ? 1 : c <= 10 ? 0 : -1;
    out.say(guessMiss === actual ? `You predicted it: ${r1(c)} comparisons per miss.` : `Not what you predicted: the list made ${r1(c)} comparisons per miss.`);
  }
  out.figure('radix tree size', `${big.radixNodes} nodes for ${routeCount} routes`);
  out.bars(
    sizes.flatMap((s) => [
      { label: `list, ${s} routes`, value: Math.round(perf[String(s)]!.list.usMiss * 100) / 100 },
      { label: `radix, ${s} routes`, value: Math.round(perf[String(s)]!.radix.usMiss * 100) / 100 },
    ]),
    'µs/miss',
  );
  const ratio = big.radix.usMiss > 0 ? big.list.usMiss / big.radix.usMiss : 0;
  out.figure(`a miss, ${routeCount} routes`, `list ${us(big.list.usMiss)} µs, tree ${us(big.radix.usMiss)} µs`, ratio >= 1 ? `${ratio.toFixed(0)}×` : 'list faster');

  out.takeaways([
    'A list of regexes is first-match-wins: register /users/me before /users/:id, or it is never reached.',
    'A radix tree ranks static > parameter > wildcard regardless of order, and backtracks out of dead ends.',
    'Path matched but method not: 405 with Allow. No path matched: 404. Express needs you to add the 405.',
    'List lookup is O(routes), worst on a 404; tree lookup is O(path length). It matters with thousands of routes or 404-heavy traffic, rarely otherwise.',
  ]);

  return {
    routes: routeCount,
    lookups,
    precedence,
    statuses,
    perf: Object.fromEntries(
      Object.entries(perf).map(([k, v]) => [
        k,
        {
          list: { cmpHit: r1(v.list.cmpHit), cmpMiss: r1(v.list.cmpMiss), maxCmp: v.list.maxCmp, agree: v.list.agree, usHit: v.list.usHit, usMiss: v.list.usMiss },
          radix: { cmpHit: r1(v.radix.cmpHit), cmpMiss: r1(v.radix.cmpMiss), maxCmp: v.radix.maxCmp, agree: v.radix.agree, usHit: v.radix.usHit, usMiss: v.radix.usMiss },
          radixNodes: v.radixNodes,
        },
      ]),
    ),
  };
}
