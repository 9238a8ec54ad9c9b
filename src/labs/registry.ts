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
    id: 'event-loop',
    title: 'Event-loop ordering',
    topic: 'concurrency',
    tags: ['event-loop', 'microtasks', 'nexttick', 'event-loop-blocking'],
    summary: 'Runs sync code, nextTick, promises, timers, setImmediate and I/O callbacks in a real Node process and shows the order they ran in, queue by queue.',
    load: () => import('../../labs/event-loop.js'),
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
];

export const LAB_IDS: readonly string[] = LABS.map((l) => l.id);
