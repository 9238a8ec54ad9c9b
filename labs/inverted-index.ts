/**
 * Lab: an inverted index, built and queried for real over a small built-in corpus of tech snippets: an
 * analyzer (tokenize, lower-case, stop words, a suffix stemmer), postings with positions, TF-IDF and BM25
 * side by side, a phrase query, and fuzzy matching by Levenshtein distance. Every score, match and count is
 * computed from the index in this run.
 */
import { wrapCodeLine } from '../src/labs/lab-code-wrap.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

interface Doc {
  readonly id: string;
  /** A short label for tables. */
  readonly title: string;
  readonly text: string;
}

const CORPUS: readonly Doc[] = [
  { id: 'd01', title: 'k8s basics', text: 'Kubernetes schedules containers onto nodes and restarts them when they crash.' },
  { id: 'd02', title: 'Helm charts', text: 'Helm packages Kubernetes manifests into charts that you can version and roll back.' },
  { id: 'd03', title: 'k8s course ad', text: 'Kubernetes kubernetes kubernetes! Best kubernetes course: learn kubernetes, kubernetes, kubernetes today.' },
  { id: 'd04', title: 'Pod autoscaler', text: 'Kubernetes autoscaling: the Horizontal Pod Autoscaler adds pods when CPU rises.' },
  { id: 'd05', title: 'Probes', text: 'Liveness and readiness probes tell Kubernetes when to restart a pod or stop sending it traffic.' },
  { id: 'd06', title: 'VM autoscaling', text: 'Cloud autoscaling groups add virtual machines when a queue grows and remove them when it drains.' },
  { id: 'd07', title: 'Rolling deploys', text: 'A rolling deployment in Kubernetes replaces pods gradually, so the service stays available.' },
  { id: 'd08', title: 'PgBouncer', text: 'PgBouncer is a connection pool for PostgreSQL.' },
  {
    id: 'd09',
    title: 'DB handbook',
    text:
      'This handbook covers many database topics in depth: schema design, migrations, indexes, query plans, vacuum, ' +
      'replication, backups and restores, monitoring and capacity planning. Each application server keeps a pool of open ' +
      'connections; size the pool from the number of cores, and remember that every connection costs memory on the database ' +
      'server. Transactions, isolation levels, locking and deadlocks are covered in later chapters.',
  },
  { id: 'd10', title: 'Pool sizing', text: 'Too many connections to PostgreSQL waste memory; a small pool of connections is faster.' },
  { id: 'd11', title: 'Keep-alive', text: 'HTTP keep-alive reuses one TCP connection for many requests instead of opening a new one.' },
  { id: 'd12', title: 'libuv threads', text: 'Node runs file system work and DNS lookups on the libuv thread pool, four threads by default.' },
  { id: 'd13', title: 'WebSockets', text: 'A WebSocket connection stays open, so the server can push messages to the browser.' },
  { id: 'd14', title: 'Redis cache', text: 'Redis is an in-memory store, often used as a cache in front of a slower database.' },
  { id: 'd15', title: 'Invalidation', text: 'Cache invalidation is hard: delete the cached key when the row changes, or let a short TTL expire it.' },
  { id: 'd16', title: 'Cache-aside', text: 'With cache-aside the application reads the cache first and loads from the database on a miss.' },
  { id: 'd17', title: 'Stampede', text: 'When a hot key expires, many requests miss at once and stampede the database; coalesce them.' },
  { id: 'd18', title: 'Redis streams', text: 'Redis streams and consumer groups give you a lightweight durable queue.' },
  { id: 'd19', title: 'Kafka', text: 'Kafka keeps an ordered log per partition; consumers in a group split the partitions between them.' },
  { id: 'd20', title: 'RabbitMQ', text: 'RabbitMQ routes messages through exchanges to queues and redelivers them if a consumer dies.' },
  { id: 'd21', title: 'Idempotency', text: 'Retries are safe only when the handler is idempotent; store an idempotency key with the result.' },
  { id: 'd22', title: 'Outbox', text: 'The outbox pattern writes the event in the same transaction as the data, then a relay publishes it.' },
  { id: 'd23', title: 'B-tree index', text: 'A B-tree index keeps keys sorted, so PostgreSQL finds a row in a few page reads instead of a full scan.' },
  { id: 'd24', title: 'EXPLAIN', text: 'EXPLAIN ANALYZE shows the query plan PostgreSQL chose and how long each step really took.' },
  { id: 'd25', title: 'N+1 queries', text: "An ORM that loads each post's author in a loop sends one query per row: the N+1 problem." },
  { id: 'd26', title: 'Replication', text: 'PostgreSQL streaming replication ships the write-ahead log to replicas that serve read queries.' },
  { id: 'd27', title: 'Write skew', text: 'Under snapshot isolation two transactions can both read a row and both update it: write skew.' },
  { id: 'd28', title: 'JWT', text: 'A JWT is signed, not encrypted: anyone can read the claims, only the key holder can forge them.' },
  { id: 'd29', title: 'SQL injection', text: 'Bound parameters keep user input out of the SQL text, which stops SQL injection.' },
  { id: 'd30', title: 'XSS', text: 'Escape user content for the HTML context it lands in, and add a Content Security Policy.' },
  { id: 'd31', title: 'Token bucket', text: 'A token bucket allows short bursts and a steady rate; answer 429 with Retry-After when it is empty.' },
  { id: 'd32', title: 'Inverted index', text: 'An inverted index maps each term to the documents that contain it, with positions for phrase queries.' },
  { id: 'd33', title: 'BM25', text: 'BM25 ranks documents by term frequency with saturation and by document length.' },
  { id: 'd34', title: 'gRPC', text: 'gRPC sends protobuf messages over one HTTP/2 connection with many concurrent streams.' },
  { id: 'd35', title: 'Graceful stop', text: 'On SIGTERM, stop accepting connections, finish in-flight requests, then close the database pool.' },
  { id: 'd36', title: 'Docker layers', text: 'A Docker image is built in layers; order the Dockerfile so the dependency layer is cached.' },
  { id: 'd37', title: 'Twelve-factor', text: 'Twelve-factor apps read config from the environment and treat backing services as attached resources.' },
  { id: 'd38', title: 'Tracing', text: 'OpenTelemetry traces follow one request across services with a trace id in every span.' },
  { id: 'd39', title: 'Pool exhaustion', text: 'Connection pool exhaustion: every request waits for a connection because slow queries hold them all.' },
  { id: 'd40', title: 'Object storage', text: 'Object storage keeps blobs behind a key; presigned URLs let clients upload without your server.' },
];

// ---------------------------------------------------------------------------------------------------------
// Analysis

const STOP = new Set(
  'a an and are as at be because both but by can each for from how if in into is it its many no not of on one only or so such that the their them then there they this to too was when which will with without you your'.split(
    ' ',
  ),
);

/** A light suffix stemmer (a small subset of Porter's rules): plurals, -ing/-ed, -ly, a final e. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed']) {
    const base = w.slice(0, -suffix.length);
    if (w.endsWith(suffix) && base.length >= 3 && /[aeiouy]/.test(base)) {
      w = /([^aeiouylsz])\1$/.test(base) ? base.slice(0, -1) : base; // running → runn → run
      break;
    }
  }
  if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

interface Token {
  readonly term: string;
  /** Position in the original token stream: removed stop words leave gaps, as in Lucene. */
  readonly pos: number;
}

function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:[-'+][\p{L}\p{N}]+)*/gu) ?? [];
}

function analyze(text: string): Token[] {
  const out: Token[] = [];
  tokenize(text).forEach((raw, pos) => {
    const lower = raw.toLowerCase();
    if (!STOP.has(lower)) out.push({ term: stem(lower), pos });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The index

interface Posting {
  readonly doc: number;
  readonly positions: readonly number[];
}

interface Index {
  readonly postings: ReadonlyMap<string, readonly Posting[]>;
  readonly lengths: readonly number[];
  readonly avgdl: number;
  readonly n: number;
}

function buildIndex(docs: readonly Doc[]): Index {
  const postings = new Map<string, Posting[]>();
  const lengths: number[] = [];
  docs.forEach((d, doc) => {
    const tokens = analyze(d.text);
    lengths.push(tokens.length);
    const byTerm = new Map<string, number[]>();
    for (const t of tokens) byTerm.set(t.term, [...(byTerm.get(t.term) ?? []), t.pos]);
    for (const [term, positions] of byTerm) {
      const list = postings.get(term) ?? [];
      list.push({ doc, positions });
      postings.set(term, list);
    }
  });
  return { postings, lengths, avgdl: lengths.reduce((a, b) => a + b, 0) / docs.length, n: docs.length };
}

/** Work done by one query, counted. */
interface Work {
  postingsRead: number;
}

interface Scored {
  readonly doc: number;
  readonly score: number;
}

type Scorer = (tf: number, df: number, len: number) => number;

/** Textbook TF-IDF: raw term count × ln(N / df); no saturation, no length normalisation. */
const tfidf =
  (ix: Index): Scorer =>
  (tf, df) =>
    tf * Math.log(ix.n / df);

const bm25Idf = (n: number, df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
/** The BM25 term-frequency factor: rises with tf, flattens towards k1 + 1, shrinks for long documents. */
const bm25Tf = (tf: number, len: number, avgdl: number, k1: number, b: number) => (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * len) / avgdl));

const bm25 =
  (ix: Index, k1: number, b: number): Scorer =>
  (tf, df, len) =>
    bm25Idf(ix.n, df) * bm25Tf(tf, len, ix.avgdl, k1, b);

/** Term-at-a-time scoring over the postings of the query terms (OR semantics). */
function search(ix: Index, terms: readonly string[], scorer: Scorer, work: Work): Scored[] {
  const acc = new Map<number, number>();
  for (const term of new Set(terms)) {
    const list = ix.postings.get(term) ?? [];
    for (const p of list) {
      work.postingsRead++;
      acc.set(p.doc, (acc.get(p.doc) ?? 0) + scorer(p.positions.length, list.length, ix.lengths[p.doc]!));
    }
  }
  return [...acc].map(([doc, score]) => ({ doc, score })).sort((x, y) => y.score - x.score || x.doc - y.doc);
}

/** Documents containing the terms next to each other, in order, by intersecting positions. */
function phrase(ix: Index, terms: readonly string[], work: Work): { and: number[]; phrase: number[] } {
  const lists = terms.map((t) => ix.postings.get(t) ?? []);
  for (const l of lists) work.postingsRead += l.length;
  const byDoc = lists.map((l) => new Map(l.map((p) => [p.doc, p.positions] as const)));
  const and = [...byDoc[0]!.keys()].filter((doc) => byDoc.every((m) => m.has(doc)));
  const hits = and.filter((doc) => byDoc[0]!.get(doc)!.some((start) => byDoc.every((m, i) => m.get(doc)!.includes(start + i))));
  return { and, phrase: hits };
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Elasticsearch's fuzziness AUTO: 0 edits for 1–2 characters, 1 for 3–5, 2 for longer terms. */
const autoFuzziness = (term: string) => (term.length < 3 ? 0 : term.length < 6 ? 1 : 2);

// ---------------------------------------------------------------------------------------------------------

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const k1 = ctx.params.k1 ?? 1.2;
  const b = ctx.params.b ?? 0.75;
  const ix = buildIndex(CORPUS);
  const label = (doc: number) => `${CORPUS[doc]!.id} ${CORPUS[doc]!.title}`;
  const totalTokens = CORPUS.reduce((s, d) => s + tokenize(d.text).length, 0);
  const totalPostings = [...ix.postings.values()].reduce((s, l) => s + l.length, 0);
  const workRows: (string | number)[][] = [['query', 'kind', 'dict. terms', 'postings read', 'matched']];

  out.say(
    `A corpus of ${ix.n} short tech snippets, written into this lab. The lab analyzes them, builds an inverted index, and answers queries from the index: ranked by TF-IDF and by BM25 (k1=${k1}, b=${b}), as a phrase, and with typos.`,
  );

  // --- 1. Analysis -----------------------------------------------------------------------------------------
  out.heading('1. The analyzer: text in, terms out');
  const sentence = 'The Kubernetes autoscaler is scaling deployments quickly when queries pile up.';
  const words = tokenize(sentence);
  const lower = words.map((w) => w.toLowerCase());
  const kept = lower.filter((w) => !STOP.has(w));
  const removed = lower.filter((w) => STOP.has(w));
  const stemmed = kept.map(stem);
  out.code(
    [
      `input:      ${sentence}`,
      `tokenize:   ${words.length} tokens, split at spaces and most punctuation`,
      `lower-case: ${lower.join(' ')}`,
      `stop words: removed ${removed.join(', ')}`,
      `stem:       ${kept.map((w, i) => (w === stemmed[i] ? w : `${w}→${stemmed[i]}`)).join(' ')}`,
    ]
      .flatMap((l) => wrapCodeLine(l, 76, 12))
      .join('\n'),
  );
  const forms = ['scale', 'scaled', 'scaling'];
  const formStems = forms.map(stem);
  const oneTerm = formStems.every((f) => f === formStems[0]);
  out.step(
    `${words.length} tokens became ${stemmed.length} terms`,
    `The same analyzer runs on documents at index time and on queries at search time. ${forms.join(', ')} stem to ${formStems.join(', ')}: ${oneTerm ? 'one term, so a query for any of them finds all three' : 'different terms, so a query for one misses the others'}.`,
    { tokens: words.length, terms: [...stemmed], removed: [...removed] },
  );

  // --- 2. The index ----------------------------------------------------------------------------------------
  out.heading('2. The inverted index: term → postings');
  out.figure('documents / tokens', `${ix.n} / ${totalTokens}`);
  out.figure('distinct terms (the dictionary)', ix.postings.size);
  out.figure('postings (term, document) pairs', totalPostings, `average length ${ix.avgdl.toFixed(1)} terms`);
  const showPostings = (term: string) => {
    const list = ix.postings.get(term) ?? [];
    const body = list.map((p) => `${CORPUS[p.doc]!.id}@${p.positions.join(',')}`).join(' ');
    return `${term.padEnd(10)} df=${String(list.length).padEnd(2)} ${body}`;
  };
  out.code(['term       df postings: doc@positions', ...['connection', 'pool', 'kubernet'].map(showPostings)].flatMap((l) => wrapCodeLine(l, 76, 17)).join('\n'));
  out.step(
    'A postings list per term: documents in order, with positions',
    'The term count in a document is its term frequency (tf); the list length is the document frequency (df). Positions make phrase queries possible. A query reads only the lists of its terms.',
    { dictionary: ix.postings.size, postings: totalPostings },
  );

  // --- 3. TF-IDF vs BM25 -----------------------------------------------------------------------------------
  out.heading('3. Ranking: TF-IDF and BM25 side by side');
  out.say(`TF-IDF here is the textbook form: tf × ln(N/df), summed over the query terms. BM25: idf × tf·(k1+1) / (tf + k1·(1 − b + b·len/avgdl)), with k1=${k1}, b=${b}, and Lucene's idf = ln(1 + (N − df + 0.5)/(df + 0.5)).`);
  const sat = [1, 2, 4, 8].map((f) => bm25Tf(f, ix.avgdl, ix.avgdl, k1, b).toFixed(2)).join(', ');
  out.figure('BM25 tf factor for tf=1, 2, 4, 8', sat, 'at average length');

  const queries = ['kubernetes autoscaling', 'connection pool', 'redis cache'];
  let predicted: number | undefined;
  const spamDoc = CORPUS.findIndex((d) => d.id === 'd03');
  const focusDoc = CORPUS.findIndex((d) => d.id === 'd04');
  const [sId, fId] = [CORPUS[spamDoc]!.id, CORPUS[focusDoc]!.id];
  const predictChoices = [`${sId} under both`, `${fId} under both`, `${sId} under TF-IDF, ${fId} under BM25`, `${fId} under TF-IDF, ${sId} under BM25`];
  const predictPairs = [
    [sId, sId],
    [fId, fId],
    [sId, fId],
    [fId, sId],
  ] as const;
  if (ctx.prompts) {
    const tfIn = (term: string, doc: number) => (ix.postings.get(term) ?? []).find((p) => p.doc === doc)?.positions.length ?? 0;
    const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
    predicted = await ctx.prompts.predictChoice(
      `query "${queries[0]}". ${sId} (${CORPUS[spamDoc]!.title}) says "kubernetes" ${times(tfIn(stem('kubernetes'), spamDoc))}; ${fId} (${CORPUS[focusDoc]!.title}) says "kubernetes" ${times(tfIn(stem('kubernetes'), focusDoc))} and "autoscaling" ${times(tfIn(stem('autoscaling'), focusDoc))}. Which ranks first?`,
      predictChoices,
    );
  }

  const rankings: Record<string, { terms: string[]; tfidf: string[]; bm25: string[]; postingsRead: number; matched: number }> = {};
  for (const q of queries) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const terms = analyze(q).map((t) => t.term);
    const w1: Work = { postingsRead: 0 };
    const w2: Work = { postingsRead: 0 };
    const byTfidf = search(ix, terms, tfidf(ix), w1);
    const byBm25 = search(ix, terms, bm25(ix, k1, b), w2);
    out.say(`Query "${q}" → terms ${terms.join(', ')} (df ${terms.map((t) => ix.postings.get(t)?.length ?? 0).join(', ')}):`);
    const rows: (string | number)[][] = [['#', 'TF-IDF', 'score', 'BM25', 'score']];
    for (let i = 0; i < Math.min(4, byTfidf.length); i++) {
      rows.push([i + 1, label(byTfidf[i]!.doc), byTfidf[i]!.score.toFixed(2), byBm25[i] ? label(byBm25[i]!.doc) : '', byBm25[i] ? byBm25[i]!.score.toFixed(2) : '']);
    }
    out.table(rows);
    const topT = byTfidf[0]!.doc;
    const topB = byBm25[0]!.doc;
    const detail = (doc: number) => {
      const tfs = terms.map((t) => (ix.postings.get(t) ?? []).find((p) => p.doc === doc)?.positions.length ?? 0);
      const len = ix.lengths[doc]!;
      const factors = tfs.map((f) => (f ? bm25Tf(f, len, ix.avgdl, k1, b) : 0));
      return { tfs, len, factors };
    };
    const ties = byBm25.slice(1).filter((x) => Math.abs(x.score - byBm25[0]!.score) < 1e-9).length;
    if (topT === topB) {
      const d = detail(topT);
      const plain = Math.max(...d.tfs) <= 2 && d.len <= 1.5 * ix.avgdl;
      out.step(
        `Both put ${label(topT)} first`,
        `It matches ${d.tfs.filter((f) => f > 0).length} of ${terms.length} terms (tf ${d.tfs.join(', ')}) in ${d.len} terms, average ${ix.avgdl.toFixed(1)}: ${plain ? 'no repetition and no extra length for BM25 to correct, so both formulas, which share the idea of tf × idf, agree at the top' : 'the corrections BM25 applies were not enough to change the winner'}.`,
        { query: q, tfidfTop: CORPUS[topT]!.id, bm25Top: CORPUS[topB]!.id },
      );
    } else {
      const t = detail(topT);
      const bb = detail(topB);
      const fmt = (d: typeof t) => terms.map((term, i) => `${term} tf=${d.tfs[i]}→${d.factors[i]!.toFixed(2)}`).join(', ');
      const saturated = Math.max(...t.tfs) > Math.max(...bb.tfs);
      const longer = t.len > bb.len;
      const reasons = [
        saturated ? `saturation: TF-IDF counts tf=${Math.max(...t.tfs)} as ${Math.max(...t.tfs)}× one occurrence, BM25 gives it ${(Math.max(...t.factors) / bm25Tf(1, t.len, ix.avgdl, k1, b)).toFixed(2)}× at that length` : '',
        longer && b > 0 && t.len > 1.5 * ix.avgdl ? `length normalisation: ${CORPUS[topT]!.id} has ${t.len} terms against an average of ${ix.avgdl.toFixed(1)}, so each occurrence counts less there` : '',
        t.tfs.filter((f) => f > 0).length < bb.tfs.filter((f) => f > 0).length ? `${CORPUS[topB]!.id} matches more of the query's terms, which BM25 rewards once tf stops dominating` : '',
      ].filter(Boolean);
      out.step(
        `Disagree: TF-IDF → ${label(topT)}, BM25 → ${label(topB)}${ties ? ` (+${ties} tied)` : ''}`,
        `BM25 tf factors: ${CORPUS[topT]!.id} (${t.len} terms) ${fmt(t)}; ${CORPUS[topB]!.id} (${bb.len} terms) ${fmt(bb)}. ${reasons.length ? `Why: ${reasons.join('; ')}.` : ''}`,
        { query: q, tfidfTop: CORPUS[topT]!.id, bm25Top: CORPUS[topB]!.id, saturated, longer },
      );
    }
    rankings[q] = {
      terms,
      tfidf: byTfidf.slice(0, 4).map((s) => CORPUS[s.doc]!.id),
      bm25: byBm25.slice(0, 4).map((s) => CORPUS[s.doc]!.id),
      postingsRead: w2.postingsRead,
      matched: byBm25.length,
    };
    workRows.push([q, 'ranked (OR)', '-', w2.postingsRead, byBm25.length]);
    if (q === queries[0] && predicted !== undefined) {
      const actual = predictPairs.findIndex(([tf, bm]) => CORPUS[topT]!.id === tf && CORPUS[topB]!.id === bm);
      out.say(actual === predicted ? 'Your prediction matched the rankings.' : `You predicted: ${predictChoices[predicted]}. The table shows what the index ranked first.`);
    }
  }
  // --- 4. Phrase query -------------------------------------------------------------------------------------
  out.heading('4. A phrase query, answered from positions');
  const pq = 'connection pool';
  const pTerms = analyze(pq).map((t) => t.term);
  const pw: Work = { postingsRead: 0 };
  const ph = phrase(ix, pTerms, pw);
  out.say(`"${pq}" as a phrase: documents that contain ${pTerms.join(' and ')}, and ${pTerms[1]} at the position right after ${pTerms[0]}.`);
  const posOf = (term: string, doc: number) => (ix.postings.get(term) ?? []).find((p) => p.doc === doc)?.positions ?? [];
  out.table([
    ['document', `${pTerms[0]} @`, `${pTerms[1]} @`, 'phrase?'],
    ...ph.and.map((doc) => [label(doc), posOf(pTerms[0]!, doc).join(','), posOf(pTerms[1]!, doc).join(','), ph.phrase.includes(doc) ? 'yes' : 'no']),
  ]);
  out.step(
    `${ph.and.length} documents contain both terms; ${ph.phrase.length} contain the phrase`,
    `The AND query intersects the two postings lists; the phrase query then checks that some position of the second term is one more than a position of the first.${ph.and.some((d) => CORPUS[d]!.id === 'd09' && !ph.phrase.includes(d)) ? ' d09\'s "a pool of open connections" has both words, in the wrong order and apart.' : ''}`,
    { and: ph.and.map((d) => CORPUS[d]!.id), phrase: ph.phrase.map((d) => CORPUS[d]!.id) },
  );
  workRows.push([`"${pq}"`, 'phrase', '-', pw.postingsRead, ph.phrase.length]);

  // --- 5. Fuzzy ----------------------------------------------------------------------------------------------
  out.heading('5. Typos: fuzzy matching by edit distance');
  const typos = ['kubernets', 'kuberntes', 'deploymnet'];
  const dictionary = [...ix.postings.keys()];
  // The words in the documents behind each term, to show what the analyzer merged.
  const surface = new Map<string, Set<string>>();
  for (const d of CORPUS) for (const w of tokenize(d.text)) surface.set(stem(w.toLowerCase()), (surface.get(stem(w.toLowerCase())) ?? new Set<string>()).add(w.toLowerCase()));
  const fuzzyObs: LabObservationsRow[] = [];
  for (const typo of typos) {
    const term = analyze(typo)[0]!.term;
    const exact = ix.postings.has(term);
    const max = autoFuzziness(term);
    let compared = 0;
    let skipped = 0;
    const candidates: { term: string; d: number }[] = [];
    if (!exact) {
      for (const cand of dictionary) {
        // Lengths further apart than the allowed edits cannot be within reach: skip without computing.
        if (Math.abs(cand.length - term.length) > max) {
          skipped++;
          continue;
        }
        compared++;
        const d = levenshtein(term, cand);
        if (d <= max) candidates.push({ term: cand, d });
      }
      candidates.sort((x, y) => x.d - y.d || x.term.localeCompare(y.term));
    }
    const expanded = exact ? [term] : candidates.map((c) => c.term);
    const fw: Work = { postingsRead: 0 };
    const hits = search(ix, expanded, bm25(ix, k1, b), fw);
    if (exact) {
      const same = [...(surface.get(term) ?? [])].filter((w) => w !== typo);
      out.step(
        `"${typo}" → term "${term}", already in the dictionary`,
        `The analyzer turns "${typo}" into "${term}", the same term as ${same.map((w) => `"${w}"`).join(', ')} in the documents: the stemmer hid this typo, and no fuzzy matching was needed.`,
        { typo, term, exact, matched: hits.length },
      );
    } else {
      out.step(
        `"${typo}" → "${term}", not a term; ${candidates.length ? `nearest: ${candidates.map((c) => `"${c.term}" (${c.d})`).join(', ')}` : `nothing within ${max} edits`}`,
        `Levenshtein distance counts single-character insertions, deletions and substitutions; AUTO fuzziness allows ${max} edit${max === 1 ? '' : 's'} for a term of ${term.length} characters. Compared with ${compared} dictionary terms, skipped ${skipped} whose length alone rules them out. Top hit: ${hits[0] ? label(hits[0].doc) : 'none'}.`,
        { typo, term, exact, maxEdits: max, compared, skipped, candidates: candidates.map((c) => ({ term: c.term, distance: c.d })), matched: hits.length },
      );
    }
    fuzzyObs.push({ typo, term, exact, compared, skipped, candidates: candidates.map((c) => c.term), distances: candidates.map((c) => c.d), matched: hits.length, top: hits[0] ? CORPUS[hits[0].doc]!.id : null });
    workRows.push([typo, exact ? 'exact term' : 'fuzzy', exact ? '-' : compared, fw.postingsRead, hits.length]);
  }
  const transposed = fuzzyObs.find((f) => f.typo === 'deploymnet');
  if (transposed && Array.isArray(transposed.distances) && transposed.distances.length) {
    out.say(`"deploymnet" swaps two neighbouring letters: ${String(transposed.distances[0])} edits for plain Levenshtein. Damerau-Levenshtein, which Lucene's fuzzy query uses by default, counts a swap as one.`);
  }

  // --- 6. Work ----------------------------------------------------------------------------------------------
  out.heading('6. Work done: postings read vs documents');
  out.table(workRows);
  const maxRead = Math.max(...workRows.slice(1).map((r) => Number(r[3])));
  out.step(
    `At most ${maxRead} postings read per query, for ${ix.n} documents`,
    `Without the index every query would tokenize all ${ix.n} documents (${totalTokens} tokens). A query costs the length of its terms\u2019 postings lists, not the size of the corpus: rare terms are cheap, and stop words are removed partly because their lists would be as long as the corpus. A fuzzy query also walks the dictionary (Lucene uses an automaton over the sorted terms instead of comparing each one).`,
    { maxPostingsRead: maxRead, documents: ix.n, tokens: totalTokens },
  );

  out.takeaways([
    'An inverted index maps each analyzed term to a postings list (documents, term frequencies, positions); queries read only their terms\u2019 lists.',
    'The analyzer (tokenize, lower-case, stop words, stem) must be the same at index and query time, or terms do not meet.',
    'Textbook TF-IDF rewards repetition and length; BM25 saturates tf (k1) and normalizes by length (b), and Elasticsearch uses it by default.',
    'Phrases need positions; typos need edit distance over the dictionary, bounded (AUTO: 0/1/2 edits) because every expansion is another term to search.',
  ]);

  return {
    k1,
    b,
    documents: ix.n,
    tokens: totalTokens,
    dictionary: ix.postings.size,
    postings: totalPostings,
    avgdl: Math.round(ix.avgdl * 100) / 100,
    analyzer: { sentence, terms: stemmed, removed },
    rankings,
    phrase: { and: ph.and.map((d) => CORPUS[d]!.id), phrase: ph.phrase.map((d) => CORPUS[d]!.id), postingsRead: pw.postingsRead },
    fuzzy: fuzzyObs,
  };
}

type LabObservationsRow = Record<string, string | number | boolean | null | readonly (string | number)[]>;
