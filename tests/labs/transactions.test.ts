/** The transactions lab, run for real on SQLite; assertions are on balances and counts it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('transactions lab', () => {
  it('loses money without a transaction, keeps the invariant with one', async () => {
    const { obs } = await run('transactions', 2, { transfers: 150, tasks: 40 });
    const single = obs.singleTransfer;
    expect(single.withoutTransaction.error).toMatch(/statement 2: account is closed/);
    expect(single.withoutTransaction.totalAfter).toBe(single.withoutTransaction.totalBefore - single.amount);
    expect(single.withTransaction.error).toMatch(/statement 2: account is closed/);
    // SQLite undid only the failed statement: the debit was still there until ROLLBACK.
    expect(single.withTransaction.balanceBeforeRollback).toBe(100 - single.amount);
    expect(single.withTransaction.totalAfter).toBe(single.withTransaction.totalBefore);
    expect(single.withTransaction.balances).toEqual([100, 100, 100]);

    const [noTx, tx] = obs.transfers;
    expect(noTx.ok + noTx.failedFirst + noTx.failedSecond).toBe(150);
    expect(noTx.failedSecond).toBeGreaterThan(0);
    expect(noTx.totalBefore - noTx.totalAfter).toBe(noTx.halfDoneAmount);
    expect(tx.failedSecond).toBeGreaterThan(0);
    expect(tx.totalAfter).toBe(tx.totalBefore);
  });

  it('loses updates with read-modify-write, none with an atomic UPDATE or a version check', async () => {
    const { obs } = await run('transactions', 2, { transfers: 10, tasks: 40 });
    const m = (name: string) => obs.lostUpdate.find((r: { method: string }) => r.method === name);
    const naive = m('read-modify-write');
    expect(naive.succeeded).toBe(40);
    expect(naive.lostUpdates).toBeGreaterThan(0);
    expect(naive.finalBalance).toBeGreaterThan(naive.expectedBalance);
    expect(obs.sameRead).toBeGreaterThan(1);
    for (const fixed of [m('atomic UPDATE'), m('version check')]) {
      expect(fixed.lostUpdates).toBe(0);
      expect(fixed.finalBalance).toBe(1000 - 40 * 10);
    }
    expect(m('version check').retries).toBeGreaterThan(0);
    expect(m('atomic UPDATE').statements).toBe(40);
  });

  it('refuses overdrafts atomically when the withdrawals exceed the balance', async () => {
    const { obs } = await run('transactions', 4, { transfers: 10, tasks: 110 });
    const atomic = obs.lostUpdate.find((r: { method: string }) => r.method === 'atomic UPDATE');
    expect(atomic).toMatchObject({ succeeded: 100, rejected: 10, finalBalance: 0, lostUpdates: 0 });
  });

  it('is deterministic under --seed', async () => {
    const a = await run('transactions', 7, { transfers: 60, tasks: 20 });
    const b = await run('transactions', 7, { transfers: 60, tasks: 20 });
    expect(a.obs).toEqual(b.obs);
  });
});
