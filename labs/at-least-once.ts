/**
 * Lab: at-least-once delivery. A partitioned append-only log on disk (a temp dir), a consumer group whose
 * offsets are committed to a file, and a consumer that is a real child process applying deposits to a real
 * SQLite database owned by the parent (over IPC, statement by statement, like a database driver). The parent
 * SIGKILLs the consumer right after a deposit's COMMIT, before the consumer commits its offset; a new consumer
 * restarts from the last committed offset. Everything counted is what happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Sqlite } from '../src/labs/sqlite.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';
import { hashSeed } from '../src/util/random.js';

const PARTITIONS = 2;
const ACCOUNTS = ['alice', 'bob', 'carol', 'dave'] as const;

interface Message {
  readonly partition: number;
  readonly offset: number;
  readonly id: string;
  readonly account: string;
  readonly amount: number;
}

type Mode = 'commit-first' | 'process-first';

/** The consumer, run as its own Node process. Its only way to the database is `query`, over IPC. */
const CONSUMER = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const [dir, group, mode, idempotent, batchSize, partitions] = process.argv.slice(2);
const pending = new Map();
let seq = 0;
process.on('message', (m) => { pending.get(m.id)(m); pending.delete(m.id); });
const query = (sql, params = []) => new Promise((resolve) => {
  const id = ++seq;
  pending.set(id, resolve);
  process.send({ type: 'sql', id, sql, params });
});
const offsetsFile = path.join(dir, 'group-' + group + '.offsets.json');
const readOffsets = () => { try { return JSON.parse(fs.readFileSync(offsetsFile, 'utf8')); } catch { return {}; } };
const commit = (offsets) => {
  fs.writeFileSync(offsetsFile + '.tmp', JSON.stringify(offsets));
  fs.renameSync(offsetsFile + '.tmp', offsetsFile); // atomic: the old file or the new one, never half
  process.send({ type: 'commit', offsets });
};
const readPartition = (p) => fs.readFileSync(path.join(dir, 'deposits-' + p + '.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

async function handle(m) {
  await query('BEGIN');
  if (idempotent === 'yes') {
    const { changes } = await query('INSERT INTO processed (message_id) VALUES (?) ON CONFLICT DO NOTHING', [m.id]);
    if (changes === 0) { await query('COMMIT'); process.send({ type: 'skip', id: m.id }); return; }
  }
  await query('UPDATE accounts SET balance = balance + ? WHERE id = ?', [m.amount, m.account]);
  await query('COMMIT');
}

(async () => {
  const offsets = readOffsets();
  for (let p = 0; p < Number(partitions); p++) offsets[p] = offsets[p] || 0;
  process.send({ type: 'start', pid: process.pid, offsets: { ...offsets } });
  for (let p = 0; p < Number(partitions); p++) {
    for (;;) {
      const batch = readPartition(p).slice(offsets[p], offsets[p] + Number(batchSize));
      if (!batch.length) break;
      if (mode === 'commit-first') { offsets[p] += batch.length; commit(offsets); }
      for (const m of batch) {
        process.send({ type: 'deliver', id: m.id, partition: p, offset: m.offset });
        await handle(m);
      }
      if (mode === 'process-first') { offsets[p] += batch.length; commit(offsets); }
    }
  }
  process.send({ type: 'done' }, () => process.disconnect());
})();
`;

interface RunResult {
  readonly pid: number;
  readonly startOffsets: Readonly<Record<string, number>>;
  readonly delivered: string[];
  readonly commits: Readonly<Record<string, number>>[];
  readonly applied: string[];
  readonly skipped: string[];
  readonly killed: boolean;
  readonly exit: string;
}

/**
 * Start one consumer process and serve its SQL. If `killAfter` is set, the parent kills it with SIGKILL right
 * after executing its killAfter-th deposit COMMIT, before replying: the deposit is durable, the consumer never
 * hears about it, and it cannot commit its offset.
 */
async function runConsumer(ctx: LabContext, db: Sqlite, script: string, dir: string, group: string, mode: Mode, idempotent: boolean, batch: number, killAfter: number | undefined): Promise<RunResult> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const child: ChildProcess = spawn(process.execPath, [script, dir, group, mode, idempotent ? 'yes' : 'no', String(batch), String(PARTITIONS)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  ctx.defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const r = { pid: child.pid ?? 0, startOffsets: {} as Record<string, number>, delivered: [] as string[], commits: [] as Record<string, number>[], applied: [] as string[], skipped: [] as string[], killed: false };
  let current = '';
  let inTransaction = false;
  let credited = false;
  let deposits = 0;
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => {
      // A dropped connection rolls back its open transaction, as a database server would.
      if (inTransaction) db.run('ROLLBACK');
      resolve(signal ?? `exit code ${code}`);
    });
  });
  child.on('message', (m: { type: string; id?: string | number; sql?: string; params?: (string | number)[]; offsets?: Record<string, number>; pid?: number }) => {
    if (m.type === 'start') r.startOffsets = m.offsets ?? {};
    else if (m.type === 'deliver') r.delivered.push((current = String(m.id)));
    else if (m.type === 'commit') r.commits.push({ ...m.offsets });
    else if (m.type === 'skip') r.skipped.push(String(m.id));
    else if (m.type === 'sql') {
      const sql = m.sql ?? '';
      const changes = db.run(sql, m.params ?? []);
      if (sql === 'BEGIN') inTransaction = true;
      if (sql.startsWith('UPDATE accounts')) {
        r.applied.push(current);
        credited = true;
      }
      const creditCommitted = sql === 'COMMIT' && credited;
      if (sql === 'COMMIT') inTransaction = credited = false;
      if (creditCommitted && ++deposits === killAfter) {
        r.killed = true;
        child.kill('SIGKILL');
        return;
      }
      child.send({ id: m.id, changes });
    }
  });
  const onAbort = () => child.kill('SIGKILL');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const exit = await exited;
  ctx.signal.removeEventListener('abort', onAbort);
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (!r.killed && exit !== 'exit code 0') throw new Error(`consumer failed (${exit}): ${stderr}`);
  return { ...r, exit };
}

interface Scenario {
  readonly key: string;
  readonly title: string;
  readonly mode: Mode;
  readonly idempotent: boolean;
  readonly code: string;
}

const SCENARIOS: readonly Scenario[] = [
  {
    key: 'at-most-once',
    title: 'Commit, then process (at-most-once)',
    mode: 'commit-first',
    idempotent: false,
    code: ['const batch = poll(partition, offset, 4);', 'commitOffset(offset + batch.length);       // first', 'for (const m of batch) await credit(m);   // then'].join('\n'),
  },
  {
    key: 'at-least-once',
    title: 'Process, then commit (at-least-once)',
    mode: 'process-first',
    idempotent: false,
    code: ['const batch = poll(partition, offset, 4);', 'for (const m of batch) await credit(m);   // first', 'commitOffset(offset + batch.length);       // then'].join('\n'),
  },
  {
    key: 'idempotent',
    title: 'Process, then commit, with a dedup table',
    mode: 'process-first',
    idempotent: true,
    code: [
      'BEGIN;',
      'INSERT INTO processed (message_id) VALUES (?)',
      '  ON CONFLICT DO NOTHING;        -- 0 rows changed: seen before, skip',
      'UPDATE accounts SET balance = balance + ? WHERE id = ?;',
      'COMMIT;                          -- marker and effect, or neither',
    ].join('\n'),
  },
];

const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;
const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : 'none');
/** For a one-line headline: the first few ids, then how many more. */
const brief = (ids: readonly string[]) => (ids.length > 3 ? `${ids.slice(0, 3).join(', ')} +${ids.length - 3} more` : list(ids));
const offsetsText = (o: Readonly<Record<string, number>>) =>
  Object.entries(o)
    .map(([p, n]) => `p${p}=${n}`)
    .join(' ');

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const count = ctx.params.messages ?? 12;
  const batch = ctx.params.batch ?? 4;
  const crashAfter = Math.min(ctx.params.crash ?? 6, count);

  const dir = mkdtempSync(join(tmpdir(), 'backend-tutor-log-'));
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'consumer.cjs');
  writeFileSync(script, CONSUMER);

  // Produce: deposits keyed by account, so one account's deposits stay in order in one partition.
  const messages: Message[] = [];
  const nextOffset = new Array<number>(PARTITIONS).fill(0);
  for (let i = 1; i <= count; i++) {
    const account = ACCOUNTS[Math.floor(ctx.rng() * ACCOUNTS.length)]!;
    const partition = hashSeed(account) % PARTITIONS;
    const m: Message = { partition, offset: nextOffset[partition]!++, id: `dep-${String(i).padStart(2, '0')}`, account, amount: 5 * (1 + Math.floor(ctx.rng() * 20)) };
    messages.push(m);
    appendFileSync(join(dir, `deposits-${partition}.log`), `${JSON.stringify(m)}\n`);
  }
  for (let p = 0; p < PARTITIONS; p++) appendFileSync(join(dir, `deposits-${p}.log`), '');
  const expected = Object.fromEntries(ACCOUNTS.map((a) => [a, messages.filter((m) => m.account === a).reduce((s, m) => s + m.amount, 0)]));

  out.say(
    `A topic "deposits" with ${PARTITIONS} partitions, each an append-only file in a temp dir; messages are keyed by account. A consumer (a separate Node process) reads a batch of ${batch} from its committed offset, credits each deposit in SQLite, and commits its offset to a file. The database lives in this process: the consumer sends it SQL over IPC, as a driver would.`,
  );
  out.table([['partition', 'offset', 'message', 'account', 'amount'], ...[...messages].sort((a, b) => a.partition - b.partition || a.offset - b.offset).map((m) => [`p${m.partition}`, m.offset, m.id, m.account, m.amount])]);
  out.say(`In each scenario the consumer is killed with SIGKILL right after its ${ordinal(crashAfter)} deposit COMMIT, then a new consumer in the same group starts from the committed offsets.`);

  let prediction: number | null = null;
  if (ctx.prompts) {
    const guess = await ctx.prompts.predictChoice(
      `scenario 2: process the batch, then commit. The consumer dies right after its ${ordinal(crashAfter)} credit, before the batch's commit. After the restart, the balances are…`,
      ['exactly the deposits in the log', 'too high: some deposits are credited twice', 'too low: some deposits are missing'],
    );
    prediction = guess ?? null;
  }

  // The three scenarios are independent (own database, own consumer group): their consumers run side by side,
  // first the ones that get killed, then the restarts. The report below follows one scenario at a time.
  const prepared = await Promise.all(
    SCENARIOS.map(async (s) => {
      const db = await openSqlite(ctx);
      db.run('CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)');
      db.run('CREATE TABLE processed (message_id TEXT PRIMARY KEY)');
      for (const a of ACCOUNTS) db.run('INSERT INTO accounts VALUES (?, 0)', [a]);
      return { s, db, group: `billing-${s.key}` };
    }),
  );
  const firsts = await Promise.all(prepared.map((p) => runConsumer(ctx, p.db, script, dir, p.group, p.s.mode, p.s.idempotent, batch, crashAfter)));
  // A consumer killed before its first commit leaves no offsets file: the group restarts from the beginning.
  const onDisk = prepared.map((p) => {
    const file = join(dir, `group-${p.group}.offsets.json`);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  });
  const seconds = await Promise.all(prepared.map((p) => runConsumer(ctx, p.db, script, dir, p.group, p.s.mode, p.s.idempotent, batch, undefined)));

  const results: Record<string, LabObservations> = {};
  const summary: (string | number)[][] = [['scenario', 'deliveries', 'redelivered', 'lost', 'applied twice', 'diff']];
  for (const [i, { s, db, group }] of prepared.entries()) {
    const first = firsts[i]!;
    const second = seconds[i]!;
    const offsetsOnDisk = onDisk[i]!;
    out.heading(`${i + 1}. ${s.title}`);
    out.code(s.code);
    out.step(
      `Consumer pid ${first.pid}: ${first.delivered.length} delivered, ${first.applied.length} credited, then ${first.killed ? 'SIGKILL' : first.exit}`,
      `Started at ${offsetsText(first.startOffsets)}. ${first.commits.length ? `It committed ${first.commits.map(offsetsText).join(', then ')}, each ${s.mode === 'commit-first' ? 'before' : 'after'} processing the batch` : 'It committed nothing: it died inside its first batch'}. ${first.killed ? `It was killed the moment ${first.applied[first.applied.length - 1] ?? '?'}'s COMMIT succeeded, before the reply reached it: the credit is durable, the consumer never knew.` : ''}`,
      { run: 1, pid: first.pid, delivered: first.delivered, applied: first.applied, commits: first.commits, killed: first.killed, exit: first.exit },
    );
    out.code(`$ cat group-${group}.offsets.json\n${offsetsOnDisk ?? `cat: group-${group}.offsets.json: No such file or directory`}`);

    const seen = new Set(first.delivered);
    const redelivered = second.delivered.filter((id) => seen.has(id));
    const deliveredOnce = new Set([...first.delivered, ...second.delivered]);
    const lost = messages.filter((m) => !deliveredOnce.has(m.id)).map((m) => m.id);
    const applied = [...first.applied, ...second.applied];
    const twice = [...new Set(applied.filter((id, i) => applied.indexOf(id) !== i))];
    out.step(
      `Restart, pid ${second.pid}, from ${offsetsText(second.startOffsets)}: ${second.delivered.length} delivered, ${redelivered.length} again`,
      redelivered.length
        ? `The committed offsets were behind what had been processed, so ${list(redelivered)} came again.${second.skipped.length ? ` The dedup table already held ${list(second.skipped)}: INSERT … ON CONFLICT DO NOTHING changed 0 rows, so the credit was skipped.` : ''}`
        : `The committed offsets were at or past everything processed: nothing came twice.${lost.length ? ` But ${list(lost)} were past the committed offset and were never delivered.` : ''}`,
      { run: 2, pid: second.pid, startOffsets: second.startOffsets, delivered: second.delivered, redelivered, skipped: second.skipped },
    );

    const balances = Object.fromEntries(db.all<{ id: string; balance: number }>('SELECT id, balance FROM accounts ORDER BY id').map((r) => [r.id, r.balance]));
    const diff = ACCOUNTS.reduce((d, a) => d + (balances[a] ?? 0) - expected[a]!, 0);
    out.table([
      ['account', 'deposits in the log', 'balance in SQLite', 'difference'],
      ...ACCOUNTS.map((a) => {
        const d = (balances[a] ?? 0) - expected[a]!;
        return [a, expected[a]!, balances[a] ?? 0, d > 0 ? `+${d}` : d || '='];
      }),
    ]);
    const verdict =
      diff === 0
        ? `Every deposit credited exactly once${redelivered.length ? `, although ${redelivered.length} ${redelivered.length === 1 ? 'was' : 'were'} delivered twice` : ''}.`
        : diff < 0
          ? `${lost.length} deposit${lost.length === 1 ? '' : 's'} lost (${brief(lost)}): ${-diff} missing.`
          : `${twice.length} deposit${twice.length === 1 ? '' : 's'} credited twice (${brief(twice)}): ${diff} too much.`;
    out.step(
      verdict,
      s.key === 'at-most-once'
        ? lost.length
          ? 'The offset said "done" before the work was done; the crash erased the difference. At-most-once: nothing twice, but a crash can lose messages.'
          : 'The crash came just as the work caught up with the committed offset, so nothing was lost this time; a crash earlier in a batch loses the rest of it. At-most-once: nothing twice, but a crash can lose messages.'
        : s.key === 'at-least-once'
          ? twice.length
            ? 'The work was done before the offset said so; the crash replayed the difference. At-least-once: nothing lost, but a crash delivers again, and a plain UPDATE adds again.'
            : 'Nothing was credited twice this time. At-least-once: nothing lost, but a crash delivers again, and a plain UPDATE adds again.'
          : 'The marker row and the credit commit in one transaction: either both exist or neither, so a redelivery finds the marker and changes nothing. At-least-once delivery, exactly-once effect.',
      { scenario: s.key, diff },
    );
    if (s.key === 'at-least-once' && prediction !== null) {
      const actual = diff === 0 ? 0 : diff > 0 ? 1 : 2;
      out.say(prediction === actual ? 'You predicted it.' : 'Not what you predicted: look at the difference column.');
    }
    summary.push([s.key, first.delivered.length + second.delivered.length, redelivered.length, lost.length, twice.length, diff > 0 ? `+${diff}` : diff]);
    results[s.key] = {
      mode: s.mode,
      idempotent: s.idempotent,
      first: { pid: first.pid, delivered: first.delivered, applied: first.applied, commits: first.commits.map((c) => ({ ...c })), killed: first.killed, exit: first.exit },
      offsetsAfterCrash: offsetsOnDisk === null ? {} : (JSON.parse(offsetsOnDisk) as Record<string, number>),
      second: { startOffsets: { ...second.startOffsets }, delivered: second.delivered, applied: second.applied, skipped: second.skipped, exit: second.exit },
      redelivered,
      lost,
      appliedTwice: twice,
      balances,
      diff,
    };
  }

  out.heading('Side by side');
  out.table(summary);
  out.takeaways([
    'Where the offset commit sits decides what a crash costs: before the work loses messages, after it repeats them.',
    'Brokers cannot tell "died before the work" from "died after it": at-least-once plus an idempotent consumer is the practical exactly-once.',
    'Make the dedup marker and the effect one transaction; a marker written separately can be lost or can lie.',
    'A crash is not needed for a redelivery: rebalances, timeouts and deploys replay from the committed offset too.',
  ]);

  return { messages: count, batch, crashAfter, partitions: PARTITIONS, expected, ...results };
}
