/**
 * Lab: the N+1 query problem. Real SQLite (sql.js): a page of posts with their authors, loaded by a naive loop
 * (1 + N queries), by a JOIN, and by IN-batching. Queries are counted by a wrapper around the database; time is
 * measured in-process and with a real per-query delay standing in for the network round trip.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BindParams, SqlValue } from 'sql.js';
import { fmtMs, insertMany, timePerCallAsync } from '../src/labs/sqlite-measure.js';
import { openSqlite, type Sqlite } from '../src/labs/sqlite.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const AUTHORS = 300;
const POSTS = 5_000;
const FIRST = ['Ada', 'Alan', 'Barbara', 'Donald', 'Edsger', 'Frances', 'Grace', 'Ken', 'Leslie', 'Margaret', 'Niklaus', 'Radia'];
const LAST = ['Hopper', 'Knuth', 'Liskov', 'Lamport', 'Perlman', 'Wirth', 'Thompson', 'Allen', 'Hamilton', 'Turing', 'Lovelace', 'Dijkstra'];

type Approach = 'loop (N+1)' | 'JOIN' | 'IN-batching';

interface Row {
  readonly postId: number;
  readonly title: string;
  readonly author: string;
}

/** The application's view of the database: every query goes through here, so it can be counted. */
interface CountingDb {
  all(sql: string, params?: BindParams): Promise<Record<string, SqlValue>[]>;
  readonly log: { sql: string; params: readonly SqlValue[]; rows: number }[];
}

function countingDb(db: Sqlite, rttMs: number, signal: AbortSignal): CountingDb {
  const log: CountingDb['log'] = [];
  return {
    log,
    async all(sql, params) {
      // A database server is a network hop away: each query pays a round trip before its answer arrives.
      if (rttMs > 0) await sleep(rttMs, undefined, { signal });
      const rows = db.all(sql, params);
      log.push({ sql, params: Array.isArray(params) ? params : [], rows: rows.length });
      return rows;
    },
  };
}

const PAGE_SQL = 'SELECT id, author_id, title FROM posts ORDER BY created_at DESC LIMIT ?';

/** One query-log line, at most 74 columns: the SQL on one line, then as many parameters as fit. */
function logLine(sql: string, params: readonly SqlValue[]): string {
  let text = sql.replace(/\s+/g, ' ').replace(/\(\?(, \?)+\)/, `(${params.length} × ?)`);
  if (text.length > 74) return `${text.slice(0, 73)}…`;
  const room = 74 - text.length - 5;
  const args = params.join(', ');
  if (room >= 6) text += `  -- ${args.length > room ? `${args.slice(0, room - 1)}…` : args}`;
  return text;
}

async function viaLoop(db: CountingDb, n: number): Promise<Row[]> {
  const posts = await db.all(PAGE_SQL, [n]);
  const out: Row[] = [];
  for (const p of posts) {
    const [author] = await db.all('SELECT name FROM authors WHERE id = ?', [p.author_id!]);
    out.push({ postId: Number(p.id), title: String(p.title), author: String(author?.name) });
  }
  return out;
}

const JOIN_SQL = `SELECT p.id, p.title, a.name
  FROM posts p JOIN authors a ON a.id = p.author_id
 ORDER BY p.created_at DESC LIMIT ?`;

async function viaJoin(db: CountingDb, n: number): Promise<Row[]> {
  const rows = await db.all(JOIN_SQL, [n]);
  return rows.map((r) => ({ postId: Number(r.id), title: String(r.title), author: String(r.name) }));
}

async function viaBatch(db: CountingDb, n: number, batch: number): Promise<Row[]> {
  const posts = await db.all(PAGE_SQL, [n]);
  const ids = [...new Set(posts.map((p) => Number(p.author_id)))];
  const names = new Map<number, string>();
  for (let i = 0; i < ids.length; i += batch) {
    const chunk = ids.slice(i, i + batch);
    const rows = await db.all(`SELECT id, name FROM authors WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) names.set(Number(r.id), String(r.name));
  }
  return posts.map((p) => ({ postId: Number(p.id), title: String(p.title), author: String(names.get(Number(p.author_id))) }));
}

const clampInt = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const pageSize = clampInt(ctx.params.posts ?? 50, 1, 500);
  const batch = clampInt(ctx.params.batch ?? 20, 1, 500);
  const rttMs = clampInt(ctx.params.rttMs ?? 1, 0, 10);
  const db = await openSqlite(ctx);
  db.raw.exec(`CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id),
  title TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX idx_posts_created ON posts (created_at);`);
  const loadMs =
    (await insertMany(db, 'authors', ['name'], AUTHORS, (i) => [`${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${1 + Math.floor(i / 144)}`], ctx.signal)) +
    // A few authors write most posts: rng² skews the choice toward low ids.
    (await insertMany(db, 'posts', ['author_id', 'title', 'created_at'], POSTS, (i) => [1 + Math.floor(ctx.rng() ** 2 * AUTHORS), `Post #${i + 1}`, 1_700_000_000 + i * 60], ctx.signal));

  out.say(
    `Real SQLite (sql.js, in memory): ${AUTHORS} authors, ${POSTS.toLocaleString('en-US')} posts (loaded in ${fmtMs(loadMs)}). The page shows the ${pageSize} newest posts with their author's name. Every query goes through a wrapper that counts it, the way an ORM's query log would.`,
  );
  out.code(`const db = {
  async all(sql, params) {
    await sleep(rttMs);          // the network hop to the database
    log.push(sql);               // count it
    return sqlite.all(sql, params);
  },
};`);

  out.code(`// PAGE_SQL: the page itself
${PAGE_SQL.replace(' ORDER', '\n ORDER')}`);

  let predicted: number | undefined;
  const choices = ['1', '2', `${pageSize + 1}`, '1 + the number of distinct authors'];

  const approaches: { name: Approach; code: string; load: (d: CountingDb) => Promise<Row[]> }[] = [
    {
      name: 'loop (N+1)',
      code: `const posts = await db.all(PAGE_SQL, [${pageSize}]);
for (const p of posts) {
  p.author = await db.all('SELECT name FROM authors WHERE id = ?',
    [p.author_id]);
}`,
      load: (d) => viaLoop(d, pageSize),
    },
    { name: 'JOIN', code: `const rows = await db.all(\`${JOIN_SQL}\`, [${pageSize}]);`, load: (d) => viaJoin(d, pageSize) },
    {
      name: 'IN-batching',
      code: `const posts = await db.all(PAGE_SQL, [${pageSize}]);
const ids = [...new Set(posts.map((p) => p.author_id))];
for (const chunk of chunks(ids, ${batch}))   // ${batch} ids per query
  await db.all(\`SELECT id, name FROM authors
                WHERE id IN (\${chunk.map(() => '?')})\`, chunk);`,
      load: (d) => viaBatch(d, pageSize, batch),
    },
  ];

  const results: {
    name: Approach;
    queries: number;
    rowsFetched: number;
    inProcessMs: number;
    withRttMs: number;
    rows: Row[];
  }[] = [];
  for (const a of approaches) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    out.heading(a.name);
    out.code(a.code);
    if (a.name === 'loop (N+1)' && ctx.prompts) predicted = await ctx.prompts.predictChoice(`how many queries does this loop send for a page of ${pageSize} posts?`, choices);
    const counted = countingDb(db, 0, ctx.signal);
    const rows = await a.load(counted);
    const inProcess = await timePerCallAsync(() => a.load(countingDb(db, 0, ctx.signal)), 60);
    // Real timers: a warm-up and three timed runs, the median kept.
    const withRtt = await timePerCallAsync(() => a.load(countingDb(db, rttMs, ctx.signal)), 0, 3);
    const withRttMs = withRtt.ms;
    const queries = counted.log.length;
    const rowsFetched = counted.log.reduce((s, q) => s + q.rows, 0);
    const shown = counted.log.slice(0, 3).map((q) => logLine(q.sql, q.params));
    out.code(`query log:\n${shown.join('\n')}${queries > 3 ? `\n… ${queries - 3} more` : ''}`);
    out.figure('queries sent', queries);
    out.figure('rows fetched', rowsFetched);
    out.figure('time, in-process', fmtMs(inProcess.ms), `median of ${inProcess.reps}`);
    out.figure(`time, ${rttMs} ms per round trip`, fmtMs(withRttMs), `median of ${withRtt.reps}, real timers`);
    results.push({ name: a.name, queries, rowsFetched, inProcessMs: inProcess.ms, withRttMs, rows });
    if (a.name === 'loop (N+1)' && predicted !== undefined) {
      const actual = choices.indexOf(String(queries));
      out.say(predicted === actual ? `Right: ${queries} queries.` : `You predicted ${choices[predicted]}; the wrapper counted ${queries}.`);
    }
  }

  const [loop, join, batched] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
  const distinctAuthors = new Set(loop.rows.map((r) => r.author)).size;
  const same = results.every((r) => JSON.stringify(r.rows) === JSON.stringify(loop.rows));
  out.heading('Same answer, different cost');
  out.table([
    ['approach', 'queries', 'rows fetched', 'in-process', `${rttMs} ms round trip`],
    ...results.map((r) => [r.name, r.queries, r.rowsFetched, fmtMs(r.inProcessMs), fmtMs(r.withRttMs)]),
  ]);
  out.bars(
    results.map((r) => ({ label: r.name, value: Number(r.withRttMs.toFixed(1)) })),
    'ms',
  );
  out.table([['post', 'title', 'author'], ...loop.rows.slice(0, 3).map((r) => [r.postId, r.title, r.author])]);
  out.step(
    same ? `All three returned the same ${loop.rows.length} rows` : 'The three approaches returned different rows',
    same ? 'Compared field by field: the same posts, in the same order, with the same author names.' : 'The results differ; see the observations.',
    { same, rows: loop.rows.length },
  );
  out.step(
    `Loop: ${loop.queries} queries for ${loop.rows.length} posts by ${distinctAuthors} authors`,
    `One query for the page, then one per post${loop.queries - 1 > distinctAuthors ? ` (${loop.queries - 1 - distinctAuthors} of them for authors it had already fetched)` : ''}. Each query pays the round trip: ${fmtMs(loop.withRttMs)} against ${fmtMs(join.withRttMs)} for the JOIN${rttMs === 0 ? ' (no round trip simulated)' : ''}.`,
    { queries: loop.queries, distinctAuthors },
  );
  out.step(
    `JOIN: ${join.queries} query; IN-batching: ${batched.queries} (${batch} ids per IN list)`,
    `The JOIN repeats an author's columns on each of their posts; batching fetches each of the ${distinctAuthors} authors once, in ${batched.queries - 1} quer${batched.queries === 2 ? 'y' : 'ies'}, and also works when the authors live in another service or database (DataLoader does this).`,
    { joinQueries: join.queries, batchQueries: batched.queries },
  );
  const perQueryMs = loop.inProcessMs / loop.queries;
  const perQueryRttMs = loop.withRttMs / loop.queries;
  out.step(
    `Loop: ${fmtMs(perQueryMs)} per query in-process, ${fmtMs(perQueryRttMs)} with the round trip`,
    `In-process, SQLite is a function call away; a database server adds a round trip to every query (a ${rttMs} ms timer here, which fires a little late, more so on a busy machine). The loop pays it ${loop.queries} times, the JOIN once: the cost grows with N, not with the SQL work.`,
    { perQueryMs: Number(perQueryMs.toFixed(4)), perQueryRttMs: Number(perQueryRttMs.toFixed(3)) },
  );

  out.takeaways([
    'N+1: one query for the list, then one per item: the count grows with the page size.',
    'Count queries (an ORM query log, a wrapper, a test that asserts the count) to catch it: the result looks correct.',
    'Fix with a JOIN, or batch the lookups with WHERE id IN (…) (eager loading, DataLoader).',
    'Per-query latency, not SQL work, is what makes N+1 slow over a network.',
  ]);

  return {
    posts: pageSize,
    batch,
    rttMs,
    distinctAuthors,
    sameResults: same,
    approaches: results.map((r) => ({
      name: r.name,
      queries: r.queries,
      rowsFetched: r.rowsFetched,
      inProcessMs: Number(r.inProcessMs.toFixed(3)),
      withRttMs: Number(r.withRttMs.toFixed(1)),
    })),
  };
}
