/**
 * Lab: worker threads vs Promise.all. CPU-bound work (scrypt password hashes, real node:crypto) on 1, 2, …
 * worker threads, bounded by os.availableParallelism(), and the same work under Promise.all on the main
 * thread; then I/O-bound work (real HTTP calls to a slow local service) awaited one by one and with
 * Promise.all on one thread. Wall times and speed-ups are measured, whatever this machine gives.
 */
import { scryptSync } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { startServer } from '../src/labs/http-harness.js';
import { startInlineWorker, type InlineWorker } from '../src/labs/inline-worker.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

interface Job {
  readonly password: string;
  readonly salt: string;
  readonly N: number;
}

const HASH_WORKER = `const { scryptSync } = require('node:crypto');
function handle({ password, salt, N }) {
  const start = performance.timeOrigin + performance.now();
  const hex = scryptSync(password, salt, 32, { N, r: 8, p: 1 }).toString('hex');
  return { hex, start, end: performance.timeOrigin + performance.now() };
}`;

interface Hashed {
  readonly hex: string;
  /** Epoch ms on the thread that computed it. */
  readonly start: number;
  readonly end: number;
}

/** The most hashes in progress at the same instant. */
function maxAtOnce(h: readonly Hashed[]): number {
  const edges = h.flatMap((x) => [
    { t: x.start, d: 1 },
    { t: x.end, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (now += e.d));
  return max;
}

interface CpuCase {
  readonly label: string;
  readonly threads: number;
  readonly ms: number;
  readonly startupMs: number;
  readonly digests: readonly string[];
  readonly atOnce: number;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Start `threads` workers (not timed), then hash every job on the pool: each worker takes the next job when free. */
async function onWorkers(ctx: LabContext, jobs: readonly Job[], threads: number): Promise<CpuCase> {
  const s0 = performance.now();
  const pool: InlineWorker<Job, Hashed>[] = await Promise.all(Array.from({ length: threads }, () => startInlineWorker<Job, Hashed>(ctx, HASH_WORKER)));
  // One small hash per worker first, so the first timed job does not pay the thread's one-off costs.
  await Promise.all(pool.map((w) => w.call({ ...jobs[0]!, N: 1024 })));
  const startupMs = performance.now() - s0;
  const done: Hashed[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    pool.map(async (w) => {
      while (next < jobs.length) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const i = next++;
        done[i] = await w.call(jobs[i]!);
      }
    }),
  );
  const ms = performance.now() - t0;
  await Promise.all(pool.map((w) => w.close()));
  return { label: `${threads} worker${threads === 1 ? '' : 's'}`, threads, ms, startupMs, digests: done.map((d) => d.hex), atOnce: maxAtOnce(done) };
}

/** The same hashes as async functions under Promise.all, on the main thread. */
async function onMainPromiseAll(jobs: readonly Job[]): Promise<CpuCase> {
  const now = () => performance.timeOrigin + performance.now();
  const hash = async (j: Job): Promise<Hashed> => {
    const start = now();
    const hex = scryptSync(j.password, j.salt, 32, { N: j.N, r: 8, p: 1 }).toString('hex');
    return { hex, start, end: now() };
  };
  await hash({ ...jobs[0]!, N: 1024 }); // the same warm-up as each worker gets
  const t0 = performance.now();
  const done = await Promise.all(jobs.map(hash));
  return { label: 'Promise.all, main', threads: 1, ms: performance.now() - t0, startupMs: 0, digests: done.map((d) => d.hex), atOnce: maxAtOnce(done) };
}

/** The thread counts to try: 1, 2, 4, … and the core count, up to twice the cores (at most `cap`). */
function threadCounts(cores: number, cap: number): number[] {
  const max = Math.max(1, Math.min(cap, cores * 2));
  const set = new Set<number>([1, cores]);
  for (let t = 2; t <= max; t *= 2) set.add(t);
  return [...set].filter((t) => t <= max).sort((a, b) => a - b);
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const jobsN = Math.max(1, Math.round(ctx.params.jobs ?? 8));
  const cap = Math.max(1, Math.round(ctx.params.maxThreads ?? 8));
  const ioMs = Math.max(1, Math.round(ctx.params.ioMs ?? 40));
  const N = 2 ** 13;
  const cores = availableParallelism();
  const load = loadavg()[0] ?? 0;

  out.say('Concurrency interleaves tasks on one thread; parallelism runs them at the same instant on several cores. Which one helps depends on whether the work computes or waits.');
  out.figure('os.availableParallelism()', cores, `${cpus().length} logical CPUs reported`);
  out.figure('load average (1 min)', load.toFixed(2), load > cores ? 'more than the cores: others compete' : undefined);

  const jobs: Job[] = Array.from({ length: jobsN }, (_, i) => ({
    password: `pw-${i}-${Math.floor(ctx.rng() * 1e9).toString(36)}`,
    salt: Math.floor(ctx.rng() * 2 ** 32).toString(16).padStart(8, '0'),
    N,
  }));

  out.heading(`1. CPU-bound: ${jobsN} scrypt hashes`);
  out.say(`Each job is scryptSync(password, salt, 32, { N: ${N}, r: 8 }): pure computation, about 8 MB of memory each. Run on a pool of worker threads (each takes the next job when free), then as async functions under Promise.all on the main thread.`);
  out.code(["async function hash(job) {", '  return scryptSync(job.password, job.salt, 32, opts).toString(\'hex\');', '}', 'await Promise.all(jobs.map(hash)); // concurrent? parallel?'].join('\n'));
  let guess: number | undefined;
  const choices = ['about 1×: still one thread', `about ${cores}×: it uses every core`, `about ${jobsN}×: all jobs at once`];
  if (ctx.prompts) guess = await ctx.prompts.predictChoice('Promise.all of these async hashes on the main thread: speed-up over hashing on one thread?', choices);

  const counts = threadCounts(cores, cap);
  out.say(
    `Thread counts tried: ${counts.join(', ')}. They are bounded by os.availableParallelism() = ${cores}${counts.some((t) => t > cores) ? `, plus ${counts.filter((t) => t > cores).join(', ')} to show what more threads than cores do` : ''}. Workers are started (and warmed up with one small hash) before the clock starts.`,
  );
  const cases: CpuCase[] = [];
  for (const t of counts) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    cases.push(await onWorkers(ctx, jobs, t));
  }
  const pa = await onMainPromiseAll(jobs);
  cases.push(pa);
  const base = cases[0]!.ms;
  const sameDigests = cases.every((c) => c.digests.every((d, i) => d === cases[0]!.digests[i]));
  out.table([
    ['ran on', 'threads', 'at once', 'wall ms', 'speed-up'],
    ...cases.map((c) => [c.label, c.threads, c.atOnce, c.ms.toFixed(0), `${(base / c.ms).toFixed(2)}×`]),
  ]);
  out.say('"At once": the most hashes in progress at the same instant, from the start and end time each thread recorded.');
  out.bars(cases.map((c) => ({ label: c.label, value: Math.round(c.ms) })), 'ms');
  const workerCases = cases.filter((c) => c !== pa);
  const best = workerCases.reduce((a, b) => (b.ms < a.ms ? b : a));
  const atCores = workerCases.find((c) => c.threads === cores) ?? best;
  const beyond = workerCases.filter((c) => c.threads > cores);
  const ceiling = Math.min(cores, jobsN);
  const atCoresSpeedup = base / atCores.ms;
  const shortfall =
    ceiling > 1 && atCoresSpeedup < 0.75 * ceiling
      ? load > cores * 0.75
        ? ` Well below the ceiling: this machine is busy (load average ${load.toFixed(1)} on ${cores} cores), other processes hold the cores, and the hashes got less than a core each.`
        : ' Below the ceiling: likely causes are that scrypt is memory-hard by design, so the threads share memory bandwidth, and that clock speeds drop when every core is busy.'
      : '';
  if (workerCases.length > 1) {
    out.step(
      best.threads === 1
        ? `No gain from more workers in this run (at ${atCores.threads}: ${atCoresSpeedup.toFixed(2)}×, ceiling ${ceiling}×)`
        : `Best: ${best.label}, ${(base / best.ms).toFixed(2)}× faster than 1 (ceiling ${ceiling}×)`,
      `Each worker is an OS thread with its own V8 isolate, so the OS can run hashes on different cores at the same instant: with ${cores} core${cores === 1 ? '' : 's'} and ${jobsN} jobs the ceiling is ${ceiling}×. Measured at ${atCores.threads} thread${atCores.threads === 1 ? '' : 's'}: ${atCoresSpeedup.toFixed(2)}×.${shortfall}`,
      { cores, best: best.threads, bestSpeedup: r1(base / best.ms), atCoresSpeedup: r1(atCoresSpeedup) },
    );
  }
  if (beyond.length) {
    const last = beyond.at(-1)!;
    out.step(
      `${last.threads} threads on ${cores} cores: ${(base / last.ms).toFixed(2)}× (at ${atCores.threads}: ${(base / atCores.ms).toFixed(2)}×)`,
      'More threads than cores cannot compute more at once: the OS time-slices them on the same cores, and each extra worker costs its own memory and start-up.',
      { threads: last.threads, speedup: r1(base / last.ms) },
    );
  }
  out.step(
    `Promise.all on the main thread: ${(base / pa.ms).toFixed(2)}× (${pa.ms.toFixed(0)} ms)`,
    `An async function runs its synchronous body on the calling thread: at most ${pa.atOnce} hash was in progress at any instant, one after another, and the event loop was blocked the whole time. Promise.all gives concurrency for waiting, not more cores.`,
    { promiseAllSpeedup: r1(base / pa.ms), atOnce: pa.atOnce },
  );
  out.figure('worker start-up (not in wall ms)', `${atCores.startupMs.toFixed(0)} ms for ${atCores.threads}`, 'start a pool once, reuse it');
  out.figure('same digests in every case', sameDigests ? 'yes' : 'no');
  if (guess !== undefined) {
    // Judged on how many hashes were in progress at once (recorded by the hashes themselves), not on the
    // ratio alone: on a busy machine the 1-worker baseline and the main thread can differ by noise.
    const ratio = base / pa.ms;
    const actual = pa.atOnce <= 1 ? 0 : Math.abs(ratio - cores) <= Math.abs(ratio - jobsN) ? 1 : 2;
    out.say(
      guess === actual
        ? `Your prediction matched: ${ratio.toFixed(2)}× measured, with at most ${pa.atOnce} hash in progress at once.`
        : `Measured ${ratio.toFixed(2)}× with at most ${pa.atOnce} hash in progress at once: ${choices[actual]}. The difference from 1× is run-to-run noise and the workers' messaging, not parallelism.`,
    );
  }

  out.heading(`2. I/O-bound: ${jobsN} calls to a slow local service`);
  const server = await startServer(ctx, (_req, res) => {
    const t = setTimeout(() => res.end('ok'), ioMs);
    res.on('close', () => clearTimeout(t));
  });
  out.say(`A real HTTP server on 127.0.0.1 answers each call after ${ioMs} ms (a database or an API, waiting). All on the main thread, no workers:`);
  out.code(['for (const id of ids) await get(`/lookup/${id}`);           // sequential', 'await Promise.all(ids.map((id) => get(`/lookup/${id}`)));  // concurrent'].join('\n'));
  const s0 = performance.now();
  for (let i = 0; i < jobsN; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await server.get(`/lookup/${i}`);
  }
  const seqMs = performance.now() - s0;
  const c0 = performance.now();
  const replies = await Promise.all(Array.from({ length: jobsN }, (_, i) => server.get(`/lookup/${i}`)));
  const allMs = performance.now() - c0;
  const ok = replies.filter((r) => r.status === 200).length;
  out.table([
    ['one thread', 'wall ms', 'speed-up'],
    ['await one by one', seqMs.toFixed(0), '1.00×'],
    ['Promise.all', allMs.toFixed(0), `${(seqMs / allMs).toFixed(2)}×`],
  ]);
  out.step(
    `Promise.all: ${(seqMs / allMs).toFixed(1)}× faster on one thread (${ok}/${jobsN} answered 200)`,
    `Waiting costs no CPU: the main thread sent all ${jobsN} requests, then the event loop slept until the answers came. The waits overlapped: the batch took ${allMs.toFixed(0)} ms for ${jobsN} × ${ioMs} ms of waiting. Worker threads would add nothing here but overhead.`,
    { sequentialMs: r1(seqMs), promiseAllMs: r1(allMs), speedup: r1(seqMs / allMs), ok },
  );

  out.takeaways([
    'CPU-bound work speeds up only with parallelism: worker threads (or processes), up to the number of cores.',
    'More workers than cores, or Promise.all around synchronous code, adds no speed: the work still competes for the same cores.',
    'I/O-bound work needs concurrency, not threads: Promise.all on one thread overlaps the waits.',
    'Size a worker pool to os.availableParallelism(), start it once, and send it small messages.',
  ]);

  return {
    cores,
    loadAverage: r1(load),
    jobs: jobsN,
    scryptN: N,
    threadCounts: counts,
    cpu: cases.map((c) => ({ label: c.label, threads: c.threads, atOnce: c.atOnce, ms: r1(c.ms), speedup: Math.round((base / c.ms) * 100) / 100 })),
    sameDigests,
    digests: [...cases[0]!.digests],
    io: { callMs: ioMs, sequentialMs: r1(seqMs), promiseAllMs: r1(allMs), speedup: r1(seqMs / allMs), ok },
  };
}
