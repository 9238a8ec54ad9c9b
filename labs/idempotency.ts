/**
 * Lab: idempotency keys. POST /payments on a real HTTP server on 127.0.0.1, backed by SQLite (sql.js). The
 * server commits a payment and then drops the connection, as a crash or a network cut would; the client
 * retries. Charges are counted from the database: without a key, with a key claimed by INSERT … ON CONFLICT
 * DO NOTHING, with two concurrent requests for one key (including a check-then-insert server that races),
 * and with one key reused for a different body.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../src/labs/http-harness.js';
import { openSqlite, type Sqlite } from '../src/labs/sqlite.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const SCHEMA = `
CREATE TABLE payments (
  id           INTEGER PRIMARY KEY,
  customer     TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  currency     TEXT NOT NULL
);
CREATE TABLE idempotency_keys (
  key             TEXT PRIMARY KEY,          -- unique: one row per key
  request_hash    TEXT NOT NULL,
  status          TEXT NOT NULL,             -- 'in_progress' | 'completed'
  response_status INTEGER,
  response_body   TEXT
);`;

interface PaymentRequest {
  readonly customer: string;
  readonly amount_cents: number;
  readonly currency: string;
}

/** What the client saw for one attempt: a status and body, or a network error. */
interface Attempt {
  readonly n: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly body: string;
  readonly replayed: boolean;
  readonly retryAfter: string | null;
}

type Mode = 'no-key' | 'claim' | 'check-then-insert';

function send(port: number, path: string, payload: PaymentRequest, key: string | undefined, n: number): Promise<Attempt> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (key) headers['idempotency-key'] = key;
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({
          n,
          status: res.statusCode ?? 0,
          error: null,
          body: text,
          replayed: res.headers['idempotent-replayed'] === 'true',
          retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
        }),
      );
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ n, status: null, error: `${e.message} (${e.code ?? '?'})`, body: '', replayed: false, retryAfter: null }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ n, status: null, error: `${e.message} (${e.code ?? '?'})`, body: '', replayed: false, retryAfter: null }));
    req.end(body);
  });
}

/** Retry on network errors only (the outcome is unknown); an HTTP answer is final for this demo. */
async function postWithRetry(ctx: LabContext, port: number, path: string, payload: PaymentRequest, key: string | undefined): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  for (let n = 1; n <= 3; n++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const a = await send(port, path, payload, key, n);
    attempts.push(a);
    if (a.status !== null) break;
    await sleep(20 * 2 ** n); // backoff before the retry
  }
  return attempts;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** The hash of the request a key was first used with, to refuse the same key for a different request. */
function requestHash(p: PaymentRequest): string {
  return createHash('sha256').update(JSON.stringify([p.customer, p.amount_cents, p.currency])).digest('hex');
}

function createApp(db: Sqlite, processorMs: number) {
  const stats = { processorCalls: 0, dropsLeft: 0, dropped: 0 };
  /** The payment processor: an external side effect that takes time. */
  const charge = async () => {
    stats.processorCalls++;
    await sleep(processorMs);
  };
  const reply = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    // Fault injection: the work is committed, then the connection dies before the response leaves.
    if (stats.dropsLeft > 0) {
      stats.dropsLeft--;
      stats.dropped++;
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const insertPayment = (p: PaymentRequest) => {
    db.run('INSERT INTO payments (customer, amount_cents, currency) VALUES (?, ?, ?)', [p.customer, p.amount_cents, p.currency]);
    const id = Number(db.get<{ id: number }>('SELECT last_insert_rowid() AS id')!.id);
    return { id: `pay_${id}`, customer: p.customer, amount_cents: p.amount_cents, currency: p.currency, status: 'succeeded' };
  };

  async function handle(mode: Mode, req: IncomingMessage, res: ServerResponse) {
    const p = JSON.parse(await readBody(req)) as PaymentRequest;
    const key = req.headers['idempotency-key'] as string | undefined;
    if (mode === 'no-key' || !key) {
      await charge();
      return reply(res, 201, insertPayment(p));
    }
    const hash = requestHash(p);
    if (mode === 'check-then-insert') {
      // The race: look, then act. Both concurrent requests can look before either has written.
      const seen = db.get<{ response_status: number; response_body: string }>('SELECT response_status, response_body FROM idempotency_keys WHERE key = ?', [key]);
      if (seen) return reply(res, seen.response_status, JSON.parse(seen.response_body) as object, { 'idempotent-replayed': 'true' });
      await charge();
      const payment = insertPayment(p);
      try {
        db.run(`INSERT INTO idempotency_keys (key, request_hash, status, response_status, response_body) VALUES (?, ?, 'completed', 201, ?)`, [key, hash, JSON.stringify(payment)]);
      } catch (error) {
        return reply(res, 500, { error: (error as Error).message });
      }
      return reply(res, 201, payment);
    }
    // Claim the key atomically: the UNIQUE key lets exactly one request insert the row.
    const claimed = db.run(`INSERT INTO idempotency_keys (key, request_hash, status) VALUES (?, ?, 'in_progress') ON CONFLICT(key) DO NOTHING`, [key, hash]) === 1;
    if (!claimed) {
      const row = db.get<{ request_hash: string; status: string; response_status: number | null; response_body: string | null }>(
        'SELECT request_hash, status, response_status, response_body FROM idempotency_keys WHERE key = ?',
        [key],
      )!;
      if (row.request_hash !== hash) return reply(res, 422, { error: 'Idempotency-Key already used with a different request' });
      if (row.status !== 'completed') return reply(res, 409, { error: 'A request with this Idempotency-Key is in progress' }, { 'retry-after': '1' });
      return reply(res, row.response_status!, JSON.parse(row.response_body!) as object, { 'idempotent-replayed': 'true' });
    }
    try {
      await charge();
    } catch (error) {
      // Nothing happened: release the key so that a retry can try again.
      db.run('DELETE FROM idempotency_keys WHERE key = ?', [key]);
      return reply(res, 502, { error: (error as Error).message });
    }
    // The payment and the stored response commit together: a replay can never miss a committed payment.
    db.run('BEGIN');
    const payment = insertPayment(p);
    db.run(`UPDATE idempotency_keys SET status = 'completed', response_status = 201, response_body = ? WHERE key = ?`, [JSON.stringify(payment), key]);
    db.run('COMMIT');
    return reply(res, 201, payment);
  }

  return {
    stats,
    handler(req: IncomingMessage, res: ServerResponse) {
      const mode = (req.url ?? '').split('/')[1] as Mode;
      handle(mode, req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(error.message);
      });
    },
  };
}

const short = (s: string) => (s.length > 8 ? `${s.slice(0, 8)}…` : s);

function showAttempts(path: string, payload: PaymentRequest, key: string | undefined, attempts: readonly Attempt[]): string {
  const lines: string[] = [];
  for (const a of attempts) {
    lines.push(`> POST ${path}${key ? `  Idempotency-Key: ${short(key)}` : ''}${a.n > 1 ? `  (retry ${a.n - 1})` : ''}`);
    if (a.n === 1) lines.push(`> ${JSON.stringify(payload)}`);
    if (a.status === null) lines.push(`< connection closed: ${a.error}`);
    else {
      const extra = [a.replayed ? 'Idempotent-Replayed: true' : '', a.retryAfter ? `Retry-After: ${a.retryAfter}` : ''].filter(Boolean).join('  ');
      lines.push(`< ${a.status} ${STATUS_CODES[a.status] ?? ''}${extra ? `  ${extra}` : ''}`);
      lines.push(`< ${a.body.length > 70 ? `${a.body.slice(0, 69)}…` : a.body}`);
    }
  }
  return lines.join('\n');
}

const paymentId = (a: Attempt | undefined) => {
  if (!a || a.status === null) return null;
  try {
    return String((JSON.parse(a.body) as { id?: string }).id ?? '') || null;
  } catch {
    return null;
  }
};

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out, rng } = ctx;
  const processorMs = ctx.params.processorMs ?? 80;
  const db = await openSqlite(ctx);
  db.raw.exec(SCHEMA);
  const app = createApp(db, processorMs);
  const server = await startServer(ctx, (req, res) => app.handler(req, res));
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');
  // Client-generated keys (UUID-shaped; seeded here so a run can be replayed).
  const newKey = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const customer = (tag: string) => `cus_${tag}${hex(4)}`;
  const amount = () => 1000 + Math.floor(rng() * 9000);
  const charges = (c: string) => Number(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM payments WHERE customer = ?', [c])!.n);

  out.say(
    `POST /payments charges a card through a payment processor (${processorMs} ms) and stores the payment in SQLite. The server on 127.0.0.1 can be told to drop the connection after it has committed: the charge happened, but the client never hears about it, as after a crash or a network cut. The client then retries, as it should when the outcome is unknown.`,
  );
  out.code(SCHEMA.trim());

  // 1. No key.
  out.heading('1. Lost response, retry, no Idempotency-Key');
  const p1: PaymentRequest = { customer: customer('A'), amount_cents: amount(), currency: 'EUR' };
  app.stats.dropsLeft = 1;
  const a1 = await postWithRetry(ctx, server.port, '/no-key/payments', p1, undefined);
  out.code(showAttempts('/payments', p1, undefined, a1));
  const n1 = charges(p1.customer);
  out.step(
    `The customer was charged ${n1} time${n1 === 1 ? '' : 's'} (SELECT COUNT(*) FROM payments)`,
    n1 > 1
      ? 'The first attempt was committed; its response was lost. To the server the retry is just another POST, so it charged again. POST is not idempotent by itself.'
      : 'The retry did not create a second charge in this run.',
    { scenario: 'no-key', attempts: a1.length, firstError: a1[0]?.error ?? null, charges: n1 },
  );

  // 2. With a key.
  out.heading('2. The same failure with an Idempotency-Key');
  out.code(
    [
      'INSERT INTO idempotency_keys (key, request_hash, status)',
      "  VALUES (?, ?, 'in_progress') ON CONFLICT(key) DO NOTHING;",
      '-- 1 row changed: this request owns the key. Then charge, and in',
      '-- ONE transaction: INSERT the payment, UPDATE the key row with the',
      '-- response. 0 rows changed: replay, 409 or 422 (below).',
    ].join('\n'),
  );
  const p2: PaymentRequest = { customer: customer('B'), amount_cents: amount(), currency: 'EUR' };
  const k2 = newKey();
  app.stats.dropsLeft = 1;
  const a2 = await postWithRetry(ctx, server.port, '/claim/payments', p2, k2);
  out.code(showAttempts('/payments', p2, k2, a2));
  const n2 = charges(p2.customer);
  const storedId2 = db.get<{ response_body: string }>('SELECT response_body FROM idempotency_keys WHERE key = ?', [k2]);
  const originalId2 = storedId2 ? String((JSON.parse(storedId2.response_body) as { id: string }).id) : null;
  const last2 = a2[a2.length - 1];
  out.step(
    `Retry answered ${last2?.status ?? 'nothing'} with ${paymentId(last2) ?? 'no payment'}${last2?.replayed ? ' (replayed)' : ''}; ${n2} charge${n2 === 1 ? '' : 's'} in the database`,
    n2 === 1 && paymentId(last2) === originalId2
      ? `The retry found the key completed and got the stored response of the first attempt, the payment ${originalId2} it never saw. The response was stored in the same transaction as the payment, so a committed payment always has its answer.`
      : 'The retry was not deduplicated as expected in this run.',
    { scenario: 'key', attempts: a2.length, status: last2?.status ?? null, paymentId: paymentId(last2), originalId: originalId2, replayed: last2?.replayed ?? false, charges: n2 },
  );

  // 3. Concurrent duplicates.
  out.heading('3. Two requests with the same key at the same time');
  out.say(
    `A double-click, or a retry fired while the first attempt is still running: both requests arrive within a millisecond, and the charge takes ${processorMs} ms. First a server that checks for the key with SELECT, charges, then stores the key; then the atomic claim.`,
  );
  let guess: number | undefined;
  if (ctx.prompts) {
    guess = await ctx.prompts.predictChoice('with SELECT-then-charge-then-INSERT, how many charges do the two requests make?', [
      '1: the second request finds the key',
      '2: both look before either has stored it',
    ]);
  }
  const race = async (path: string) => {
    const p: PaymentRequest = { customer: customer('C'), amount_cents: amount(), currency: 'EUR' };
    const key = newKey();
    const calls = app.stats.processorCalls;
    const pair = await Promise.all([send(server.port, path, p, key, 1), send(server.port, path, p, key, 1)]);
    return { p, key, pair, charges: charges(p.customer), processorCalls: app.stats.processorCalls - calls };
  };
  const racy = await race('/check-then-insert/payments');
  const atomic = await race('/claim/payments');
  if (guess !== undefined) out.say(`${guess === (racy.charges > 1 ? 1 : 0) ? 'Right' : 'Not what happened'}: ${racy.charges} charge${racy.charges === 1 ? '' : 's'}.`);
  const pairText = (pair: readonly Attempt[]) => pair.map((a) => `${a.status ?? a.error}`).sort().join(' and ');
  out.table([
    ['server', 'responses', 'charges', 'processor calls'],
    ['SELECT, charge, INSERT', pairText(racy.pair), racy.charges, racy.processorCalls],
    ['INSERT … ON CONFLICT claim', pairText(atomic.pair), atomic.charges, atomic.processorCalls],
  ]);
  const racyError = racy.pair.find((a) => a.status === 500);
  out.step(
    `Check-then-insert: ${racy.charges} charge${racy.charges === 1 ? '' : 's'} for one key`,
    racy.charges > 1
      ? `Both SELECTs ran before either request had stored the key, so both charged. ${racyError ? `The UNIQUE key only caught the second INSERT ("${(JSON.parse(racyError.body) as { error: string }).error}", a 500) after the money had moved.` : ''} Checking and claiming must be one atomic step, before the side effect.`
      : 'The second request happened to find the key this time; the window is still there.',
    { scenario: 'check-then-insert', statuses: racy.pair.map((a) => a.status), charges: racy.charges },
  );
  const loser = atomic.pair.find((a) => a.status === 409);
  let afterWait: Attempt | undefined;
  if (loser) {
    await sleep(Number(loser.retryAfter ?? 1) * 50); // the lab shortens Retry-After: 1 s to 50 ms
    afterWait = await send(server.port, '/claim/payments', atomic.p, atomic.key, 2);
  }
  const winnerId = paymentId(atomic.pair.find((a) => a.status === 201));
  out.step(
    `Atomic claim: ${pairText(atomic.pair)}, ${atomic.charges} charge${atomic.charges === 1 ? '' : 's'}; retried later: ${afterWait ? `${afterWait.status} ${paymentId(afterWait) ?? ''}${afterWait.replayed ? ' (replayed)' : ''}` : 'no retry needed'}`,
    loser
      ? `Only one INSERT … ON CONFLICT DO NOTHING changed a row; the other request found the key in_progress and got 409 Conflict with Retry-After instead of charging. Retried once the first finished (the lab waits 50 ms where Retry-After says 1 s), it got the stored response (${winnerId ?? '?'}). Waiting on the in-progress request instead of answering 409 is the other option.`
      : 'No request was refused with 409 in this run.',
    { scenario: 'concurrent-claim', statuses: atomic.pair.map((a) => a.status), charges: atomic.charges, retryStatus: afterWait?.status ?? null, retryPaymentId: paymentId(afterWait), winnerId },
  );

  // 4. Key reused with a different body.
  out.heading('4. The same key with a different request');
  const p4 = { ...p2, amount_cents: p2.amount_cents + 1000 };
  const before4 = charges(p2.customer);
  const a4 = await send(server.port, '/claim/payments', p4, k2, 1);
  const after4 = charges(p2.customer);
  out.code(showAttempts('/payments', p4, k2, [a4]));
  out.step(
    `${a4.status ?? a4.error}: charges for ${p2.customer} ${before4} → ${after4}`,
    a4.status === 422
      ? 'The key row keeps a hash of the first request. A different amount under the same key is a client bug: replaying the old payment would be wrong and charging the new one would break the key\'s promise, so 422.'
      : 'The server did not refuse the reused key in this run.',
    { scenario: 'key-reuse', status: a4.status, chargesBefore: before4, chargesAfter: after4 },
  );

  const totals = db.all<{ customer: string; n: number }>('SELECT customer, COUNT(*) AS n FROM payments GROUP BY customer ORDER BY MIN(id)');
  out.heading('Charges per customer (from SQLite)');
  out.bars(totals.map((t) => ({ label: t.customer, value: Number(t.n) })));
  out.figure('connections dropped after commit', app.stats.dropped);
  out.figure('payment processor calls', app.stats.processorCalls, `${totals.reduce((a, t) => a + Number(t.n), 0)} payments in the table`);

  out.takeaways([
    'A client that gets no response cannot know whether the POST happened; retrying a non-idempotent POST can charge twice.',
    'An Idempotency-Key makes the retry safe: claim the key atomically (UNIQUE + INSERT … ON CONFLICT DO NOTHING) before the side effect.',
    'Store the response in the same transaction as the effect and replay it for retries; answer 409 (or wait) while in progress.',
    'Bind the key to the request (hash the body): same key, different request → 422. Scope keys per client and expire them after a day or so.',
  ]);

  return {
    noKey: { attempts: a1.map((a) => a.status), firstError: a1[0]?.error ?? null, charges: n1 },
    withKey: { attempts: a2.map((a) => a.status), paymentId: paymentId(last2), originalId: originalId2, replayed: last2?.replayed ?? false, charges: n2 },
    checkThenInsert: { statuses: racy.pair.map((a) => a.status).sort(), charges: racy.charges },
    atomicClaim: {
      statuses: atomic.pair.map((a) => a.status).sort(),
      charges: atomic.charges,
      retryStatus: afterWait?.status ?? null,
      retryPaymentId: paymentId(afterWait),
      winnerId,
    },
    keyReuse: { status: a4.status, chargesBefore: before4, chargesAfter: after4 },
    dropped: app.stats.dropped,
    processorCalls: app.stats.processorCalls,
    payments: totals.reduce((a, t) => a + Number(t.n), 0),
  };
}
