/**
 * Lab: indexes. A real SQLite table of orders (sql.js), the query "latest 20 orders of user X" run with no
 * index, with an index on user_id, and with the composite (user_id, created_at DESC). For each: SQLite's own
 * EXPLAIN QUERY PLAN, the rows its loop visited (counted by SQLite calling a probe function) and the time.
 */
import { fmtMs, insertMany, ROWS_PER_INSERT, rowProbe, stepAll, timePerCall, type Examined } from '../src/labs/sqlite-measure.js';
import { openSqlite } from '../src/labs/sqlite.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const LIMIT = 20;
const YEAR_S = 365 * 86_400;
const START = Date.UTC(2025, 0, 1) / 1000;
const STATUSES = ['paid', 'shipped', 'delivered', 'refunded'] as const;

interface Stage {
  readonly key: 'none' | 'single' | 'composite';
  readonly label: string;
  readonly ddl: string | null;
}

const STAGES: readonly Stage[] = [
  { key: 'none', label: 'none', ddl: null },
  { key: 'single', label: 'user_id', ddl: 'CREATE INDEX idx_orders_user ON orders (user_id)' },
  { key: 'composite', label: 'user_id, created_at DESC', ddl: 'CREATE INDEX idx_orders_user_created ON orders (user_id, created_at DESC)' },
];

const query = (probe?: string) =>
  `SELECT id, created_at, total_cents FROM orders\n WHERE ${probe ? `${probe} AND ` : ''}user_id = ?\n ORDER BY created_at DESC\n LIMIT ${LIMIT}`;

/** What the plan says, in words, derived from its lines. */
function readPlan(plan: readonly string[]): { short: string; scan: boolean; sorts: boolean } {
  const scan = plan.some((l) => /^SCAN orders/.test(l));
  const sorts = plan.some((l) => /TEMP B-TREE/.test(l));
  return { short: `${scan ? 'SCAN' : 'SEARCH'}${sorts ? ' + sort' : ''}`, scan, sorts };
}

const clampInt = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const rows = clampInt(ctx.params.rows ?? 100_000, 1_000, 500_000);
  const users = clampInt(ctx.params.users ?? 1_000, 10, Math.max(10, Math.floor(rows / 2)));
  const db = await openSqlite(ctx);

  out.say(
    `A real SQLite database (sql.js, in memory) with ${rows.toLocaleString('en-US')} orders from ${users.toLocaleString('en-US')} users. One query, three indexing choices: SQLite's own plan, the rows it visited, and the time per query, measured.`,
  );
  const schema = 'CREATE TABLE orders (\n  id          INTEGER PRIMARY KEY,\n  user_id     INTEGER NOT NULL,\n  created_at  INTEGER NOT NULL,  -- unix seconds\n  total_cents INTEGER NOT NULL,\n  status      TEXT NOT NULL\n)';
  db.run(schema);
  out.code(schema);

  out.heading('Loading the table');
  // Orders arrive in time order (created_at rises with id), from random users.
  const gap = Math.max(1, Math.floor(YEAR_S / rows));
  const columns = ['user_id', 'created_at', 'total_cents', 'status'];
  const insertMs = await insertMany(
    db,
    'orders',
    columns,
    rows,
    (i) => [1 + Math.floor(ctx.rng() * users), START + i * gap + Math.floor(ctx.rng() * gap), 500 + Math.floor(ctx.rng() * 20_000), STATUSES[Math.floor(ctx.rng() * STATUSES.length)]!],
    ctx.signal,
  );
  const counted = Number(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM orders')?.n ?? 0);
  out.code(
    `BEGIN;\nINSERT INTO orders (${columns.join(', ')})\n  VALUES (?, ?, ?, ?), (?, ?, ?, ?), …  -- ${ROWS_PER_INSERT} rows per statement,\n  -- prepared once, run ${Math.ceil(rows / ROWS_PER_INSERT).toLocaleString('en-US')} times\nCOMMIT;`,
  );
  out.figure('rows inserted', counted);
  out.figure('insert time', fmtMs(insertMs), `${Math.round(rows / (insertMs / 1000)).toLocaleString('en-US')} rows/s`);
  out.step(
    'One transaction, one prepared statement',
    'Outside a transaction every INSERT is its own transaction with its own commit; inside one, SQLite commits once. Preparing once skips parsing the SQL again, and many rows per statement cut the per-call overhead.',
    { rows: counted, insertMs: Math.round(insertMs) },
  );

  const userId = 1 + Math.floor(ctx.rng() * users);
  out.heading(`The query: latest ${LIMIT} orders of user ${userId}`);
  out.code(query().replace('user_id = ?', `user_id = ${userId}`));
  const probe = rowProbe(db);

  let predicted: number | undefined;
  const choices = [
    `${LIMIT}: it stops at the LIMIT`,
    `all of user ${userId}'s orders, then it sorts them`,
    `all ${rows.toLocaleString('en-US')} rows`,
  ];
  if (ctx.prompts) {
    predicted = await ctx.prompts.predictChoice(`with an index on user_id alone, how many rows does SQLite visit for this query?`, choices);
  }

  const results: {
    key: Stage['key'];
    label: string;
    plan: string[];
    planShort: string;
    examined: number;
    returned: number;
    samePlan: boolean;
    msPerQuery: number;
    reps: number;
    indexBuildMs: number | null;
    ids: number[];
  }[] = [];
  let userOrders = 0;
  for (const stage of STAGES) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    out.heading(stage.ddl ? `Index on (${stage.label})` : 'No index');
    let indexBuildMs: number | null = null;
    if (stage.ddl) {
      // Each stage has exactly one index: drop the previous one.
      for (const { name } of db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders'")) db.run(`DROP INDEX ${name}`);
      const t = performance.now();
      db.run(stage.ddl);
      indexBuildMs = performance.now() - t;
      out.code(`${stage.ddl};`);
      out.figure('index build time', fmtMs(indexBuildMs), `sorting ${counted.toLocaleString('en-US')} entries once`);
    }
    const x: Examined = probe(query, [userId]);
    const timing = timePerCall(stepAll(db, query(), [userId]));
    const ids = db.all<{ id: number }>(query(), [userId]).map((r) => Number(r.id));
    const p = readPlan(x.plan);
    if (stage.key === 'single') userOrders = x.examined;
    out.code(`EXPLAIN QUERY PLAN\n${x.plan.map((l) => `  ${l}`).join('\n')}`);
    out.figure('rows visited', x.examined, x.samePlan ? 'counted by SQLite, same plan' : 'counted with a probe that changed the plan');
    out.figure('rows returned', x.returned);
    out.figure('time per query', fmtMs(timing.ms), `median of ${timing.reps} runs`);
    const how = p.scan
      ? `SCAN: with no usable index SQLite reads all ${x.examined.toLocaleString('en-US')} rows and tests user_id on each.`
      : `SEARCH: the index leads straight to user ${userId}'s entries; SQLite visited ${x.examined.toLocaleString('en-US')} rows.`;
    const sort = p.sorts
      ? ` Then USE TEMP B-TREE: every match is sorted by created_at to find the newest ${LIMIT}, so the LIMIT cannot stop the reading early.`
      : ` No sort step: the index keeps each user's orders newest first, so SQLite reads entries in order and stops after ${LIMIT} (the LIMIT).`;
    out.step(`${p.short}: ${x.examined.toLocaleString('en-US')} rows visited, ${fmtMs(timing.ms)} per query`, how + sort, {
      index: stage.label,
      plan: x.plan,
      examined: x.examined,
      returned: x.returned,
      ms: Number(timing.ms.toFixed(4)),
    });
    results.push({ key: stage.key, label: stage.label, plan: x.plan, planShort: p.short, examined: x.examined, returned: x.returned, samePlan: x.samePlan, msPerQuery: timing.ms, reps: timing.reps, indexBuildMs, ids });

    if (stage.key === 'single' && predicted !== undefined) {
      const actual = x.examined === LIMIT ? 0 : x.examined === counted ? 2 : 1;
      out.say(predicted === actual ? `You predicted it: ${choices[actual]}.` : `You predicted "${choices[predicted]}"; SQLite visited ${x.examined.toLocaleString('en-US')} rows: ${choices[actual]}.`);
    }
  }

  const [none, single, composite] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
  const sameResults = results.every((r) => r.ids.join() === none.ids.join());
  out.heading('Side by side');
  out.table([
    ['index', 'plan', 'visited', 'per query', 'speed-up'],
    ...results.map((r) => [r.label, r.planShort, r.examined.toLocaleString('en-US'), fmtMs(r.msPerQuery), `×${Math.round(none.msPerQuery / r.msPerQuery).toLocaleString('en-US')}`]),
  ]);
  out.bars(
    results.map((r) => ({ label: r.label, value: Math.round(r.msPerQuery * 1000) })),
    'µs',
  );
  out.step(
    sameResults ? `All three returned the same ${none.ids.length} orders` : 'The three variants returned different rows',
    sameResults
      ? 'An index changes how SQLite finds the rows, never which rows the query means.'
      : 'Rows with equal created_at may come back in any order; add a tie-breaker (id) to ORDER BY.',
    { sameResults },
  );
  const fasterSingle = single.msPerQuery < none.msPerQuery;
  const fasterComposite = composite.msPerQuery < single.msPerQuery;
  out.step(
    `user_id alone: ${single.examined} rows visited instead of ${none.examined.toLocaleString('en-US')}`,
    `The index narrows the search to one user (${fasterSingle ? 'faster' : 'not faster here'}: ${fmtMs(single.msPerQuery)} against ${fmtMs(none.msPerQuery)}), but all of that user's orders are still fetched and sorted. Its cost grows with the number of orders per user.`,
    { examined: single.examined, userOrders },
  );
  out.step(
    `(user_id, created_at DESC): ${composite.examined} rows visited`,
    `Equality column first, then the sort column: the entries for one user are already in the order the query wants, so the work is bounded by the LIMIT, however many orders the user has (${fasterComposite ? 'faster than user_id alone' : 'not faster at this size'}: ${fmtMs(composite.msPerQuery)}).`,
    { examined: composite.examined },
  );

  out.heading('One index, several queries');
  const prefixPlan = db.plan('SELECT COUNT(*) FROM orders WHERE user_id = ?', [userId]);
  const prefixUsed = prefixPlan.some((l) => l.includes('idx_orders_user_created'));
  out.code(`EXPLAIN QUERY PLAN SELECT COUNT(*) FROM orders WHERE user_id = ?\n${prefixPlan.map((l) => `  ${l}`).join('\n')}`);
  out.step(
    prefixUsed ? 'The composite index also serves WHERE user_id = ? alone' : 'The composite index was not used for WHERE user_id = ? alone',
    prefixUsed
      ? 'Its leftmost column is user_id, so any query that filters on user_id can use it (the leftmost-prefix rule): a separate index on user_id would only cost writes.'
      : 'SQLite chose another plan here; check the plan before dropping an index.',
    { prefixPlan, prefixUsed },
  );

  out.takeaways([
    'Read EXPLAIN QUERY PLAN: SCAN means every row; SEARCH USING INDEX means the index is used; USE TEMP B-TREE means a sort.',
    'An index on the filter column helps, but ORDER BY … LIMIT still sorts every match unless the index also holds the sort order.',
    'Composite index: equality columns first, then the ORDER BY column; then LIMIT stops the read early. (SQLite can walk an index backwards, so DESC in the index matters only when ORDER BY mixes directions.)',
    'Every index costs time on each write and to build; one composite index can serve several queries that share its leftmost columns.',
  ]);

  return {
    rows: counted,
    users,
    userId,
    userOrders,
    limit: LIMIT,
    insertMs: Math.round(insertMs),
    sameResults,
    prefixUsed,
    stages: results.map((r) => ({
      index: r.key,
      plan: r.plan,
      planShort: r.planShort,
      examined: r.examined,
      returned: r.returned,
      samePlan: r.samePlan,
      msPerQuery: Number(r.msPerQuery.toFixed(4)),
      reps: r.reps,
      indexBuildMs: r.indexBuildMs === null ? null : Math.round(r.indexBuildMs),
    })),
  };
}
