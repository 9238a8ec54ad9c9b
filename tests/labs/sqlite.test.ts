import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/labs/sqlite.js';

describe('openSqlite', () => {
  it('runs real SQL in SQLite, with query plans, and closes on cleanup', async () => {
    const cleanups: (() => void | Promise<void>)[] = [];
    const db = await openSqlite({ defer: (fn) => void cleanups.push(fn) });
    db.run('CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, created_at TEXT)');
    expect(db.run('INSERT INTO orders (user_id, created_at) VALUES (?, ?), (?, ?)', [1, '2026-01-01', 2, '2026-01-02'])).toBe(2);
    expect(db.all('SELECT user_id FROM orders ORDER BY id')).toEqual([{ user_id: 1 }, { user_id: 2 }]);
    expect(db.plan('SELECT * FROM orders WHERE user_id = ?', [1]).join()).toMatch(/SCAN orders/);
    db.run('CREATE INDEX idx_user ON orders (user_id, created_at DESC)');
    expect(db.plan('SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC', [1]).join()).toMatch(/SEARCH orders USING (COVERING )?INDEX idx_user/);
    expect(db.statements).toBe(4);
    for (const fn of cleanups) await fn();
    expect(() => db.all('SELECT 1')).toThrow();
  });
});
