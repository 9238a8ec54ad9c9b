/**
 * Lab: the thundering herd. A real HTTP server on 127.0.0.1 with a cache in front of a slow "database";
 * N concurrent requests arrive just after the hot key expired. Every figure is counted, not assumed.
 * Then many keys expiring together, on a virtual clock: fixed TTL vs jittered TTL vs early refresh (XFetch).
 */
import type { ServerResponse } from 'node:http';
import { percentile, startServer } from '../src/labs/http-harness.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

type Strategy = 'naive' | 'single-flight' | 'stale-while-revalidate';

interface Entry {
  readonly value: string;
  /** Fresh until this time; after it the entry is expired (naive, single-flight) or stale (SWR). */
  readonly freshUntil: number;
}

const DB_LATENCY_MS = 150;
const STALE_WINDOW_MS = 60_000;

/** The database: slow, and it counts what it was asked and how many queries ran at once. */
function createDb() {
  const stats = { queries: 0, inFlight: 0, maxInFlight: 0 };
  return {
    stats,
    async loadProduct(id: string): Promise<string> {
      stats.queries++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await new Promise((r) => setTimeout(r, DB_LATENCY_MS));
      stats.inFlight--;
      return JSON.stringify({ id, name: `Product ${id}`, price: 1999, loadedAt: Date.now() });
    },
  };
}

function createCacheServer(strategy: Strategy, db: ReturnType<typeof createDb>) {
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string>>();
  const ttlMs = 30_000;
  const fill = (key: string, value: string) => cache.set(key, { value, freshUntil: Date.now() + ttlMs });
  const coalesced = (key: string): Promise<string> => {
    let p = inFlight.get(key);
    if (!p) {
      p = db.loadProduct(key).then((v) => {
        fill(key, v);
        return v;
      });
      inFlight.set(key, p);
      // Forget the in-flight load whether it worked or not, or one failure would stick forever.
      p.finally(() => inFlight.delete(key)).catch(() => undefined);
    }
    return p;
  };
  const handler = async (key: string, res: ServerResponse) => {
    const hit = cache.get(key);
    const now = Date.now();
    const send = (how: string, body: string) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-cache': how });
      res.end(body);
    };
    if (hit && hit.freshUntil > now) return send('HIT', hit.value);
    if (strategy === 'naive') {
      const value = await db.loadProduct(key);
      fill(key, value);
      return send('MISS', value);
    }
    if (strategy === 'single-flight') {
      const leader = !inFlight.has(key);
      return send(leader ? 'MISS' : 'COALESCED', await coalesced(key));
    }
    if (hit && now - hit.freshUntil < STALE_WINDOW_MS) {
      // Serve the stale copy now; one background refresh replaces it.
      const leader = !inFlight.has(key);
      coalesced(key).catch(() => undefined);
      return send(leader ? 'STALE+REFRESH' : 'STALE', hit.value);
    }
    return send('MISS', await coalesced(key));
  };
  return {
    cache,
    handler,
    expire(key: string) {
      const e = cache.get(key);
      if (e) cache.set(key, { ...e, freshUntil: Date.now() - 1 });
    },
    fill,
  };
}

interface PhaseResult {
  readonly strategy: Strategy;
  readonly requests: number;
  readonly dbQueries: number;
  readonly maxConcurrentDbQueries: number;
  readonly p50Ms: number;
  readonly maxMs: number;
  readonly byCacheHeader: Readonly<Record<string, number>>;
}

async function herdPhase(ctx: LabContext, strategy: Strategy, concurrency: number): Promise<PhaseResult> {
  const db = createDb();
  const app = createCacheServer(strategy, db);
  const server = await startServer(ctx, (req, res) => {
    const key = (req.url ?? '/').split('/').pop() ?? '';
    app.handler(key, res).catch((error: Error) => {
      res.writeHead(500);
      res.end(error.message);
    });
  });
  // Warm the key, then let it expire: the moment a herd forms.
  app.fill('42', await db.loadProduct('42'));
  app.expire('42');
  db.stats.queries = 0;
  db.stats.maxInFlight = 0;
  const replies = await Promise.all(Array.from({ length: concurrency }, () => server.get('/products/42')));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const byCacheHeader: Record<string, number> = {};
  for (const r of replies) {
    const h = String(r.headers['x-cache'] ?? r.status);
    byCacheHeader[h] = (byCacheHeader[h] ?? 0) + 1;
  }
  // Let a background refresh (SWR) land before counting.
  await new Promise((r) => setTimeout(r, DB_LATENCY_MS + 20));
  const ms = replies.map((r) => r.ms);
  return {
    strategy,
    requests: replies.length,
    dbQueries: db.stats.queries,
    maxConcurrentDbQueries: db.stats.maxInFlight,
    p50Ms: Math.round(percentile(ms, 50)),
    maxMs: Math.round(percentile(ms, 100)),
    byCacheHeader,
  };
}

type ExpiryMode = 'fixed' | 'jitter' | 'xfetch' | 'jitter+xfetch';

interface ExpirySim {
  readonly mode: ExpiryMode;
  readonly keys: number;
  /** Reads that found their key expired and had to wait for the database. */
  readonly missedReads: number;
  readonly dbQueries: number;
  readonly peakPerSecond: number;
}

const EXPIRY_LABEL: Record<ExpiryMode, string> = {
  fixed: 'fixed 60 s TTL',
  jitter: '60 s ± 20% jitter',
  xfetch: 'XFetch early refresh',
  'jitter+xfetch': 'jitter + XFetch',
};

/**
 * Virtual clock: 500 keys all cached at t=0 (a deploy, a cache flush), TTL 60 s, each key read about 10 times
 * a second, a rebuild takes 150 ms. Every read that finds its key expired queries the database (no locking),
 * so a rebuild window also lets a per-key herd through. Counts database loads per second from t=40 s to 80 s.
 */
function simulateExpiry(rng: () => number, mode: ExpiryMode): ExpirySim {
  const keys = 500;
  const reads = 10;
  const rebuild = 0.15;
  const from = 40;
  const to = 80;
  const jitter = mode.startsWith('jitter');
  const xfetch = mode.endsWith('xfetch');
  const ttl = () => 60 * (jitter ? 0.8 + 0.4 * rng() : 1);
  const expires = Array.from({ length: keys }, ttl);
  const refreshedAt = new Array<number>(keys).fill(-1);
  const perSecond = new Array<number>(to - from).fill(0);
  let dbQueries = 0;
  let missedReads = 0;
  for (let step = from * reads; step < to * reads; step++) {
    for (let k = 0; k < keys; k++) {
      const at = (step + rng()) / reads;
      if (refreshedAt[k]! >= 0 && at >= refreshedAt[k]!) {
        expires[k] = refreshedAt[k]! + ttl();
        refreshedAt[k] = -1;
      }
      const expired = at >= expires[k]!;
      // XFetch (Vattani et al., VLDB 2015), beta 1: refresh early with a probability that rises near expiry.
      const early = xfetch && !expired && at - rebuild * Math.log(rng()) >= expires[k]!;
      if (!expired && !early) continue;
      if (expired) missedReads++;
      dbQueries++;
      perSecond[Math.floor(at) - from]!++;
      if (refreshedAt[k]! < 0) refreshedAt[k] = at + rebuild;
    }
  }
  return { mode, keys, missedReads, dbQueries, peakPerSecond: Math.max(...perSecond) };
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const concurrency = ctx.params.concurrency ?? 100;
  out.say(
    `A product page cached with cache-aside. The server runs on 127.0.0.1; its database takes ${DB_LATENCY_MS} ms per query. The hot key has just expired and ${concurrency} requests arrive at once.`,
  );
  if (ctx.prompts) {
    const guess = await ctx.prompts.predictChoice(`with plain cache-aside, how many of the ${concurrency} requests reach the database?`, [
      '1: the first miss fills the cache for everyone',
      `about ${Math.round(concurrency / 10)}: most requests find the value already cached`,
      `${concurrency}: every request misses before the first load finishes`,
    ]);
    if (guess !== undefined) out.say(guess === 2 ? 'That is the herd. Let us count it.' : 'Let us count it.');
  }

  const phases: PhaseResult[] = [];
  const notes: Record<Strategy, [string, string]> = {
    naive: [
      'Plain cache-aside',
      'Each request checks the cache, misses, and queries the database itself: every miss that arrives before the first load finishes is another query.',
    ],
    'single-flight': [
      'Request coalescing (single-flight)',
      'The first miss starts the load and stores its promise; every other miss awaits the same promise. One query; everyone waits for it.',
    ],
    'stale-while-revalidate': [
      'Stale-while-revalidate',
      'Expired entries are kept for a grace period: requests get the stale copy at once while one background load refreshes it.',
    ],
  };
  for (const strategy of ['naive', 'single-flight', 'stale-while-revalidate'] as const) {
    out.heading(notes[strategy][0]);
    const r = await herdPhase(ctx, strategy, concurrency);
    phases.push(r);
    out.figure('requests sent', r.requests);
    out.figure('database queries', r.dbQueries, `max ${r.maxConcurrentDbQueries} at once`);
    out.figure('latency p50 / max', `${r.p50Ms} ms / ${r.maxMs} ms`);
    out.figure('X-Cache headers', Object.entries(r.byCacheHeader).map(([k, v]) => `${k} ${v}`).join(', '));
    out.step(`${r.dbQueries} quer${r.dbQueries === 1 ? 'y' : 'ies'} for ${r.requests} requests`, notes[strategy][1], { ...r });
  }

  out.heading(`Database queries for ${concurrency} concurrent requests`);
  out.bars(phases.map((p) => ({ label: p.strategy, value: p.dbQueries })));

  out.heading('Many keys expiring together: fixed TTL vs jitter vs early refresh');
  out.say('Virtual clock: 500 keys cached at the same moment with a 60 s TTL, each read about 10 times a second. Database loads per second between t=40 s and t=80 s:');
  const sims = (['fixed', 'jitter', 'xfetch', 'jitter+xfetch'] as const).map((m) => simulateExpiry(ctx.rng, m));
  out.table([['TTL policy', 'missed reads', 'DB loads', 'peak per second'], ...sims.map((x) => [EXPIRY_LABEL[x.mode], x.missedReads, x.dbQueries, x.peakPerSecond])]);
  const [fixed, jitter, xfetch, both] = sims as [ExpirySim, ExpirySim, ExpirySim, ExpirySim];
  const perKey = (x: ExpirySim) => (x.dbQueries / x.keys).toFixed(1);
  out.step(
    `Fixed TTL: ${fixed.dbQueries} loads for ${fixed.keys} keys (${perKey(fixed)} per key), ${fixed.peakPerSecond} in the worst second`,
    'Keys cached together expire together, and every read that arrives while a key is being rebuilt misses too: more loads than keys, all at once.',
    { ...fixed },
  );
  out.step(
    `Jitter: the peak drops to ${jitter.peakPerSecond} per second; still ${jitter.missedReads} missed reads`,
    'Randomised TTLs spread the expiries over a window: a ramp instead of a cliff. Each key still has its own small herd during its rebuild.',
    { ...jitter },
  );
  out.step(
    `XFetch: ${xfetch.missedReads} missed reads, ${perKey(xfetch)} loads per key, peak ${xfetch.peakPerSecond} per second`,
    `Readers refresh shortly before expiry while the value is still valid, so fewer reads miss (${xfetch.missedReads} against ${fixed.missedReads}); a larger beta refreshes earlier still. Without a lock several readers can refresh at once, and keys cached together are still refreshed together: the peak stays high.`,
    { ...xfetch },
  );
  out.step(
    `Both: ${both.missedReads} missed reads, peak ${both.peakPerSecond} per second`,
    'Jitter de-synchronises the keys, early refresh keeps reads from missing: use them together (and a lock per key to stop duplicate refreshes).',
    { ...both },
  );

  out.takeaways([
    'Cache-aside lets every concurrent miss hit the database: the herd is as large as the traffic during one rebuild.',
    'Single-flight (an in-flight promise per key) turns N misses into one query per process; across a cluster, a distributed lock (SET NX EX) makes it one overall.',
    'Stale-while-revalidate removes the wait as well: serve the old value, refresh once in the background.',
    'Jittered TTLs and probabilistic early expiration stop many keys, or one hot key, from expiring all at once.',
  ]);

  return {
    concurrency,
    dbLatencyMs: DB_LATENCY_MS,
    phases: phases.map((p) => ({ ...p })),
    expiry: sims.map((x) => ({ ...x })),
  };
}
