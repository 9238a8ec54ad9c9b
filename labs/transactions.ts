/**
 * Lab: transactions. Real SQLite (sql.js). A transfer whose second UPDATE fails, with and without a
 * transaction, and the "total money" invariant checked after; then a lost update from concurrent
 * read-modify-write (interleaved async tasks on real SQL) against an atomic UPDATE and a version check.
 */
import { openSqlite, type Sqlite } from '../src/labs/sqlite.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const SCHEMA = `CREATE TABLE accounts (
  id      INTEGER PRIMARY KEY,
  owner   TEXT NOT NULL,
  balance INTEGER NOT NULL CHECK (balance >= 0),
  closed  INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER closed_accounts_are_frozen
  BEFORE UPDATE OF balance ON accounts WHEN OLD.closed = 1
  BEGIN SELECT RAISE(ABORT, 'account is closed'); END;`;

const DEBIT = 'UPDATE accounts SET balance = balance - ? WHERE id = ?';
const CREDIT = 'UPDATE accounts SET balance = balance + ? WHERE id = ?';

const TRANSFER_CODE = `function transfer(from, to, amount) {
  db.run('${DEBIT}',
    [amount, from]);
  db.run('${CREDIT}',
    [amount, to]);
}`;
const TRANSFER_TX_CODE = `function transferTx(from, to, amount) {
  db.run('BEGIN');
  try {
    db.run('${DEBIT}',
      [amount, from]);
    db.run('${CREDIT}',
      [amount, to]);
    db.run('COMMIT');
  } catch (err) {
    db.run('ROLLBACK');
    throw err;
  }
}`;

interface Account {
  readonly id: number;
  readonly owner: string;
  readonly balance: number;
  readonly closed: number;
}

const OWNERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;
const START_BALANCE = 100;

function resetAccounts(db: Sqlite, closedId: number): void {
  db.run('DELETE FROM accounts');
  OWNERS.forEach((owner, i) => db.run('INSERT INTO accounts (id, owner, balance, closed) VALUES (?, ?, ?, ?)', [i + 1, owner, START_BALANCE, i + 1 === closedId ? 1 : 0]));
}

const accounts = (db: Sqlite) => db.all<Account & Record<string, number | string>>('SELECT id, owner, balance, closed FROM accounts ORDER BY id');
const total = (db: Sqlite) => Number(db.get<{ t: number }>('SELECT SUM(balance) AS t FROM accounts')?.t ?? 0);

/** Which statement of a transfer failed (1 = debit, 2 = credit), with SQLite's error message. */
class TransferError extends Error {
  constructor(
    readonly statement: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

function transfer(db: Sqlite, from: number, to: number, amount: number): void {
  try {
    db.run(DEBIT, [amount, from]);
  } catch (e) {
    throw new TransferError(1, (e as Error).message);
  }
  try {
    db.run(CREDIT, [amount, to]);
  } catch (e) {
    throw new TransferError(2, (e as Error).message);
  }
}

/** `peek` runs after a failure, before ROLLBACK: what the open transaction holds at that moment. */
function transferTx(db: Sqlite, from: number, to: number, amount: number, peek?: () => void): void {
  db.run('BEGIN');
  try {
    transfer(db, from, to, amount);
    db.run('COMMIT');
  } catch (err) {
    peek?.();
    db.run('ROLLBACK');
    throw err;
  }
}

interface BatchResult {
  readonly mode: 'no transaction' | 'transaction';
  readonly ok: number;
  readonly failedFirst: number;
  readonly failedSecond: number;
  readonly totalBefore: number;
  readonly totalAfter: number;
  /** Amounts debited by transfers whose credit then failed, summed. */
  readonly halfDoneAmount: number;
}

type Withdraw = 'read-modify-write' | 'atomic UPDATE' | 'version check';

interface RaceResult {
  readonly method: Withdraw;
  readonly tasks: number;
  readonly succeeded: number;
  readonly rejected: number;
  readonly finalBalance: number;
  readonly expectedBalance: number;
  /** Withdrawals reported as done whose debit is missing from the balance. */
  readonly lostUpdates: number;
  readonly retries: number;
  readonly statements: number;
}

interface TraceEvent {
  readonly task: number;
  readonly op: string;
  readonly balance: number;
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const transfers = Math.min(10_000, Math.max(10, Math.round(ctx.params.transfers ?? 200)));
  const tasks = Math.min(300, Math.max(2, Math.round(ctx.params.tasks ?? 50)));
  const db = await openSqlite(ctx);
  db.raw.exec(SCHEMA);

  out.say('Real SQLite (sql.js, in memory). Part 1: a transfer is two UPDATEs; what if the second one fails? Part 2: many tasks withdraw from one account at once.');
  out.code(SCHEMA);

  // ------------------------------------------------------------------ part 1: one failing transfer
  out.heading('A transfer that fails halfway, without a transaction');
  const closedId = 3;
  const amount = 30;
  resetAccounts(db, closedId);
  const name = (id: number) => OWNERS[id - 1]!;
  out.say(`${name(closedId)}'s account is closed: the trigger refuses any change to its balance. Transfer ${amount} from ${name(1)} to ${name(closedId)}:`);
  out.code(TRANSFER_CODE);
  const before = total(db);
  let errNoTx = '';
  try {
    transfer(db, 1, closedId, amount);
  } catch (e) {
    errNoTx = e instanceof TransferError ? `statement ${e.statement}: ${e.message}` : String(e);
  }
  const afterNoTx = accounts(db);
  const totalNoTx = total(db);
  out.table([['account', 'before', 'after'], ...afterNoTx.slice(0, 3).map((a) => [a.owner, START_BALANCE, a.balance])]);
  out.step(`SQLite refused it: ${errNoTx || 'no error'}`, `The debit had already run and was committed on its own (autocommit): each statement outside a transaction is a transaction by itself.`, { error: errNoTx });
  out.figure('total money before / after', `${before} / ${totalNoTx}`, totalNoTx === before ? 'invariant holds' : `${before - totalNoTx} vanished`);

  out.heading('The same transfer inside a transaction');
  resetAccounts(db, closedId);
  out.code(TRANSFER_TX_CODE);
  let errTx = '';
  const peek: { balance: number | null } = { balance: null };
  try {
    transferTx(db, 1, closedId, amount, () => {
      peek.balance = Number(db.get<{ balance: number }>('SELECT balance FROM accounts WHERE id = 1')?.balance);
    });
  } catch (e) {
    errTx = e instanceof TransferError ? `statement ${e.statement}: ${e.message}` : String(e);
  }
  const afterTx = accounts(db);
  const peekBalance = peek.balance;
  const totalTx = total(db);
  out.step(
    `Credit refused again; before ROLLBACK, ${name(1)} reads ${peekBalance ?? '?'}`,
    peekBalance === START_BALANCE - amount
      ? `(${errTx}) SQLite undid only the failed statement: the transaction is still open and still holds the debit. It is the application that must ROLLBACK (PostgreSQL instead marks the whole transaction failed).`
      : `(${errTx}) Read inside the open transaction, after the failed statement.`,
    { error: errTx, balanceBeforeRollback: peekBalance },
  );
  out.table([['account', 'before', 'after ROLLBACK'], ...afterTx.slice(0, 3).map((a) => [a.owner, START_BALANCE, a.balance])]);
  out.figure('total money before / after', `${before} / ${totalTx}`, totalTx === before ? 'invariant holds' : `${before - totalTx} vanished`);

  // ------------------------------------------------------------------ part 1b: many random transfers
  out.heading(`${transfers} random transfers, with and without a transaction`);
  const plan = Array.from({ length: transfers }, () => {
    const from = 1 + Math.floor(ctx.rng() * OWNERS.length);
    const to = 1 + ((from + Math.floor(ctx.rng() * (OWNERS.length - 1))) % OWNERS.length);
    return { from, to, amount: 5 + Math.floor(ctx.rng() * 56) };
  });
  const closedBatch = 1 + Math.floor(ctx.rng() * OWNERS.length);
  out.say(
    `${OWNERS.length} accounts of ${START_BALANCE}; ${name(closedBatch)}'s is closed. The same seeded list of transfers (5 to 60 each) runs twice from the same start. A debit that would go below 0 fails the CHECK; any change to the closed account fails the trigger.`,
  );
  const batch = (mode: BatchResult['mode']): BatchResult => {
    resetAccounts(db, closedBatch);
    const totalBefore = total(db);
    let ok = 0;
    let failedFirst = 0;
    let failedSecond = 0;
    let halfDoneAmount = 0;
    for (const t of plan) {
      try {
        if (mode === 'transaction') transferTx(db, t.from, t.to, t.amount);
        else transfer(db, t.from, t.to, t.amount);
        ok++;
      } catch (e) {
        if (!(e instanceof TransferError)) throw e;
        if (e.statement === 1) failedFirst++;
        else {
          failedSecond++;
          halfDoneAmount += t.amount;
        }
      }
    }
    return { mode, ok, failedFirst, failedSecond, totalBefore, totalAfter: total(db), halfDoneAmount };
  };
  const batches = [batch('no transaction'), batch('transaction')] as const;
  out.table([
    ['', 'done', 'debit failed', 'credit failed', 'total before', 'total after'],
    ...batches.map((b) => [b.mode, b.ok, b.failedFirst, b.failedSecond, b.totalBefore, b.totalAfter]),
  ]);
  for (const b of batches) {
    const drift = b.totalAfter - b.totalBefore;
    out.step(
      `${b.mode}: total money ${drift === 0 ? 'unchanged' : `${drift > 0 ? 'up' : 'down'} by ${Math.abs(drift)}`}`,
      b.mode === 'no transaction'
        ? `${b.failedSecond} transfers failed at the credit after their debit had committed: ${b.halfDoneAmount} debited and never credited${b.halfDoneAmount === -drift ? ', exactly the money missing' : ''}. A failed debit (${b.failedFirst}) changed nothing.`
        : `The ${b.failedSecond} transfers whose credit failed were rolled back whole: either both UPDATEs happened or neither did.`,
      { ...b, drift },
    );
  }

  // ------------------------------------------------------------------ part 2: lost update
  out.heading(`Lost update: ${tasks} concurrent withdrawals`);
  const startBalance = 1_000;
  const withdrawal = 10;
  const expectedIfAll = startBalance - tasks * withdrawal;
  out.say(
    `One account holds ${startBalance}. ${tasks} async tasks start together and each withdraws ${withdrawal}. They share one SQLite connection; each awaits (a seeded number of event-loop turns, like waiting for another service) between reading and writing. SQLite runs every statement atomically; nothing ties one task's read to its write.`,
  );
  out.code(`// read-modify-write
const { balance } = db.get('SELECT balance FROM accounts WHERE id = ?',
  [id]);
if (balance < amount) return 'insufficient funds';
await somethingElse();
db.run('UPDATE accounts SET balance = ? WHERE id = ?',
  [balance - amount, id]);`);

  let predicted: number | undefined;
  const choices = [`${Math.max(0, expectedIfAll)}: every withdrawal lands`, `more than ${Math.max(0, expectedIfAll)}: some withdrawals are lost`, `less than ${Math.max(0, expectedIfAll)}`];
  if (ctx.prompts) predicted = await ctx.prompts.predictChoice('what is the balance after all the tasks finish?', choices);

  // Same arrival and work delays for every method.
  const delays = Array.from({ length: tasks }, () => [Math.floor(ctx.rng() * 4), Math.floor(ctx.rng() * 4)] as const);
  const race = async (method: Withdraw, trace?: TraceEvent[]): Promise<RaceResult> => {
    db.run('DELETE FROM accounts');
    db.run('INSERT INTO accounts (id, owner, balance) VALUES (1, ?, ?)', ['shared', startBalance]);
    const statementsBefore = db.statements;
    let retries = 0;
    const log = (task: number, op: string, balance: number) => trace?.push({ task, op, balance });
    const one = async (task: number): Promise<boolean> => {
      const [arrive, work] = delays[task]!;
      await turns(arrive);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (method === 'atomic UPDATE') {
        await turns(work);
        const changed = db.run('UPDATE accounts SET balance = balance - ? WHERE id = 1 AND balance >= ?', [withdrawal, withdrawal]);
        if (trace) log(task, changed ? 'UPDATE −10' : 'refused', Number(db.get<{ b: number }>('SELECT balance AS b FROM accounts WHERE id = 1')?.b));
        return changed === 1;
      }
      for (let attempt = 0; ; attempt++) {
        const row = db.get<{ balance: number; version: number }>('SELECT balance, version FROM accounts WHERE id = 1');
        const balance = Number(row?.balance);
        const version = Number(row?.version);
        log(task, 'read', balance);
        if (balance < withdrawal) return false;
        await turns(attempt === 0 ? work : 1 + (task % 3));
        if (method === 'read-modify-write') {
          db.run('UPDATE accounts SET balance = ? WHERE id = 1', [balance - withdrawal]);
          log(task, `write ${balance - withdrawal}`, balance - withdrawal);
          return true;
        }
        const changed = db.run('UPDATE accounts SET balance = ?, version = version + 1 WHERE id = 1 AND version = ?', [balance - withdrawal, version]);
        log(task, changed ? `write ${balance - withdrawal}` : 'stale: retry', changed ? balance - withdrawal : balance);
        if (changed) return true;
        retries++;
      }
    };
    const results = await Promise.all(Array.from({ length: tasks }, (_, i) => one(i)));
    const statements = db.statements - statementsBefore;
    const succeeded = results.filter(Boolean).length;
    const finalBalance = Number(db.get<{ b: number }>('SELECT balance AS b FROM accounts WHERE id = 1')?.b);
    const expectedBalance = startBalance - succeeded * withdrawal;
    return {
      method,
      tasks,
      succeeded,
      rejected: tasks - succeeded,
      finalBalance,
      expectedBalance,
      lostUpdates: Math.round((finalBalance - expectedBalance) / withdrawal),
      retries,
      statements,
    };
  };

  const trace: TraceEvent[] = [];
  const naive = await race('read-modify-write', trace);
  // Up to the third write: enough to see writes built on the same read.
  const writes = trace.map((e, i) => (e.op.startsWith('write') ? i : -1)).filter((i) => i >= 0);
  const shown = trace.slice(0, Math.min(16, (writes[2] ?? 9) + 1));
  out.table([['#', 'task', 'did', 'balance'], ...shown.map((e, i) => [i + 1, `T${e.task + 1}`, e.op, e.balance])]);
  const firstRead = trace.find((e) => e.op === 'read');
  const sameRead = firstRead ? trace.filter((e) => e.op === 'read' && e.balance === firstRead.balance).length : 0;
  const firstValue = firstRead?.balance ?? startBalance;
  const sameWrite = trace.filter((e) => e.op === `write ${firstValue - withdrawal}`).length;
  out.step(
    `${sameRead} tasks read the balance ${firstValue}, and ${sameWrite} wrote ${firstValue - withdrawal}`,
    `Those reads happened before any write, so each task computed its new balance from the same ${firstValue}. Each write of ${firstValue - withdrawal} replaced the previous one instead of subtracting again.`,
    { sameRead, sameWrite },
  );
  out.figure('withdrawals reported done', naive.succeeded, `${naive.succeeded * withdrawal} paid out`);
  out.figure('balance: expected / actual', `${naive.expectedBalance} / ${naive.finalBalance}`);
  out.step(
    `${naive.lostUpdates} of ${naive.succeeded} withdrawals lost`,
    naive.lostUpdates > 0
      ? `The balance only went down by ${startBalance - naive.finalBalance}: ${naive.lostUpdates * withdrawal} was paid out that the account never recorded. No error anywhere; every UPDATE succeeded.`
      : 'With this interleaving no write overwrote another; with more overlap (more tasks, longer awaits) they do.',
    { ...naive },
  );
  if (predicted !== undefined) {
    const actual = naive.finalBalance === naive.expectedBalance ? 0 : naive.finalBalance > naive.expectedBalance ? 1 : 2;
    out.say(predicted === actual ? `You predicted it: ${naive.finalBalance}.` : `You predicted "${choices[predicted]}"; the balance is ${naive.finalBalance}.`);
  }

  out.heading('The fix: let the database do the arithmetic');
  out.code(`await somethingElse();
const changed = db.run(\`UPDATE accounts SET balance = balance - ?
                         WHERE id = ? AND balance >= ?\`,
  [amount, id, amount]);   // changed === 0: insufficient funds`);
  const atomic = await race('atomic UPDATE');
  out.figure('withdrawals done / refused', `${atomic.succeeded} / ${atomic.rejected}`);
  out.figure('balance: expected / actual', `${atomic.expectedBalance} / ${atomic.finalBalance}`);
  out.step(
    `${atomic.lostUpdates} lost: the read, the check and the write are one statement`,
    'SQLite evaluates balance - ? on the current row inside the UPDATE, which holds the write lock: no other write can slip between. The WHERE balance >= ? guard refuses an overdraft in the same step (changes = 0).',
    { ...atomic },
  );

  out.heading('Or: optimistic locking with a version column');
  out.code(`// read balance and version, then write only if nobody wrote in between
UPDATE accounts SET balance = ?, version = version + 1
 WHERE id = ? AND version = ?      -- 0 rows changed: re-read and retry`);
  const optimistic = await race('version check');
  out.figure('withdrawals done / refused', `${optimistic.succeeded} / ${optimistic.rejected}`);
  out.figure('balance: expected / actual', `${optimistic.expectedBalance} / ${optimistic.finalBalance}`);
  out.figure('retries after a version conflict', optimistic.retries);
  out.step(
    `${optimistic.lostUpdates} lost, ${optimistic.retries} retries`,
    'A write that read an old version changes 0 rows instead of overwriting; the task re-reads and tries again. Correct, but under contention the retries cost statements: use it when the new value needs application logic and conflicts are rare.',
    { ...optimistic },
  );

  const races = [naive, atomic, optimistic];
  out.heading('Side by side');
  out.table([
    ['method', 'done', 'expected', 'actual', 'lost', 'statements'],
    ...races.map((r) => [r.method, r.succeeded, r.expectedBalance, r.finalBalance, r.lostUpdates, r.statements]),
  ]);

  out.takeaways([
    'Statements that must all happen or none belong in one transaction; in autocommit each statement commits alone.',
    'On error, ROLLBACK explicitly: SQLite undoes only the failing statement and leaves the transaction open.',
    'Read-modify-write across an await loses updates silently: each writer overwrites a value computed from a stale read.',
    'Prefer an atomic UPDATE … SET x = x - ? WHERE … guard; else a version check with retry, or a row lock (SELECT … FOR UPDATE in PostgreSQL or MySQL).',
  ]);

  return {
    singleTransfer: {
      amount,
      withoutTransaction: { error: errNoTx, totalBefore: before, totalAfter: totalNoTx, balances: afterNoTx.slice(0, 3).map((a) => a.balance) },
      withTransaction: { error: errTx, totalBefore: before, totalAfter: totalTx, balanceBeforeRollback: peekBalance, balances: afterTx.slice(0, 3).map((a) => a.balance) },
    },
    transfers: batches.map((b) => ({ ...b })),
    lostUpdate: races.map((r) => ({ ...r })),
    sameRead,
    sameWrite,
  };
}
