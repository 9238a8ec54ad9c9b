/**
 * Lab: password hashing with node:crypto scrypt. Random salts, the cost of N measured hash by hash,
 * verification with timingSafeEqual, the timing leak of === measured against the length of the matching
 * prefix, and what all this means for an attacker's guesses per second (SHA-256 vs scrypt, both measured).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LabContext, LabObservations } from '../src/labs/types.js';

interface Cost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

const KEY_LEN = 32;

function scryptAsync(password: string, salt: Buffer, cost: Cost): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses above maxmem (32 MiB by default), so raise it with N.
  const maxmem = 256 * cost.N * cost.r + (1 << 20);
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LEN, { N: cost.N, r: cost.r, p: cost.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** The stored form keeps the parameters next to the hash, so the cost can be raised later. */
async function hashPassword(password: string, cost: Cost): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
};
const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0;
};
/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx ? points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx : 0;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const ns = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));

interface TimingRow {
  readonly prefix: number;
  readonly strictEqNs: number;
  readonly safeNs: number;
}

interface TimingResult {
  readonly length: number;
  readonly rows: readonly TimingRow[];
  /** ns per extra matching character (least squares over the medians). */
  readonly strictEqSlope: number;
  readonly safeSlope: number;
  /** Median(full prefix) − median(no prefix), ns per comparison. */
  readonly strictEqGain: number;
  readonly safeGain: number;
  /** Interquartile range of the per-comparison time across batches at prefix 0: the noise. */
  readonly strictEqIqr: number;
  readonly safeIqr: number;
  /** The gain in standard errors of a difference of two medians: above ~3 it is not chance. */
  readonly strictEqZ: number;
  readonly safeZ: number;
  readonly batch: number;
}

/**
 * Time `secret === guess` and timingSafeEqual(secret, guess) for guesses of the same length that share the
 * first k characters with the secret. Each sample is a batch of comparisons (one comparison is a few
 * nanoseconds, below the clock's resolution); the batches for every k are interleaved so that load on the
 * machine hits them all alike. Eight guesses per k rotate so the compiler cannot hoist the comparison.
 */
async function timeComparisons(ctx: LabContext, length: number, samples: number): Promise<TimingResult> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const secretText = Array.from({ length }, () => alphabet[Math.floor(ctx.rng() * alphabet.length)]!).join('');
  // Built through a Buffer: flat, non-interned strings, as a header value or a body field would be.
  const secret = Buffer.from(secretText, 'latin1').toString('latin1');
  const secretBuf = Buffer.from(secret, 'latin1');
  const prefixes = [...new Set([0, length / 4, length / 2, (3 * length) / 4, length - 1].map(Math.floor))];
  const guesses = prefixes.map((k) =>
    Array.from({ length: 8 }, (_, j) => {
      const b = Buffer.from(secret, 'latin1');
      const i = alphabet.indexOf(secret[k]!);
      b[k] = alphabet.charCodeAt((i + 1 + j) % alphabet.length);
      return b.toString('latin1');
    }),
  );
  const guessBufs = guesses.map((g) => g.map((s) => Buffer.from(s, 'latin1')));
  const batch = Math.max(64, Math.round(200_000 / (length + 40)));
  const eqTimes = prefixes.map(() => [] as number[]);
  const safeTimes = prefixes.map(() => [] as number[]);
  let sink = 0;
  const warmUp = 3;
  for (let s = 0; s < samples + warmUp; s++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // A throw-away batch first (caches are cold after yielding), then every k in a rotating order.
    for (let i = 0; i < batch; i++) if (guesses[0]![i & 7] === secret || timingSafeEqual(guessBufs[0]![i & 7]!, secretBuf)) sink++;
    for (let j = 0; j < prefixes.length; j++) {
      const k = (j + s) % prefixes.length;
      const g = guesses[k]!;
      const gb = guessBufs[k]!;
      let t = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) if (g[i & 7] === secret) sink++;
      const eq = Number(process.hrtime.bigint() - t) / batch;
      t = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) if (timingSafeEqual(gb[i & 7]!, secretBuf)) sink++;
      const safe = Number(process.hrtime.bigint() - t) / batch;
      // The first few rounds run before the JIT has compiled the loops: not kept.
      if (s >= warmUp) {
        eqTimes[k]!.push(eq);
        safeTimes[k]!.push(safe);
      }
    }
    await nextTurn(); // let Ctrl-C and other I/O through between samples
  }
  if (sink !== 0) throw new Error('a guess matched the secret');
  const rows = prefixes.map((prefix, k) => ({ prefix, strictEqNs: median(eqTimes[k]!), safeNs: median(safeTimes[k]!) }));
  const iqr = (xs: readonly number[]) => quantile(xs, 0.75) - quantile(xs, 0.25);
  // Standard error of a median ≈ 1.2533 σ / √n, with σ estimated robustly as IQR / 1.349.
  const se = (xs: readonly number[]) => (1.2533 * (iqr(xs) / 1.349)) / Math.sqrt(xs.length);
  const z = (times: number[][]) => {
    const first = times[0]!;
    const last = times[times.length - 1]!;
    const err = Math.hypot(se(first), se(last));
    return err > 0 ? (median(last) - median(first)) / err : 0;
  };
  return {
    length,
    rows,
    strictEqSlope: slope(rows.map((r) => ({ x: r.prefix, y: r.strictEqNs }))),
    safeSlope: slope(rows.map((r) => ({ x: r.prefix, y: r.safeNs }))),
    strictEqGain: rows[rows.length - 1]!.strictEqNs - rows[0]!.strictEqNs,
    safeGain: rows[rows.length - 1]!.safeNs - rows[0]!.safeNs,
    strictEqIqr: iqr(eqTimes[0]!),
    safeIqr: iqr(safeTimes[0]!),
    strictEqZ: z(eqTimes),
    safeZ: z(safeTimes),
    batch,
  };
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const logN = ctx.params.logN ?? 14;
  const maxLogN = Math.max(logN, ctx.params.maxLogN ?? 15);
  const samples = ctx.params.samples ?? 41;
  const longLength = ctx.params.longSecret ?? 4096;
  const cost: Cost = { N: 2 ** logN, r: 8, p: 1 };
  const password = 'correct horse battery staple';
  const check = () => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
  };

  out.say(
    `Passwords are stored as scrypt(password, salt) with N = 2^${logN}, r = 8, p = 1 (N = 2^14 is Node's default). Every hash below is computed by node:crypto on the libuv threadpool; every time is measured in this run.`,
  );

  // 1. Salt.
  out.heading('1. Same password, two random salts');
  const timesByLogN = new Map<number, number[]>();
  const timed = async <T>(log: number, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await fn();
    const list = timesByLogN.get(log) ?? [];
    list.push(performance.now() - t0);
    timesByLogN.set(log, list);
    check();
    return value;
  };
  await scryptAsync(password, randomBytes(16), { N: 1024, r: 8, p: 1 }); // warm-up, not timed
  const storedA = await timed(logN, () => hashPassword(password, cost));
  const storedB = await timed(logN, () => hashPassword(password, cost));
  out.code(`hash('${password}')  # salt = randomBytes(16)\n${storedA.replace(/\$([^$]+)$/, '$\n  $1')}\n${storedB.replace(/\$([^$]+)$/, '$\n  $1')}`);
  const [, , , , saltA, keyA] = storedA.split('$');
  const [, , , , saltB, keyB] = storedB.split('$');
  const differ = keyA !== keyB;
  out.step(
    `Two hashes of the same password: ${differ ? 'different' : 'identical'} (salts ${saltA === saltB ? 'equal' : 'differ'})`,
    'The salt is mixed into the hash, so equal passwords do not produce equal hashes: a leaked table does not reveal who shares a password, and a precomputed (rainbow) table for one salt is useless for the next. The salt is not secret; it is stored next to the hash.',
    { hashesDiffer: differ, saltsDiffer: saltA !== saltB },
  );

  // 2. Verify.
  out.heading('2. Verification: recompute, then timingSafeEqual');
  out.code(
    [
      'const [, N, r, p, salt, hash] = stored.split("$");',
      'const actual = await scrypt(password, salt, 32, { N, r, p });',
      'return actual.length === expected.length',
      '  && timingSafeEqual(actual, expected);',
    ].join('\n'),
  );
  const attempts = [
    { label: `'${password}'`, input: password },
    { label: "'correct horse battery stapler'", input: `${password}r` },
  ];
  const verified: { label: string; ok: boolean; ms: number }[] = [];
  for (const a of attempts) {
    const t0 = performance.now();
    const ok = await timed(logN, () => verifyPassword(a.input, storedA));
    verified.push({ label: a.label, ok, ms: performance.now() - t0 });
  }
  for (const v of verified) out.step(`${v.label} → ${v.ok ? 'match' : 'no match'} in ${ms(v.ms)} ms`, v.ok ? 'Same salt and parameters from the stored string, same key.' : 'One character more and the derived key shares nothing with the stored one.', { ...v, ms: Math.round(v.ms) });
  out.say('Both answers took a full scrypt: the time reveals nothing about how close the guess was, and the comparison itself runs in constant time.');

  // 3. Cost of N.
  out.heading('3. The cost of N (memory-hard: 128 · N · r bytes per hash)');
  const budgetMs = 350;
  let stoppedAt: number | undefined;
  for (let log = 10; log <= maxLogN; log++) {
    // Up to 3 hashes per N, fewer once 100 ms were spent on it (the N of parts 1–2 already has 4).
    const done = () => timesByLogN.get(log) ?? [];
    while (done().length < 3 && (done().length === 0 || done().reduce((x, y) => x + y, 0) < 100)) {
      await timed(log, () => scryptAsync(password, randomBytes(16), { N: 2 ** log, r: 8, p: 1 }));
    }
    const last = Math.min(...timesByLogN.get(log)!);
    if (log < maxLogN && last * 2 > budgetMs) {
      stoppedAt = log;
      break;
    }
  }
  // The fastest of each N: the cost of the work itself, least disturbed by other load on the machine.
  const sweep = [...timesByLogN.entries()].sort((a, b) => a[0] - b[0]).map(([log, list]) => ({ logN: log, N: 2 ** log, hashes: list.length, ms: Math.min(...list) }));
  out.table([
    ['N', 'memory', 'hashes', 'fastest (ms)', '× previous', 'hashes/s'],
    ...sweep.map((s, i) => [
      `2^${s.logN}`,
      `${(128 * s.N * 8) / 2 ** 20} MiB`,
      s.hashes,
      ms(s.ms),
      i ? (s.ms / sweep[i - 1]!.ms).toFixed(2) : '',
      Math.round(1000 / s.ms),
    ]),
  ]);
  if (stoppedAt !== undefined) out.say(`Stopped after 2^${stoppedAt}: the next N would take about ${ms(Math.min(...timesByLogN.get(stoppedAt)!) * 2)} ms per hash on this machine, over the lab's time budget.`);
  // Geometric mean of the step ratios: (last / first)^(1 / steps).
  const meanRatio = sweep.length > 1 ? (sweep[sweep.length - 1]!.ms / sweep[0]!.ms) ** (1 / (sweep.length - 1)) : 0;
  if (sweep.length > 1) {
    out.step(
      `Doubling N multiplied the time by ${meanRatio.toFixed(2)} on average`,
      `${meanRatio > 1.6 && meanRatio < 2.5 ? 'Close to ×2' : 'Not exactly ×2 (CPU caches and other load on the machine move single timings)'}: scrypt's time and memory grow linearly with N. Pick the largest N your login latency and memory allow (OWASP suggests N = 2^17, r = 8: 128 MiB), and raise it over time: the stored string carries its own parameters, so old hashes still verify and can be re-hashed at the next login.`,
      { meanRatio: Number(meanRatio.toFixed(2)), rows: sweep.length },
    );
  }

  // 4. Attacker's view.
  out.heading("4. The attacker's guesses per second");
  let guessChoice: number | undefined;
  if (ctx.prompts) {
    guessChoice = await ctx.prompts.predictChoice(`on one core, how many times more SHA-256(salt + password) guesses than scrypt N = 2^${logN} guesses per second?`, [
      'about 10×',
      'about 1,000×',
      'about 100,000× or more',
    ]);
  }
  const salt = randomBytes(16);
  let shaCount = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 200) {
    for (let i = 0; i < 500; i++) createHash('sha256').update(salt).update(`guess${shaCount + i}`).digest();
    shaCount += 500;
    if ((shaCount & 4095) === 0) await nextTurn();
    check();
  }
  const shaPerSec = (shaCount / (performance.now() - t0)) * 1000;
  const scryptMs = Math.min(...timesByLogN.get(logN)!);
  const scryptPerSec = 1000 / scryptMs;
  const ratio = shaPerSec / scryptPerSec;
  out.bars(
    [
      { label: 'SHA-256 + salt', value: Math.round(shaPerSec) },
      { label: `scrypt N=2^${logN}`, value: Math.round(scryptPerSec * 10) / 10 },
    ],
    'guesses/s',
  );
  out.figure('ratio', `${Math.round(ratio).toLocaleString('en-US')}×`, `${shaCount.toLocaleString('en-US')} SHA-256 in 200 ms`);
  if (guessChoice !== undefined) {
    const nearest = [10, 1000, 100_000].reduce((best, v, i, all) => (Math.abs(Math.log10(ratio) - Math.log10(v)) < Math.abs(Math.log10(ratio) - Math.log10(all[best]!)) ? i : best), 0);
    out.say(nearest === guessChoice ? 'Your guess was the closest of the three.' : `Closest of the three: ${['about 10×', 'about 1,000×', 'about 100,000× or more'][nearest]}.`);
  }
  out.step(
    `A fast hash gives the attacker ${Math.round(ratio).toLocaleString('en-US')}× more guesses per second on this CPU`,
    'A leaked table of salted SHA-256 hashes is cracked guess by guess at hardware speed. This was Node\'s createHash, one object per guess: a cracking tool on the same CPU does several times more, and GPUs far more again. scrypt makes each guess cost real time and megabytes of memory, which is what limits parallel cracking hardware. Salting defeats precomputation, not guessing: only a slow hash slows guessing.',
    { shaPerSec: Math.round(shaPerSec), scryptPerSec: Number(scryptPerSec.toFixed(1)), ratio: Math.round(ratio) },
  );

  // 5. === vs timingSafeEqual.
  out.heading('5. === vs timingSafeEqual: does the time leak the prefix?');
  out.say(
    `Comparing a secret token with a guess of the same length that matches the first k characters. Median nanoseconds per comparison over ${samples} batches (seeded secret); the first table uses a ${32}-character secret, the second a ${longLength}-character one, where any per-character cost is ${Math.round(longLength / 32)} times larger.`,
  );
  const timing: TimingResult[] = [];
  for (const length of [32, longLength]) {
    const t = await timeComparisons(ctx, length, samples);
    timing.push(t);
    out.table([
      [`k of ${length} match`, '=== (ns)', 'timingSafeEqual (ns)'],
      ...t.rows.map((r) => [r.prefix, ns(r.strictEqNs), ns(r.safeNs)]),
    ]);
    const visible = t.strictEqZ > 3;
    out.step(
      `=== on ${length} chars: ${t.strictEqGain >= 0 ? '+' : ''}${ns(t.strictEqGain)} ns from k=0 to ${length - 1}, ${t.strictEqZ.toFixed(1)} std errors`,
      visible
        ? `The more of the prefix matches, the longer === runs: it stops at the first differing character. Batches vary by ${ns(t.strictEqIqr)} ns (IQR), but a median of ${samples} batches is precise enough that a difference of ${t.strictEqZ.toFixed(0)} standard errors is not chance.`
        : `Batches vary by ${ns(t.strictEqIqr)} ns (IQR) and the difference is under 3 standard errors: not distinguishable from chance in this run. A one-character difference costs a fraction of a nanosecond.`,
      { length, visibleAboveNoise: visible, z: Number(t.strictEqZ.toFixed(1)), gainNs: Number(t.strictEqGain.toFixed(2)), slopeNsPerChar: Number(t.strictEqSlope.toFixed(4)), iqrNs: Number(t.strictEqIqr.toFixed(2)), batch: t.batch },
    );
    const safeFlat = Math.abs(t.safeZ) <= 3;
    const slower = t.rows.every((r) => r.safeNs > r.strictEqNs);
    out.step(
      `timingSafeEqual on ${length} chars: ${t.safeGain >= 0 ? '+' : ''}${ns(t.safeGain)} ns, ${t.safeZ.toFixed(1)} std errors`,
      `${safeFlat ? 'Within chance, as designed' : 'Beyond chance this time, which can only be drift in the machine\'s load between batches'}: it always reads every byte of both buffers, so its time depends on the length, not on where the first difference is.${slower ? ' Here it was slower than === at every k: the price of not stopping early (and of a call into C++).' : ''}`,
      { length, z: Number(t.safeZ.toFixed(1)), gainNs: Number(t.safeGain.toFixed(2)), slopeNsPerChar: Number(t.safeSlope.toFixed(4)), iqrNs: Number(t.safeIqr.toFixed(2)) },
    );
  }
  const [short, long] = timing as [TimingResult, TimingResult];
  const shortVisible = short.strictEqZ > 3;
  const perChar = long.strictEqSlope;
  out.step(
    `=== leaks ≈ ${perChar.toFixed(3)} ns per matching character`,
    `${shortVisible ? `Even for 32 characters, ${formatCount(short.batch * samples)} comparisons per median made a ${ns(short.strictEqGain)} ns difference stand out` : `For 32 characters the whole leak is a couple of nanoseconds, and ${formatCount(short.batch * samples)} comparisons per median did not separate it from chance here`}; the long secret shows the same mechanism summed over more characters. Noise averages out as 1/√n, so an attacker who can repeat a guess enough times sees the difference anyway: published remote timing attacks resolved about 100 ns across a LAN by averaging thousands of samples (Crosby et al., 2009). Small and noisy is not safe: compare secrets with timingSafeEqual.`,
    { perCharNs: Number(perChar.toFixed(4)), shortVisible, comparisonsPerMedian: short.batch * samples },
  );

  out.takeaways([
    'Store scrypt (or Argon2id, bcrypt) with a random per-user salt and the parameters in the stored string; never a fast hash like SHA-256.',
    'Cost grows linearly with N in both time and memory: pick the largest your login latency allows and raise it over time.',
    'Verify by recomputing with the stored salt and parameters, then crypto.timingSafeEqual on equal-length buffers.',
    '=== stops at the first differing character: a timing side channel, small and noisy in-process, but statistics over many samples can recover a secret.',
  ]);

  return {
    logN,
    salts: { hashesDiffer: differ, saltsDiffer: saltA !== saltB },
    verify: verified.map((v) => v.ok),
    sweep: sweep.map((s) => ({ logN: s.logN, hashes: s.hashes, ms: Number(s.ms.toFixed(2)) })),
    stoppedAt: stoppedAt ?? null,
    guesses: { shaPerSec: Math.round(shaPerSec), scryptPerSec: Number(scryptPerSec.toFixed(2)), ratio: Math.round(ratio) },
    timing: timing.map((t) => ({
      length: t.length,
      prefixes: t.rows.map((r) => r.prefix),
      strictEqNs: t.rows.map((r) => Number(r.strictEqNs.toFixed(2))),
      safeNs: t.rows.map((r) => Number(r.safeNs.toFixed(2))),
      strictEqSlope: Number(t.strictEqSlope.toFixed(4)),
      safeSlope: Number(t.safeSlope.toFixed(4)),
      strictEqIqr: Number(t.strictEqIqr.toFixed(2)),
    })),
  };
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} billion`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} million`;
  if (n >= 1e3) return `${Math.round(n / 1e3).toLocaleString('en-US')} thousand`;
  return String(Math.max(1, Math.round(n)));
}
