/**
 * Measuring SQL in the SQLite labs (indexes, n-plus-one, pagination): bulk loads in one transaction with one
 * prepared statement, time per query (median of repeats), and rows examined, counted by SQLite itself through
 * a user-defined function that the WHERE clause calls once for every row the query loop visits.
 */
import type { BindParams, SqlValue } from 'sql.js';
import type { Sqlite } from './sqlite.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows per INSERT statement in insertMany: sql.js pays a JS↔WebAssembly toll per statement run. */
export const ROWS_PER_INSERT = 100;

/** The multi-row INSERT that insertMany prepares, for showing. */
export function insertSql(table: string, columns: readonly string[], rows = ROWS_PER_INSERT): string {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
}

/**
 * Insert `count` rows inside one transaction, with one prepared multi-row INSERT (ROWS_PER_INSERT rows per
 * run, plus one for the remainder); yields to the event loop every 10,000 rows so that Ctrl-C is seen.
 * Returns the elapsed milliseconds. Not counted in `db.statements`.
 */
export async function insertMany(
  db: Sqlite,
  table: string,
  columns: readonly string[],
  count: number,
  row: (i: number) => readonly SqlValue[],
  signal?: AbortSignal,
): Promise<number> {
  const t0 = performance.now();
  const full = db.raw.prepare(insertSql(table, columns));
  const rest = count % ROWS_PER_INSERT ? db.raw.prepare(insertSql(table, columns, count % ROWS_PER_INSERT)) : undefined;
  db.raw.run('BEGIN');
  try {
    let batch: SqlValue[] = [];
    for (let i = 0; i < count; i++) {
      batch.push(...row(i));
      if (batch.length === ROWS_PER_INSERT * columns.length) {
        full.run(batch);
        batch = [];
      }
      if (i % 10_000 === 9_999) {
        await nextTurn();
        signal?.throwIfAborted();
      }
    }
    if (batch.length) rest?.run(batch);
    db.raw.run('COMMIT');
  } catch (error) {
    try {
      db.raw.run('ROLLBACK');
    } catch {
      // the database may already be closed by the lab's cleanup
    }
    throw error;
  } finally {
    try {
      full.free();
      rest?.free();
    } catch {
      // closed with the database
    }
  }
  return performance.now() - t0;
}

export interface Timing {
  /** Median milliseconds per call. */
  readonly ms: number;
  readonly reps: number;
}

/** Median time of `fn` after one warm-up call: at least 3 repeats, then until `budgetMs` or `maxReps`. */
export function timePerCall(fn: () => void, budgetMs = 120, maxReps = 300): Timing {
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (samples.length < maxReps && performance.now() - start < budgetMs)) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)]!, reps: samples.length };
}

/** timePerCall for async work (e.g. queries through an awaited wrapper). */
export async function timePerCallAsync(fn: () => Promise<unknown>, budgetMs = 120, maxReps = 300): Promise<Timing> {
  await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (samples.length < maxReps && performance.now() - start < budgetMs)) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)]!, reps: samples.length };
}

/** Run a prepared statement to the end (rows are read, not kept). */
export function stepAll(db: Sqlite, sql: string, params: BindParams): () => number {
  const stmt = db.raw.prepare(sql);
  return () => {
    stmt.bind(params);
    let n = 0;
    while (stmt.step()) n++;
    stmt.reset();
    return n;
  };
}

/** "0.274 ms", "35.1 ms", "1,204 ms": three significant digits, enough for a comparison. */
export function fmtMs(ms: number): string {
  if (ms >= 100) return `${Math.round(ms).toLocaleString('en-US')} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export interface Examined {
  /** Rows the query loop visited (the probe's calls). */
  readonly examined: number;
  /** Rows the query returned. */
  readonly returned: number;
  /** SQLite's plan for the query without the probe. */
  readonly plan: string[];
  /** The probe did not change the plan, so the count is the plain query's. */
  readonly samePlan: boolean;
}

/**
 * Counts rows examined. `sql(probe)` builds the query; with a probe it must make the probe the FIRST term of
 * the WHERE clause (`WHERE ${probe} AND user_id = ?`, or `WHERE ${probe}` when there is none): SQLite then
 * calls it once per row its loop visits, before any other test can reject the row.
 */
export function rowProbe(db: Sqlite, name = 'examined') {
  let calls = 0;
  db.raw.create_function(name, () => {
    calls++;
    return 1;
  });
  const probe = `${name}()`;
  return (sql: (probe?: string) => string, params: BindParams): Examined => {
    const plan = db.plan(sql(), params);
    const probed = db.plan(sql(probe), params);
    calls = 0;
    const returned = db.all(sql(probe), params).length;
    return { examined: calls, returned, plan, samePlan: plan.join('\n') === probed.join('\n') };
  };
}
