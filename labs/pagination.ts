/**
 * Lab: offset vs keyset (cursor) pagination, in real SQLite (sql.js). A reader pages through a newest-first
 * feed while posts are inserted (and some deleted) between its page fetches: duplicates and skips counted for
 * each method. Then the cost of a deep OFFSET against a keyset query at the same depth: plan, rows visited, time.
 */
import { fmtMs, insertMany, rowProbe, stepAll, timePerCall } from '../src/labs/sqlite-measure.js';
import { openSqlite, type Sqlite } from '../src/labs/sqlite.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

type Method = 'offset' | 'keyset';

interface Gap {
  /** New posts published before the next page fetch. */
  readonly inserts: number;
  /** Recent posts removed before the next fetch: fractions picking which of the newest few pages' posts. */
  readonly removals: readonly number[];
}

interface PageSeen {
  readonly page: number;
  readonly inserted: number;
  readonly deleted: number[];
  readonly ids: number[];
  readonly repeats: number[];
}

interface ReadResult {
  readonly method: Method;
  readonly pages: PageSeen[];
  readonly returned: number;
  readonly duplicates: number;
  readonly skipped: number[];
  readonly newSeen: number;
  readonly initial: number;
  readonly deletedDuringRead: number;
}

const T0 = 1_750_000_000;
const ORDER = 'ORDER BY created_at DESC, id DESC';

const offsetSql = `SELECT id, title FROM posts\n ${ORDER}\n LIMIT ? OFFSET ?`;
const keysetFirstSql = `SELECT id, created_at, title FROM posts\n ${ORDER}\n LIMIT ?`;
const keysetNextSql = `SELECT id, created_at, title FROM posts\n WHERE (created_at, id) < (?, ?)\n ${ORDER}\n LIMIT ?`;

function createFeed(db: Sqlite, initial: number): void {
  db.run('DROP TABLE IF EXISTS posts');
  db.run('CREATE TABLE posts (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, title TEXT NOT NULL)');
  db.run('CREATE INDEX idx_posts_created ON posts (created_at, id)');
  for (let i = 1; i <= initial; i++) db.run('INSERT INTO posts (id, created_at, title) VALUES (?, ?, ?)', [i, T0 + i * 60, `post ${i}`]);
}

/**
 * Apply one gap's changes; the same gaps on the same start give the same table, whoever is reading. Removed
 * posts are recent ones (among the newest `window` rows), as when authors delete what they just posted.
 */
function applyGap(db: Sqlite, gap: Gap, window: number): { inserted: number; deleted: number[] } {
  for (let i = 0; i < gap.inserts; i++) {
    const next = Number(db.get<{ n: number }>('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM posts')?.n);
    db.run('INSERT INTO posts (id, created_at, title) VALUES (?, ?, ?)', [next, T0 + next * 60, `post ${next}`]);
  }
  const deleted: number[] = [];
  for (const pick of gap.removals) {
    const count = Number(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM posts')?.n);
    const victim = db.get<{ id: number }>(`SELECT id FROM posts ${ORDER} LIMIT 1 OFFSET ?`, [Math.floor(pick * Math.min(count, window))]);
    if (victim) {
      deleted.push(Number(victim.id));
      db.run('DELETE FROM posts WHERE id = ?', [Number(victim.id)]);
    }
  }
  return { inserted: gap.inserts, deleted };
}

function readAll(db: Sqlite, method: Method, initial: number, pageSize: number, gaps: readonly Gap[]): ReadResult {
  createFeed(db, initial);
  const pages: PageSeen[] = [];
  const seen = new Set<number>();
  const all: number[] = [];
  const deletedIds = new Set<number>();
  let cursor: { createdAt: number; id: number } | null = null;
  // Changes stop after the last gap; the reader goes on until a short page (the end of the feed).
  for (let page = 0; page < 10_000; page++) {
    let change: { inserted: number; deleted: number[] } = { inserted: 0, deleted: [] };
    if (page > 0 && page <= gaps.length) {
      change = applyGap(db, gaps[page - 1]!, pageSize * 3);
      for (const id of change.deleted) deletedIds.add(id);
    }
    let rows: { id: number; created_at?: number }[];
    if (method === 'offset') rows = db.all<{ id: number }>(offsetSql, [pageSize, page * pageSize]);
    else if (!cursor) rows = db.all<{ id: number; created_at: number }>(keysetFirstSql, [pageSize]);
    else rows = db.all<{ id: number; created_at: number }>(keysetNextSql, [cursor.createdAt, cursor.id, pageSize]);
    const ids = rows.map((r) => Number(r.id));
    const last = rows.at(-1);
    if (last) cursor = { createdAt: Number(last.created_at), id: Number(last.id) };
    pages.push({ page: page + 1, inserted: change.inserted, deleted: change.deleted, ids, repeats: ids.filter((id) => seen.has(id)) });
    for (const id of ids) {
      seen.add(id);
      all.push(id);
    }
    if (ids.length < pageSize) break;
  }
  const skipped: number[] = [];
  for (let id = 1; id <= initial; id++) if (!seen.has(id) && !deletedIds.has(id)) skipped.push(id);
  return {
    method,
    pages,
    returned: all.length,
    duplicates: all.length - seen.size,
    skipped,
    newSeen: [...seen].filter((id) => id > initial).length,
    initial,
    deletedDuringRead: [...deletedIds].filter((id) => id <= initial).length,
  };
}

const clampInt = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));
const span = (ids: readonly number[]) => (ids.length ? `${ids[0]}…${ids.at(-1)}` : '(empty)');
const list = (ids: readonly number[], max = 8) => (ids.length > max ? `${ids.slice(0, max).join(', ')}, …` : ids.join(', ')) || 'none';

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const pageSize = clampInt(ctx.params.pageSize ?? 10, 2, 50);
  const rows = clampInt(ctx.params.rows ?? 50_000, 1_000, 500_000);
  const initial = pageSize * 6;
  const db = await openSqlite(ctx);

  // ------------------------------------------------------------------ part 1: consistency
  out.say(
    `Real SQLite (sql.js, in memory). A feed of ${initial} posts, newest first, read ${pageSize} at a time. Between two page fetches, either 1–3 new posts are published or 1–2 recent posts are deleted: the same seeded changes, in the same order, for both readers.`,
  );
  out.code(`-- OFFSET: page n skips the rows before it
${offsetSql.replace('LIMIT ? OFFSET ?', `LIMIT ${pageSize} OFFSET ${pageSize} * (n - 1)`)}

-- keyset: continue after the last row of the previous page
${keysetNextSql.replace('LIMIT ?', `LIMIT ${pageSize}`).replace('(?, ?)', '(:last_created_at, :last_id)')}`);

  // Each gap either publishes 1–3 posts or deletes 1–2 recent ones.
  const gaps: Gap[] = Array.from({ length: 14 }, () =>
    ctx.rng() < 0.6
      ? { inserts: 1 + Math.floor(ctx.rng() * 3), removals: [] }
      : { inserts: 0, removals: Array.from({ length: 1 + Math.floor(ctx.rng() * 2) }, () => ctx.rng()) },
  );

  let predicted: number | undefined;
  const choices = ['every post exactly once', 'some posts twice', 'some posts never', 'some twice and some never'];
  if (ctx.prompts) predicted = await ctx.prompts.predictChoice('what does the OFFSET reader see?', choices);

  const reads = [readAll(db, 'offset', initial, pageSize, gaps), readAll(db, 'keyset', initial, pageSize, gaps)] as const;
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const [off, key] = reads;
  out.heading('Page by page');
  const n = Math.max(off.pages.length, key.pages.length);
  const changes = (p: PageSeen | undefined) => (p ? [p.inserted ? `+${p.inserted}` : '', ...p.deleted.map((id) => `−#${id}`)].join(' ').trim() || '–' : '');
  out.table([
    ['page', 'changes before', 'OFFSET ids', 'seen again', 'keyset ids', 'seen again'],
    ...Array.from({ length: n }, (_, i) => {
      const o = off.pages[i];
      const k = key.pages[i];
      return [i + 1, changes(o ?? k), o ? span(o.ids) : '', o ? list(o.repeats, 4) : '', k ? span(k.ids) : '', k ? list(k.repeats, 4) : ''];
    }),
  ]);
  out.say('Changes before a fetch: +n is n posts published, −#id is that post deleted.');
  for (const r of reads) {
    out.step(
      `${r.method === 'offset' ? 'OFFSET' : 'Keyset'}: ${r.duplicates} duplicate${r.duplicates === 1 ? '' : 's'}, ${r.skipped.length} skipped (${r.pages.length} pages)`,
      r.method === 'offset'
        ? `Each new post pushes every older one down a position, so the next OFFSET lands on rows already shown (${r.duplicates}). Each deleted post that was already shown pulls the rest up, so a row slides into a page already read and is never shown (${r.skipped.length === 0 ? 'none this time' : `posts ${list(r.skipped)}`}).`
        : `The cursor is a position in the sort order, (created_at, id) of the last row shown, not a count: rows published above it or deleted behind it do not move it. ${r.duplicates === 0 && r.skipped.length === 0 ? 'Every surviving post exactly once.' : ''}`.trim(),
      { method: r.method, duplicates: r.duplicates, skipped: r.skipped, pages: r.pages.length, returned: r.returned },
    );
  }
  out.figure('posts at the start / deleted while reading', `${initial} / ${off.deletedDuringRead}`);
  if (predicted !== undefined) {
    const actual = off.duplicates > 0 ? (off.skipped.length > 0 ? 3 : 1) : off.skipped.length > 0 ? 2 : 0;
    out.say(predicted === actual ? `Right: ${choices[actual]}.` : `You predicted "${choices[predicted]}"; this run: ${choices[actual]}.`);
  }

  // ------------------------------------------------------------------ part 2: deep offsets
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const limit = 20;
  out.heading(`The cost of a deep page: ${rows.toLocaleString('en-US')} rows`);
  db.raw.exec('CREATE TABLE feed (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, title TEXT NOT NULL);');
  const loadMs = await insertMany(db, 'feed', ['created_at', 'title'], rows, (i) => [T0 + i * 30 + Math.floor(ctx.rng() * 30), `event ${i + 1}`], ctx.signal);
  const t = performance.now();
  db.run('CREATE INDEX idx_feed_created ON feed (created_at, id)');
  const indexMs = performance.now() - t;
  out.figure('rows loaded', rows, fmtMs(loadMs));
  out.figure('index on (created_at, id) built in', fmtMs(indexMs));
  const depth = Math.floor((rows * 0.9) / limit) * limit;
  const before = db.get<{ id: number; created_at: number }>(`SELECT id, created_at FROM feed ${ORDER} LIMIT 1 OFFSET ?`, [depth - 1]);
  const cursor = [Number(before?.created_at), Number(before?.id)];
  out.say(`Page ${(depth / limit + 1).toLocaleString('en-US')} of ${limit}-row pages starts after row ${depth.toLocaleString('en-US')}. The keyset query gets there from the last row of the previous page: created_at ${cursor[0]}, id ${cursor[1]}.`);

  const probe = rowProbe(db);
  const variants = [
    { name: 'OFFSET 0', sql: (p?: string) => `SELECT id, title FROM feed${p ? ` WHERE ${p}` : ''} ${ORDER} LIMIT ${limit} OFFSET 0`, params: [] },
    { name: `OFFSET ${depth.toLocaleString('en-US')}`, sql: (p?: string) => `SELECT id, title FROM feed${p ? ` WHERE ${p}` : ''} ${ORDER} LIMIT ${limit} OFFSET ${depth}`, params: [] },
    { name: 'keyset, same page', sql: (p?: string) => `SELECT id, title FROM feed WHERE ${p ? `${p} AND ` : ''}(created_at, id) < (?, ?) ${ORDER} LIMIT ${limit}`, params: cursor },
  ];
  const measured = variants.map((v) => {
    const x = probe(v.sql, v.params);
    const timing = timePerCall(stepAll(db, v.sql(), v.params));
    const ids = db.all<{ id: number }>(v.sql(), v.params).map((r) => Number(r.id));
    return { name: v.name, sql: v.sql(), ...x, ms: timing.ms, reps: timing.reps, ids };
  });
  for (const m of measured) {
    out.code(`${m.sql.replace(` ${ORDER}`, `\n ${ORDER}`).replace(' WHERE', '\n WHERE')}\n-- ${m.plan.join('; ')}`);
    out.figure(`${m.name}: rows visited`, m.examined, m.samePlan ? 'counted by SQLite' : 'probe changed the plan');
    out.figure(`${m.name}: time per query`, fmtMs(m.ms), `median of ${m.reps}`);
  }
  const [first, deep, keyset] = measured as [(typeof measured)[0], (typeof measured)[0], (typeof measured)[0]];
  const samePage = deep.ids.join() === keyset.ids.join();
  out.table([['query', 'rows visited', 'rows returned', 'per query'], ...measured.map((m) => [m.name, m.examined.toLocaleString('en-US'), m.returned, fmtMs(m.ms)])]);
  out.bars(
    measured.map((m) => ({ label: m.name, value: Math.round(m.ms * 1000) })),
    'µs',
  );
  out.step(
    `Deep OFFSET visited ${deep.examined.toLocaleString('en-US')} rows to return ${deep.returned}`,
    `OFFSET does not jump: SQLite walks the index from the top and throws away the first ${depth.toLocaleString('en-US')} rows. ${fmtMs(deep.ms)} against ${fmtMs(first.ms)} for page 1: the cost grows with the page number.`,
    { examined: deep.examined, ms: Number(deep.ms.toFixed(4)) },
  );
  out.step(
    `Keyset visited ${keyset.examined} rows for the same page${samePage ? ' (same rows as the deep OFFSET)' : ''}`,
    `The WHERE on (created_at, id) is an index range: SQLite seeks to the cursor and reads the next ${limit}${keyset.examined > limit ? `, plus ${keyset.examined - limit} it checked and rejected at the edge of the range (${keyset.examined - limit === 1 ? 'the cursor row itself' : "rows with the cursor's created_at"})` : ''}. ${fmtMs(keyset.ms)}, about what page 1 costs.`,
    { examined: keyset.examined, ms: Number(keyset.ms.toFixed(4)), samePage },
  );

  out.takeaways([
    'OFFSET counts rows: inserts above the reader repeat rows, deletes above it skip rows.',
    'A keyset cursor is a value in the sort order (created_at, id): stable under inserts and deletes, and an index seek.',
    'Deep OFFSETs read and discard every earlier row; keyset cost stays flat. Keyset cannot jump to page 500, though.',
    'Make the sort key unique (add id as a tie-breaker) and index it in the same order, or the cursor is ambiguous.',
  ]);

  return {
    pageSize,
    initialPosts: initial,
    reads: reads.map((r) => ({
      method: r.method,
      pages: r.pages.length,
      returned: r.returned,
      duplicates: r.duplicates,
      skipped: r.skipped,
      newSeen: r.newSeen,
      deletedDuringRead: r.deletedDuringRead,
      pageIds: r.pages.map((p) => p.ids),
    })),
    deep: {
      rows,
      depth,
      limit,
      samePage,
      queries: measured.map((m) => ({ name: m.name, plan: m.plan, examined: m.examined, returned: m.returned, samePlan: m.samePlan, ms: Number(m.ms.toFixed(4)) })),
    },
  };
}
