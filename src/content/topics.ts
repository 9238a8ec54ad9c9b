/** The 31 roadmap topics, in order. Ids are stable: file names, `--topic`, card ids and progress use them. */
export interface TopicInfo {
  readonly id: string;
  readonly order: number;
  readonly title: string;
}

export const TOPICS: readonly TopicInfo[] = [
  { id: 'intro', order: 1, title: 'Introduction to Backend Engineering' },
  { id: 'architecture', order: 2, title: 'High-Level System Architecture' },
  { id: 'http', order: 3, title: 'HTTP Protocol' },
  { id: 'routing', order: 4, title: 'Routing' },
  { id: 'serialization', order: 5, title: 'Serialization and Deserialization' },
  { id: 'auth', order: 6, title: 'Authentication and Authorization' },
  { id: 'validation', order: 7, title: 'Validation and Transformation' },
  { id: 'middleware', order: 8, title: 'Middleware' },
  { id: 'request-context', order: 9, title: 'Request Context' },
  { id: 'handlers', order: 10, title: 'Handlers and Controllers' },
  { id: 'rest', order: 11, title: 'RESTful Architecture' },
  { id: 'databases', order: 12, title: 'Databases' },
  { id: 'business-logic', order: 13, title: 'Business Logic Layer' },
  { id: 'caching', order: 14, title: 'Caching' },
  { id: 'emails', order: 15, title: 'Transactional Emails' },
  { id: 'task-queues', order: 16, title: 'Task Queuing and Scheduling' },
  { id: 'search', order: 17, title: 'Elasticsearch and Search' },
  { id: 'error-handling', order: 18, title: 'Error Handling' },
  { id: 'config', order: 19, title: 'Config Management' },
  { id: 'observability', order: 20, title: 'Logging, Monitoring and Observability' },
  { id: 'graceful-shutdown', order: 21, title: 'Graceful Shutdown' },
  { id: 'security', order: 22, title: 'Security' },
  { id: 'performance', order: 23, title: 'Scaling and Performance' },
  { id: 'concurrency', order: 24, title: 'Concurrency and Parallelism' },
  { id: 'object-storage', order: 25, title: 'Object Storage and Large Files' },
  { id: 'real-time', order: 26, title: 'Real-time Backend Systems' },
  { id: 'testing', order: 27, title: 'Testing and Code Quality' },
  { id: 'twelve-factor', order: 28, title: 'The Twelve-Factor App' },
  { id: 'openapi', order: 29, title: 'OpenAPI Standards' },
  { id: 'webhooks', order: 30, title: 'Webhooks' },
  { id: 'devops', order: 31, title: 'DevOps Concepts' },
];

/** File stem for a topic: `03-http`. */
export function topicFileStem(topic: TopicInfo): string {
  return `${String(topic.order).padStart(2, '0')}-${topic.id}`;
}

export type TopicLookup<T extends TopicInfo> =
  | { ok: true; topic: T }
  | { ok: false; message: string; suggestion?: T | undefined };

/**
 * Resolve what a learner typed: an id, a number, or a unique prefix of an id or title word.
 * On failure the message says why and names the closest id, so a typo gets a suggestion.
 */
export function findTopic<T extends TopicInfo>(topics: readonly T[], query: string): TopicLookup<T> {
  const q = query.trim().toLowerCase();
  if (q === '') return { ok: false, message: 'No topic given.' };
  const exact = topics.find((t) => t.id === q);
  if (exact) return { ok: true, topic: exact };
  if (/^\d+$/.test(q)) {
    const byNumber = topics.find((t) => t.order === Number(q));
    if (byNumber) return { ok: true, topic: byNumber };
    return { ok: false, message: `There is no topic number ${q}; topics are numbered 1–${topics.length}.` };
  }
  const prefixed = topics.filter((t) => t.id.startsWith(q));
  if (prefixed.length === 1) return { ok: true, topic: prefixed[0]! };
  if (prefixed.length > 1) {
    return { ok: false, message: `"${query}" matches several topics: ${prefixed.map((t) => t.id).join(', ')}.` };
  }
  const suggestion = closestTopic(topics, q);
  return { ok: false, message: `Unknown topic "${query}".`, suggestion };
}

function closestTopic<T extends TopicInfo>(topics: readonly T[], q: string): T | undefined {
  let best: T | undefined;
  let bestDistance = Infinity;
  for (const t of topics) {
    const candidates = [t.id, ...t.title.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)];
    for (const c of candidates) {
      const d = editDistance(q, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = t;
      }
    }
  }
  // Only suggest when the typo is plausibly one: at most a third of the word wrong.
  return bestDistance <= Math.max(2, Math.floor(q.length / 3)) ? best : undefined;
}

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
