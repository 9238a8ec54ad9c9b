/**
 * Every lab, sorted by id: metadata for `lab --list` and content checks, and a loader so that listing
 * labs never imports them. The demo itself lives in labs/<id>.ts.
 */
import type { LabModule, LabParam } from './types.js';

export interface LabInfo {
  readonly id: string;
  readonly title: string;
  readonly topic: string;
  readonly summary: string;
  /** Question tags that this lab demonstrates: its related questions. */
  readonly tags: readonly string[];
  readonly params?: readonly LabParam[];
  readonly load: () => Promise<LabModule>;
}

export const LABS: readonly LabInfo[] = [
  {
    id: 'at-least-once',
    title: 'Offsets, crashes and idempotency',
    topic: 'task-queues',
    tags: ['at-least-once', 'delivery-guarantees', 'offsets', 'kafka', 'idempotency', 'exactly-once', 'consumer-groups'],
    params: [
      { name: 'messages', description: 'deposits in the log', default: 12, min: 4, max: 40 },
      { name: 'batch', description: 'messages per poll', default: 4, min: 1, max: 20 },
      { name: 'crash', description: 'SIGKILL after this many committed credits', default: 6, min: 1, max: 40 },
    ],
    summary: 'A consumer child process reads a partitioned on-disk log and credits deposits in SQLite; it is SIGKILLed before committing its offset and restarted — commit-first, process-first, and process-first with a dedup table.',
    load: () => import('../../labs/at-least-once.js'),
  },
  {
    id: 'cache-eviction',
    title: 'Cache eviction: LRU, LFU, FIFO, OPT',
    topic: 'caching',
    tags: ['eviction', 'lru', 'lfu', 'fifo', 'hit-ratio'],
    params: [
      { name: 'keys', description: 'distinct keys in the trace', default: 1000, min: 50, max: 20_000 },
      { name: 'requests', description: 'reads in the trace', default: 20_000, min: 1000, max: 100_000 },
      { name: 'zipf', description: 'Zipf exponent × 100', default: 100, min: 50, max: 200 },
      { name: 'scan', description: 'cold keys read once by the scan', default: 2000, min: 0, max: 20_000 },
    ],
    summary: 'Replays one seeded Zipf access trace through real FIFO, LRU and LFU caches at five sizes against Bélády’s optimal ceiling, then injects a scan of cold keys and a shift of the hot set.',
    load: () => import('../../labs/cache-eviction.js'),
  },
  {
    id: 'circuit-breaker',
    title: 'Retry storms and circuit breakers',
    topic: 'error-handling',
    tags: ['circuit-breaker', 'retries', 'retry-storm', 'jitter', 'resilience'],
    params: [
      { name: 'outage', description: 'ms the dependency fails', default: 300, min: 100, max: 1000 },
      { name: 'threshold', description: 'consecutive failures that open the breaker', default: 5, min: 1, max: 20 },
      { name: 'cooldown', description: 'ms the breaker stays open before a trial call', default: 100, min: 20, max: 1000 },
    ],
    summary: 'Sends one stream of client requests to a local HTTP dependency that answers 503 for a while — naive retries, full-jitter backoff, a circuit breaker — counting calls at the server and printing each breaker transition as it happens.',
    load: () => import('../../labs/circuit-breaker.js'),
  },
  {
    id: 'compression',
    title: 'Compression: gzip, deflate, brotli',
    topic: 'http',
    tags: ['compression', 'content-negotiation', 'vary'],
    params: [
      { name: 'kb', description: 'approximate size in KiB of the JSON, HTML and random payloads', default: 32, min: 4, max: 512 },
      { name: 'minBytes', description: 'the server’s threshold: smaller bodies are sent uncompressed', default: 1024, min: 0, max: 65_536 },
    ],
    summary: 'Negotiates Content-Encoding from Accept-Encoding q-values with a real server, then compares gzip, deflate and brotli sizes, ratios and times on JSON, HTML, random and already-compressed bytes, and on small bodies.',
    load: () => import('../../labs/compression.js'),
  },
  {
    id: 'config',
    title: 'Layered config, fail-fast, redaction',
    topic: 'config',
    tags: ['layering', 'precedence', 'sources', 'env-vars', 'cli-flags', 'json', 'validation', 'fail-fast', 'types', 'parsing', 'secrets', 'redaction', 'logging'],
    summary: 'Runs a small app as real child processes with a config.json, environment variables and flags, showing where each value came from; bad or missing values stop it before any work, secrets are redacted, and a naive app shows the pitfalls.',
    load: () => import('../../labs/config.js'),
  },
  {
    id: 'cors',
    title: 'CORS: preflight and credentials',
    topic: 'http',
    tags: ['cors', 'preflight', 'credentials', 'csrf'],
    summary: 'Sends what a browser would (Origin, the OPTIONS preflight, cookies) to a real server with a CORS policy and decides what the page may see with the Fetch Standard’s CORS checks on the real response headers.',
    load: () => import('../../labs/cors.js'),
  },
  {
    id: 'email',
    title: 'Transactional email on the wire',
    topic: 'emails',
    tags: ['mime', 'quoted-printable', 'anatomy', 'preheader', 'personalisation', 'escaping', 'headers'],
    params: [{ name: 'tokenBytes', description: 'size of the reset token in bytes (longer tokens force soft line breaks)', default: 32, min: 16, max: 64 }],
    summary: 'Builds a password-reset email as a raw MIME message (quoted-printable parts, encoded-word subject, hidden pre-header), escapes or refuses hostile names, sends it over SMTP to a local server and parses what arrived.',
    load: () => import('../../labs/email.js'),
  },
  {
    id: 'event-loop',
    title: 'Event-loop ordering',
    topic: 'concurrency',
    tags: ['event-loop', 'microtasks', 'nexttick', 'event-loop-blocking'],
    summary: 'Runs sync code, nextTick, promises, timers, setImmediate and I/O callbacks in a real Node process and shows the order they ran in, queue by queue.',
    load: () => import('../../labs/event-loop.js'),
  },
  {
    id: 'event-loop-blocking',
    title: 'Blocking the event loop',
    topic: 'performance',
    tags: ['event-loop', 'bottlenecks', 'percentiles', 'tail-latency'],
    params: [
      { name: 'rows', description: 'orders in the JSON export that /report parses', default: 30_000, min: 1000, max: 100_000 },
      { name: 'pingEveryMs', description: 'interval between pings in ms', default: 5, min: 1, max: 50 },
    ],
    summary: 'Pings a real 127.0.0.1 server from another thread while a request parses and totals a big JSON export, first on the main thread, then in a worker thread: ping latency (p50/p99/max) and monitorEventLoopDelay for both.',
    load: () => import('../../labs/event-loop-blocking.js'),
  },
  {
    id: 'graceful-shutdown',
    title: 'Graceful shutdown on SIGTERM',
    topic: 'graceful-shutdown',
    tags: ['signals', 'dropped-requests', 'sequence', 'readiness', 'stop-accepting', 'server-close', 'keep-alive', 'in-flight', 'deadline', 'exit-codes'],
    params: [
      { name: 'inflight', description: 'slow requests in flight when SIGTERM arrives', default: 5, min: 1, max: 50 },
      { name: 'requestMs', description: 'duration of each slow request in ms', default: 250, min: 50, max: 2000 },
      { name: 'deadlineMs', description: 'deadline after which the handler exits anyway, in ms', default: 700, min: 100, max: 5000 },
    ],
    summary: 'Sends a real SIGTERM to a spawned Node server with slow requests in flight: without a handler every request is reset; with one, readiness flips to 503, new connections are refused and every request completes; a stuck request shows the deadline.',
    load: () => import('../../labs/graceful-shutdown.js'),
  },
  {
    id: 'http-caching',
    title: 'HTTP caching: max-age, ETag, 304',
    topic: 'http',
    tags: ['caching', 'cache-control', 'etag', 'max-age'],
    params: [
      { name: 'reads', description: 'reads of /catalog by each client', default: 24, min: 4, max: 500 },
      { name: 'maxAge', description: 'Cache-Control max-age in virtual seconds', default: 60, min: 0, max: 3600 },
    ],
    summary: 'A client cache honouring max-age on a virtual clock revalidates with If-None-Match against a real server: network requests, 200s vs 304s and body bytes counted against a client without a cache, then the resource changes.',
    load: () => import('../../labs/http-caching.js'),
  },
  {
    id: 'http-raw',
    title: 'HTTP/1.1 on the wire',
    topic: 'http',
    tags: ['raw-messages', 'headers', 'framing', 'keep-alive', 'persistent-connections'],
    params: [
      { name: 'requests', description: 'requests per mode (one keep-alive connection vs Connection: close)', default: 50, min: 2, max: 500 },
      { name: 'chunks', description: 'res.write() calls in the streamed response', default: 5, min: 1, max: 20 },
    ],
    summary: 'Speaks HTTP/1.1 over a raw TCP socket to a local node:http server: request line, headers, Content-Length and chunked framing byte by byte, then N keep-alive requests vs N fresh connections, counted by the server.',
    load: () => import('../../labs/http-raw.js'),
  },
  {
    id: 'idempotency',
    title: 'Idempotency keys',
    topic: 'rest',
    tags: ['idempotency', 'status-codes', 'concurrency', 'failure-modes'],
    params: [{ name: 'processorMs', description: 'how long the payment processor call takes, in ms', default: 80, min: 20, max: 1000 }],
    summary: 'A POST /payments server on SQLite drops its response after committing and the client retries: charges counted without a key and with a key claimed by INSERT … ON CONFLICT DO NOTHING, then concurrent duplicates and a reused key with another body.',
    load: () => import('../../labs/idempotency.js'),
  },
  {
    id: 'indexes',
    title: 'Indexes and EXPLAIN QUERY PLAN',
    topic: 'databases',
    tags: ['indexing', 'composite-index', 'leftmost-prefix', 'explain', 'query-optimization'],
    params: [
      { name: 'rows', description: 'orders in the table', default: 100_000, min: 1000, max: 500_000 },
      { name: 'users', description: 'distinct users the orders belong to', default: 1000, min: 10, max: 250_000 },
    ],
    summary: 'Loads 100,000 orders into real SQLite and runs "latest 20 orders of user X" with no index, an index on user_id and a composite (user_id, created_at DESC): plan, rows visited and time per query.',
    load: () => import('../../labs/indexes.js'),
  },
  {
    id: 'injection',
    title: 'SQL injection and stored XSS',
    topic: 'security',
    tags: ['sql-injection', 'parameterised-queries', 'xss', 'output-encoding', 'context', 'csp', 'nonce', 'defence-in-depth'],
    params: [{ name: 'users', description: 'users in the table (rows an attack can leak)', default: 50, min: 3, max: 5000 }],
    summary: 'Runs the same login, search and audit log in SQLite with concatenated SQL and with bound parameters against classic payloads, then serves stored comments unescaped, behind a CSP and escaped per context, and scans the HTML for executable markup.',
    load: () => import('../../labs/injection.js'),
  },
  {
    id: 'inverted-index',
    title: 'Inverted index, TF-IDF vs BM25',
    topic: 'search',
    tags: ['inverted-index', 'positions', 'analyzers', 'tokenizer', 'stemming', 'relevance', 'tf-idf', 'bm25', 'fuzzy-search', 'edit-distance'],
    params: [
      { name: 'k1', description: 'BM25 term-frequency saturation', default: 1.2, min: 0, max: 3, decimal: true },
      { name: 'b', description: 'BM25 length normalisation (0 turns it off)', default: 0.75, min: 0, max: 1, decimal: true },
    ],
    summary: 'Analyzes and indexes 40 built-in tech snippets, ranks queries by TF-IDF and BM25 side by side, answers a phrase query from positions and fuzzy-matches typos by edit distance, counting postings read.',
    load: () => import('../../labs/inverted-index.js'),
  },
  {
    id: 'jwt',
    title: 'JWT: sign, verify, attack',
    topic: 'auth',
    tags: ['jwt', 'jwt-structure', 'jwt-validation', 'alg-none', 'alg-confusion', 'hmac', 'signatures', 'jwt-revocation', 'encoding'],
    params: [
      { name: 'ttl', description: 'token lifetime in seconds', default: 900, min: 60, max: 86_400 },
      { name: 'leeway', description: 'clock-skew leeway in seconds when checking exp', default: 30, min: 0, max: 300 },
    ],
    summary: 'Signs and verifies HS256/RS256 tokens with node:crypto, then sends tampered, expired, alg-none, key-confusion and revoked tokens to a naive and a pinned verifier over real HTTP.',
    load: () => import('../../labs/jwt.js'),
  },
  {
    id: 'middleware',
    title: 'Middleware onion and order',
    topic: 'middleware',
    tags: ['onion', 'order', 'short-circuit', 'early-exit', 'next', 'pipeline', 'error-handling', 'logging', 'auth', 'body-parsing', 'async'],
    params: [{ name: 'requests', description: 'seeded requests sent through the pipeline in the short-circuit funnel', default: 40, min: 5, max: 500 }],
    summary: 'Runs a hand-built async next() pipeline on a real HTTP server and records every entry and exit, then registers the same stages in wrong orders and counts what leaks or breaks, and funnels seeded requests to show short-circuiting.',
    load: () => import('../../labs/middleware.js'),
  },
  {
    id: 'n-plus-one',
    title: 'N+1 queries: loop, JOIN, IN-batching',
    topic: 'databases',
    tags: ['n-plus-one', 'orm', 'joins'],
    params: [
      { name: 'posts', description: 'posts on the page', default: 50, min: 1, max: 500 },
      { name: 'batch', description: 'author ids per IN list', default: 20, min: 1, max: 500 },
      { name: 'rttMs', description: 'simulated round trip per query in ms (a real timer)', default: 1, min: 0, max: 10 },
    ],
    summary: 'Loads a page of posts with their authors from real SQLite three ways — a 1+N loop, a JOIN, batched WHERE id IN (…) — counting queries, timing them with and without a round trip, and checking all three agree.',
    load: () => import('../../labs/n-plus-one.js'),
  },
  {
    id: 'pagination',
    title: 'Offset vs keyset pagination',
    topic: 'handlers',
    tags: ['pagination', 'offset', 'keyset', 'consistency', 'performance'],
    params: [
      { name: 'pageSize', description: 'page size while posts change (the feed is 6 pages)', default: 10, min: 2, max: 50 },
      { name: 'rows', description: 'rows in the table for the deep-offset timing', default: 50_000, min: 1000, max: 500_000 },
    ],
    summary: 'Pages through a live SQLite feed with OFFSET and with a keyset cursor while posts are added and deleted between fetches (duplicates and skips counted), then times a deep OFFSET against keyset.',
    load: () => import('../../labs/pagination.js'),
  },
  {
    id: 'password-hashing',
    title: 'Password hashing with scrypt',
    topic: 'auth',
    tags: ['password-hashing', 'salting', 'cost-parameters', 'timing-attacks', 'cryptography', 'hashing'],
    params: [
      { name: 'logN', description: 'log2 of the scrypt N used to store and verify', default: 14, min: 10, max: 16 },
      { name: 'maxLogN', description: 'largest log2 N in the cost sweep (a time budget may stop it earlier)', default: 15, min: 10, max: 18 },
      { name: 'samples', description: 'timing batches per prefix length', default: 41, min: 5, max: 201 },
      { name: 'longSecret', description: 'length of the long secret that makes the === leak easy to see', default: 4096, min: 256, max: 65_536 },
    ],
    summary: 'Hashes passwords with scrypt and random salts and times N from 2^10 up, verifies with timingSafeEqual, compares SHA-256 and scrypt guesses per second, and measures === against timingSafeEqual as the matching prefix grows.',
    load: () => import('../../labs/password-hashing.js'),
  },
  {
    id: 'request-context',
    title: 'Request context and cancellation',
    topic: 'request-context',
    tags: ['asynclocalstorage', 'propagation', 'context-loss', 'concurrency', 'promises', 'timeouts', 'deadlines', 'abortsignal', 'cancellation', 'tracking', 'logging'],
    params: [
      { name: 'requests', description: 'concurrent requests in the logging part', default: 50, min: 2, max: 500 },
      { name: 'pool', description: 'connections in the DB-like pool', default: 4, min: 1, max: 64 },
      { name: 'timeoutMs', description: 'the upstream deadline in ms (the downstream work takes 300 ms)', default: 100, min: 20, max: 250 },
    ],
    summary: 'Sends concurrent requests to a real server and checks every log line’s request id — AsyncLocalStorage against a module-level variable and a pool that does not bind callbacks — then a deadline’s AbortController cancels a slow downstream call.',
    load: () => import('../../labs/request-context.js'),
  },
  {
    id: 'router',
    title: 'Radix tree vs regex-list router',
    topic: 'routing',
    tags: ['precedence', 'radix-tree', '404-vs-405', 'http-semantics', 'performance', 'wildcard', 'regex-routes', 'route-types'],
    params: [
      { name: 'routes', description: 'generated routes to match against', default: 1000, min: 10, max: 3000 },
      { name: 'lookups', description: 'lookups per route-table size (9 in 10 hit, 1 in 10 miss)', default: 2000, min: 100, max: 20_000 },
    ],
    summary: 'Serves the same routes from an Express-style regex list and a radix tree on real HTTP servers: which route wins, 404 vs 405 with Allow, and route comparisons and time per lookup over seeded generated routes.',
    load: () => import('../../labs/router.js'),
  },
  {
    id: 'serialization',
    title: 'JSON vs binary, and what JSON loses',
    topic: 'serialization',
    tags: ['json', 'numbers', 'dates', 'data-types', 'collections', 'binary-formats', 'protobuf', 'field-numbers', 'unknown-fields', 'schema-evolution', 'performance', 'compression'],
    params: [{ name: 'records', description: 'user records to encode', default: 5000, min: 100, max: 50_000 }],
    summary: 'Encodes seeded records as JSON and as a protobuf-style binary format (sizes, gzip, encode/decode time), runs JSON’s classic losses for real, and shows v1 clients reading a v2 server’s new field over HTTP.',
    load: () => import('../../labs/serialization.js'),
  },
  {
    id: 'task-queue',
    title: 'Job queue: retries, backoff, DLQ',
    topic: 'task-queues',
    tags: ['retries', 'backoff', 'jitter', 'dead-letter-queue', 'poison-message', 'priorities'],
    params: [
      { name: 'workers', description: 'concurrent workers in part 1', default: 2, min: 1, max: 8 },
      { name: 'attempts', description: 'max attempts per job', default: 5, min: 2, max: 10 },
      { name: 'jobs', description: 'jobs failing at once in part 2', default: 100, min: 10, max: 500 },
    ],
    summary: 'An in-process job queue whose workers await real async handlers on a virtual clock: full-jitter retries, priorities, a dead-letter queue and a poison message, then 100 jobs failing at once retried with and without jitter.',
    load: () => import('../../labs/task-queue.js'),
  },
  {
    id: 'thundering-herd',
    title: 'Thundering herd',
    topic: 'caching',
    tags: ['thundering-herd', 'single-flight', 'stale-while-revalidate', 'jitter', 'cache-aside'],
    params: [{ name: 'concurrency', description: 'concurrent requests hitting the expired key', default: 100, min: 2, max: 2000 }],
    summary: 'Fires concurrent HTTP requests at an expired cache key in front of a slow database: naive cache-aside, single-flight, jittered TTLs and stale-while-revalidate, counted.',
    load: () => import('../../labs/thundering-herd.js'),
  },
  {
    id: 'token-bucket',
    title: 'Token bucket vs fixed window',
    topic: 'security',
    tags: ['rate-limiting', 'token-bucket'],
    params: [
      { name: 'capacity', description: 'bucket capacity (burst size)', default: 10, min: 1, max: 1000 },
      { name: 'rate', description: 'tokens added per second', default: 5, min: 1, max: 1000 },
    ],
    summary: 'Replays a bursty request trace against a token bucket and a fixed-window counter on a virtual clock, then against a real rate-limited HTTP server.',
    load: () => import('../../labs/token-bucket.js'),
  },
  {
    id: 'tracing',
    title: 'Distributed tracing and tail latency',
    topic: 'observability',
    tags: ['tracing', 'traceparent', 'propagation', 'spans', 'contextual-logs', 'request-id', 'structured-logging', 'percentiles', 'tail-latency', 'latency'],
    params: [
      { name: 'requests', description: 'requests fired in the load phase', default: 200, min: 20, max: 2000 },
      { name: 'concurrency', description: 'requests in flight at once in the load phase', default: 10, min: 1, max: 50 },
    ],
    summary: 'A gateway and three local services pass a W3C traceparent on every hop: JSON log lines from all four, the span tree rebuilt as a measured waterfall, then a few hundred requests with a seeded heavy tail — p50/p95/p99 against the mean.',
    load: () => import('../../labs/tracing.js'),
  },
  {
    id: 'transactions',
    title: 'Transactions and lost updates',
    topic: 'databases',
    tags: ['transactions', 'atomicity', 'acid', 'lost-update', 'concurrency', 'optimistic-locking'],
    params: [
      { name: 'transfers', description: 'random transfers run with and without a transaction', default: 200, min: 10, max: 10_000 },
      { name: 'tasks', description: 'concurrent withdrawals of 10 from a balance of 1000', default: 50, min: 2, max: 300 },
    ],
    summary: 'In real SQLite: a transfer whose second UPDATE fails, with and without a transaction (total money checked), then concurrent withdrawals by read-modify-write, atomic UPDATE and version check — lost updates counted.',
    load: () => import('../../labs/transactions.js'),
  },
  {
    id: 'validation',
    title: 'Validation chain and error responses',
    topic: 'validation',
    tags: ['chain', 'fail-fast', 'type-casting', 'normalization', 'type-validation', 'error-handling', 'problem-details', 'status-codes'],
    params: [{ name: 'submissions', description: 'seeded messy form submissions to validate', default: 200, min: 10, max: 5000 }],
    summary: 'Runs a trim/lower-case/coerce/default-then-check chain on messy form input, compares fail-fast and collect-all round trips against a real server answering problem+json 422 and 400, and strips an isAdmin mass-assignment attempt.',
    load: () => import('../../labs/validation.js'),
  },
  {
    id: 'worker-threads',
    title: 'Worker threads vs Promise.all',
    topic: 'concurrency',
    tags: ['worker-threads', 'concurrency-vs-parallelism', 'cpu-bound', 'io-bound', 'promise-all', 'parallelism'],
    params: [
      { name: 'jobs', description: 'scrypt hashes and HTTP calls per case', default: 8, min: 1, max: 32 },
      { name: 'maxThreads', description: 'largest worker pool tried', default: 8, min: 1, max: 16 },
      { name: 'ioMs', description: 'latency of each local HTTP call in ms', default: 40, min: 5, max: 500 },
    ],
    summary: 'Times scrypt hashes on pools of 1, 2, … worker threads (up to os.availableParallelism() and beyond) and under Promise.all on one thread, then slow local HTTP calls one by one and with Promise.all: measured wall time and speed-up.',
    load: () => import('../../labs/worker-threads.js'),
  },
];

export const LAB_IDS: readonly string[] = LABS.map((l) => l.id);

/** A parameter's command-line flag: `rttMs` → `--rtt-ms` (commander maps it back to `rttMs`). */
export const paramFlag = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
