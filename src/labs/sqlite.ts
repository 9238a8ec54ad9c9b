/**
 * Real SQL for labs: SQLite compiled to WebAssembly (sql.js), one in-memory database per lab, closed by the
 * lab's cleanup. sql.js stays outside the bundle (it loads its .wasm file from its own package).
 */
import { createRequire } from 'node:module';
import type { BindParams, Database, SqlJsStatic, SqlValue } from 'sql.js';
import type { LabContext } from './types.js';

export type Row = Record<string, SqlValue>;

export interface Sqlite {
  /** Run statements that return nothing (DDL, INSERT…); returns rows changed by the last one. */
  run(sql: string, params?: BindParams): number;
  all<T extends Row = Row>(sql: string, params?: BindParams): T[];
  get<T extends Row = Row>(sql: string, params?: BindParams): T | undefined;
  /** SQLite's own EXPLAIN QUERY PLAN, one line per step (e.g. "SEARCH orders USING INDEX …"). */
  plan(sql: string, params?: BindParams): string[];
  /** Every statement executed through this handle, counted (for N+1 demonstrations). */
  readonly statements: number;
  readonly raw: Database;
}

let engine: Promise<SqlJsStatic> | undefined;

function loadEngine(): Promise<SqlJsStatic> {
  const require = createRequire(import.meta.url);
  const init = require('sql.js') as (config: { locateFile: (file: string) => string }) => Promise<SqlJsStatic>;
  return (engine ??= init({ locateFile: (file) => require.resolve(`sql.js/dist/${file}`) }));
}

export async function openSqlite(ctx: Pick<LabContext, 'defer'>): Promise<Sqlite> {
  const SQL = await loadEngine();
  const db = new SQL.Database();
  ctx.defer(() => db.close());
  let statements = 0;
  const rows = <T extends Row>(sql: string, params?: BindParams): T[] => {
    statements++;
    const stmt = db.prepare(sql);
    try {
      if (params) stmt.bind(params);
      const out: T[] = [];
      while (stmt.step()) out.push(stmt.getAsObject() as T);
      return out;
    } finally {
      stmt.free();
    }
  };
  return {
    run(sql, params) {
      statements++;
      db.run(sql, params ?? undefined);
      return db.getRowsModified();
    },
    all: rows,
    get<T extends Row = Row>(sql: string, params?: BindParams): T | undefined {
      return rows<T>(sql, params)[0];
    },
    plan(sql, params) {
      statements--; // the plan is not a query the application made
      return rows<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params).map((r) => String(r.detail));
    },
    get statements() {
      return statements;
    },
    raw: db,
  };
}
