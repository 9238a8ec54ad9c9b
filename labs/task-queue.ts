/**
 * Lab: a job queue with retries. An in-process queue whose workers really await async job handlers; only time
 * is virtual (a clock that jumps to the next timer), so backoff delays of seconds replay instantly and the same
 * way for a seed. Retries with capped exponential backoff and full jitter, priorities, a dead-letter queue and
 * a poison message; then 100 jobs failing at once, retried with and without jitter against a provider that
 * can take only so many calls per 100 ms.
 */
import { backoffCeiling, backoffDelay, type BackoffPolicy } from '../src/labs/retry-backoff.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

/** Virtual time: timers are kept in a list and the clock jumps to the earliest one. */
class VirtualClock {
  now = 0;
  private seq = 0;
  private readonly timers: { at: number; seq: number; fn: () => void }[] = [];

  schedule(ms: number, fn: () => void): void {
    this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq++, fn });
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  /**
   * Fire timers in time order until none is left. Before each one, one turn of the real event loop lets every
   * promise chain (the handlers, the workers) run as far as it can: they only ever wait on this clock.
   */
  async run(signal: AbortSignal): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) throw signal.reason;
      if (!this.timers.length) return;
      let next = 0;
      for (let i = 1; i < this.timers.length; i++) {
        const a = this.timers[i]!;
        const b = this.timers[next]!;
        if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) next = i;
      }
      const timer = this.timers[next]!;
      this.timers[next] = this.timers[this.timers.length - 1]!;
      this.timers.pop();
      this.now = timer.at;
      timer.fn();
    }
  }
}

type Priority = 'high' | 'low';

interface Job {
  readonly id: string;
  readonly priority: Priority;
  readonly payload: string;
  readonly enqueuedAt: number;
  attempts: number;
  /** Arrival order in the waiting list (refreshed when a retry comes back). */
  seq: number;
}

/** Thrown for failures that retrying cannot fix (BullMQ: UnrecoverableError). */
class PermanentError extends Error {}

interface Attempt {
  readonly job: string;
  readonly priority: Priority;
  readonly attempt: number;
  readonly start: number;
  readonly end: number;
  readonly outcome: string;
  /** 'ok', 'retry', or 'dlq'. */
  readonly then: 'ok' | 'retry' | 'dlq';
  readonly delayMs?: number;
  readonly ceilingMs?: number;
}

interface DeadLetter {
  readonly job: string;
  readonly attempts: number;
  readonly error: string;
  readonly permanent: boolean;
  readonly firstFailure: number;
  readonly lastFailure: number;
}

interface QueueOptions {
  readonly workers: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
}

/**
 * The queue: a waiting list served highest priority first, then in arrival order; `workers` jobs run at once;
 * a failed job is retried after a backoff delay until it has had `maxAttempts` attempts, then dead-lettered.
 */
function createQueue(clock: VirtualClock, rng: () => number, o: QueueOptions, handler: (job: Job) => Promise<void>) {
  const waiting: Job[] = [];
  const attempts: Attempt[] = [];
  const dlq: DeadLetter[] = [];
  const done: { job: string; at: number; attempts: number }[] = [];
  const firstFailure = new Map<string, number>();
  let running = 0;
  let seq = 0;
  let started = false;
  const rank = (p: Priority) => (p === 'high' ? 0 : 1);

  const work = async (job: Job) => {
    job.attempts++;
    const start = clock.now;
    const base = { job: job.id, priority: job.priority, attempt: job.attempts, start };
    try {
      await handler(job);
      attempts.push({ ...base, end: clock.now, outcome: 'ok', then: 'ok' });
      done.push({ job: job.id, at: clock.now, attempts: job.attempts });
    } catch (error) {
      const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
      if (!firstFailure.has(job.id)) firstFailure.set(job.id, clock.now);
      const permanent = error instanceof PermanentError || error instanceof SyntaxError;
      if (permanent || job.attempts >= o.maxAttempts) {
        attempts.push({ ...base, end: clock.now, outcome: message, then: 'dlq' });
        dlq.push({ job: job.id, attempts: job.attempts, error: message, permanent, firstFailure: firstFailure.get(job.id)!, lastFailure: clock.now });
      } else {
        const delayMs = backoffDelay(job.attempts, o.backoff, rng);
        attempts.push({ ...base, end: clock.now, outcome: message, then: 'retry', delayMs, ceilingMs: backoffCeiling(job.attempts, o.backoff) });
        clock.schedule(delayMs, () => add(job));
      }
    } finally {
      running--;
      dispatch();
    }
  };

  const dispatch = () => {
    while (started && running < o.workers && waiting.length) {
      let best = 0;
      for (let i = 1; i < waiting.length; i++) {
        const a = waiting[i]!;
        const b = waiting[best]!;
        if (rank(a.priority) < rank(b.priority) || (a.priority === b.priority && a.seq < b.seq)) best = i;
      }
      const [job] = waiting.splice(best, 1);
      running++;
      void work(job!);
    }
  };

  const add = (job: Job) => {
    job.seq = seq++;
    waiting.push(job);
    dispatch();
  };

  return {
    attempts,
    dlq,
    done,
    enqueue(id: string, priority: Priority, payload = '{}') {
      add({ id, priority, payload, enqueuedAt: clock.now, attempts: 0, seq: 0 });
    },
    /** Workers start polling (jobs added before this wait in the queue, as in a broker). */
    start() {
      started = true;
      dispatch();
    },
  };
}

/** An HTTP-like error from a dependency. */
const unavailable = () => Object.assign(new Error('503 Service Unavailable'), { name: 'Error' });

/** Part 2's provider: down at first, then able to serve `perWindow` calls in each 100 ms window. */
function createProvider(clock: VirtualClock, downUntil: number, perWindow: number) {
  const calls = new Map<number, number>();
  /** Retries only (not first attempts), per 100 ms window. */
  const retries = new Map<number, number>();
  let total = 0;
  let refused = 0;
  return {
    calls,
    retries,
    get total() {
      return total;
    },
    get refused() {
      return refused;
    },
    async charge(retry: boolean): Promise<void> {
      await clock.sleep(20);
      total++;
      const window = Math.floor(clock.now / 100);
      if (retry) retries.set(window, (retries.get(window) ?? 0) + 1);
      const n = (calls.get(window) ?? 0) + 1;
      calls.set(window, n);
      if (clock.now < downUntil || n > perWindow) {
        refused++;
        throw unavailable();
      }
    },
  };
}

/** Part 2: the provider is down for the first attempt of every job. */
const DOWN_UNTIL = 100;

interface HerdResult {
  readonly jitter: 'none' | 'full';
  readonly jobs: number;
  readonly calls: number;
  readonly refused: number;
  readonly completed: number;
  readonly deadLettered: number;
  readonly lastDoneMs: number;
  readonly peakPer100ms: number;
  readonly peakRetriesPer100ms: number;
  /** Retries per 100 ms window, in time order, empty windows left out. */
  readonly waves: number[];
  readonly perBucket: number[];
}

async function herd(ctx: LabContext, jobs: number, maxAttempts: number, jitter: 'none' | 'full', perWindow: number): Promise<HerdResult & { callTimes: number[] }> {
  const clock = new VirtualClock();
  const provider = createProvider(clock, DOWN_UNTIL, perWindow);
  const backoff: BackoffPolicy = { baseMs: 200, capMs: 5000, jitter };
  // As many workers as jobs: only the backoff decides when a retry happens.
  const queue = createQueue(clock, ctx.rng, { workers: jobs, maxAttempts, backoff }, (job) => provider.charge(job.attempts > 1));
  for (let i = 1; i <= jobs; i++) queue.enqueue(`charge-${i}`, 'low');
  queue.start();
  await clock.run(ctx.signal);
  return {
    // The provider saw each call when the attempt ended (20 ms after it started).
    callTimes: queue.attempts.map((a) => a.end),
    jitter,
    jobs,
    calls: provider.total,
    refused: provider.refused,
    completed: queue.done.length,
    deadLettered: queue.dlq.length,
    lastDoneMs: queue.done.length ? Math.max(...queue.done.map((d) => d.at)) : 0,
    peakPer100ms: Math.max(0, ...provider.calls.values()),
    peakRetriesPer100ms: Math.max(0, ...provider.retries.values()),
    waves: [...provider.retries.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n),
    perBucket: [],
  };
}

function perBucket(times: readonly number[], bucketMs: number): number[] {
  const out: number[] = [];
  for (const t of times) {
    const b = Math.floor(t / bucketMs);
    while (out.length <= b) out.push(0);
    out[b]!++;
  }
  return out;
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const workers = ctx.params.workers ?? 2;
  const maxAttempts = ctx.params.attempts ?? 5;
  const herdSize = ctx.params.jobs ?? 100;
  const backoff: BackoffPolicy = { baseMs: 100, capMs: 1000, jitter: 'full' };
  const paymentsBackAt = 600;

  out.say(
    `An in-process job queue: ${workers} worker${workers === 1 ? '' : 's'}, each job up to ${maxAttempts} attempts, retries after a full-jitter backoff (a random delay between 0 and min(${backoff.capMs}, ${backoff.baseMs} × 2^(n−1)) ms after the n-th failure). The handlers are real async functions and really throw; time is a virtual clock that jumps from one timer to the next, so the delays cost nothing and replay the same for a seed.`,
  );
  out.code(
    [
      'catch (err) {',
      '  if (err instanceof PermanentError || err instanceof SyntaxError',
      '      || job.attempts >= maxAttempts) return deadLetter(job, err);',
      '  const ceiling = Math.min(capMs, baseMs * 2 ** (job.attempts - 1));',
      '  setTimeout(() => queue.add(job), Math.floor(Math.random() * ceiling));',
      '}',
    ].join('\n'),
  );
  out.say(
    `At t=0: four low-priority reports, a high-priority card charge (the payment provider is down until t=${paymentsBackAt} ms), a webhook whose endpoint always answers 503, and an import whose payload is malformed JSON. At t=150 two high-priority password resets arrive.`,
  );

  let prediction: number | undefined;
  if (ctx.prompts) {
    prediction = await ctx.prompts.predictChoice('the password resets arrive at t=150 behind jobs queued at t=0. When do they start?', [
      'after every job queued before them: a queue is first in, first out',
      'as soon as a worker frees up, ahead of the queued low-priority jobs',
      'at once: a high-priority job interrupts a running one',
    ]);
  }

  const clock = new VirtualClock();
  const queue = createQueue(clock, ctx.rng, { workers, maxAttempts, backoff }, async (job) => {
    if (job.id.startsWith('report')) await clock.sleep(200);
    else if (job.id.startsWith('reset')) await clock.sleep(60);
    else if (job.id === 'charge-42') {
      await clock.sleep(40);
      if (clock.now < paymentsBackAt) throw Object.assign(new Error('ECONNRESET'), { name: 'Error' });
    } else if (job.id === 'webhook-7') {
      await clock.sleep(30);
      throw unavailable();
    } else if (job.id === 'import-13') {
      await clock.sleep(10);
      JSON.parse(job.payload); // the poison: throws a SyntaxError, every time
    }
  });
  for (let i = 1; i <= 4; i++) queue.enqueue(`report-${i}`, 'low');
  queue.enqueue('charge-42', 'high');
  queue.enqueue('webhook-7', 'low');
  queue.enqueue('import-13', 'low', '{"rows": [1, 2,');
  queue.start();
  clock.schedule(150, () => {
    queue.enqueue('reset-1', 'high');
    queue.enqueue('reset-2', 'high');
  });
  await clock.run(ctx.signal);

  out.heading('Every attempt, in the order it started (virtual ms)');
  const attempts = [...queue.attempts].sort((a, b) => a.start - b.start || a.end - b.end);
  out.table([
    ['job', 'prio', 'try', 'start', 'end', 'outcome', 'then'],
    ...attempts.map((a) => [
      a.job,
      a.priority,
      a.attempt,
      a.start,
      a.end,
      a.outcome === 'ok' ? 'ok' : a.outcome.split(/[: ]/)[0]!,
      a.then === 'retry' ? `retry +${a.delayMs} ms (≤${a.ceilingMs})` : a.then === 'dlq' ? '→ dead letter' : 'done',
    ]),
  ]);

  const started = (id: string) => attempts.find((a) => a.job === id)!.start;
  const resets = ['reset-1', 'reset-2'].map((id) => ({ id, start: started(id) }));
  const overtaken = [...new Set(attempts.filter((a) => a.priority === 'low' && a.attempt === 1 && a.start > Math.max(...resets.map((r) => r.start))).map((a) => a.job))];
  // What freed the worker each reset started on: an attempt that ended at that moment.
  const used = new Set<Attempt>();
  const freedBy = resets.map((r) => {
    const a = attempts.find((x) => x.end === r.start && !x.job.startsWith('reset') && !used.has(x));
    if (a) used.add(a);
    return a ? a.job : undefined;
  });
  const freers = freedBy.filter((j): j is string => j !== undefined);
  const tookWorker =
    freers.length === 0
      ? 'A worker was idle when they arrived, so they started at once'
      : freers.length === resets.length
        ? `Each reset took the next worker to free up (${freers.join(' and ')} had just finished)`
        : `One took an idle worker, the other the next to free up (${freers.join(' and ')} had just finished)`;
  if (prediction !== undefined) {
    if (overtaken.length) {
      const what = 'they waited for a free worker, then went ahead of the queued low-priority jobs';
      out.say(prediction === 1 ? `Right: ${what}.` : `Not quite: ${what}.`);
    } else {
      out.say(`With ${workers} workers nothing low-priority was still waiting at t=150, so there was nothing to overtake: the resets started at t=${resets.map((r) => r.start).join(' and t=')}, and no running job was interrupted.`);
    }
  }
  out.step(
    `The resets, queued at t=150, started at t=${[...new Set(resets.map((r) => r.start))].join(' and t=')}${overtaken.length ? `, ahead of ${overtaken.length} low job${overtaken.length === 1 ? '' : 's'}` : ''}`,
    `${overtaken.length ? `${overtaken.join(', ')} had been waiting since t=0. ` : ''}${tookWorker}: a free worker takes the highest-priority waiting job, then the oldest. Running jobs are not interrupted: priority only decides what starts next.`,
    { resets: resets.map((r) => r.start), overtaken, freedBy: freedBy.map((j) => j ?? 'idle') },
  );

  const charge = attempts.filter((a) => a.job === 'charge-42');
  const chargeOk = charge.find((a) => a.then === 'ok');
  const delays = charge.filter((a) => a.then === 'retry').map((a) => `${a.delayMs} (≤${a.ceilingMs})`);
  out.step(
    `charge-42: ${charge.length} attempt${charge.length === 1 ? '' : 's'}, ${chargeOk ? `succeeded at t=${chargeOk.end}` : 'never succeeded'}`,
    `The provider was down until t=${paymentsBackAt}. Retry delays drawn: ${delays.join(', ') || 'none'} ms: each one random below a ceiling that doubles, so retries back off without marching in step.`,
    { attempts: charge.length, succeededAt: chargeOk?.end ?? null, delays: charge.filter((a) => a.then === 'retry').map((a) => a.delayMs ?? 0) },
  );
  const dl = (id: string) => queue.dlq.find((d) => d.job === id);
  const webhook = dl('webhook-7');
  const poison = dl('import-13');
  out.step(
    `webhook-7: dead-lettered after ${webhook?.attempts ?? 0} attempts`,
    `Every attempt got a 503, from t=${webhook?.firstFailure ?? '?'} to t=${webhook?.lastFailure ?? '?'}. At ${maxAttempts} attempts the queue stops and parks it in the dead-letter queue with its error, instead of retrying forever.`,
    { ...(webhook ?? {}) },
  );
  out.step(
    `import-13, the poison message: dead-lettered after ${poison?.attempts ?? 0} attempt${poison?.attempts === 1 ? '' : 's'}`,
    `${poison?.error ?? '?'}. JSON.parse fails the same way on every delivery, so the queue treats SyntaxError as permanent and skips the retries the webhook used (${webhook?.attempts ?? 0} attempts). Without a limit or a DLQ it would come back forever.`,
    { ...(poison ?? {}) },
  );

  out.heading('Outcome');
  const retries = queue.attempts.filter((a) => a.then === 'retry').length;
  out.figure('jobs completed', queue.done.length);
  out.figure('jobs dead-lettered', queue.dlq.length, queue.dlq.map((d) => d.job).join(', '));
  out.figure('attempts / retries', `${queue.attempts.length} / ${retries}`);
  out.figure('queue empty at (virtual time)', `t=${clock.now} ms`);
  out.table([['dead letter', 'attempts', 'last error', 'failed from', 'to'], ...queue.dlq.map((d) => [d.job, d.attempts, d.error.length > 30 ? `${d.error.slice(0, 29)}…` : d.error, `t=${d.firstFailure}`, `t=${d.lastFailure}`])]);

  // ---- Part 2: the synchronised herd ---------------------------------------------------------------------
  const perWindow = 10;
  out.heading(`${herdSize} jobs failing at once: no jitter vs full jitter`);
  out.say(
    `${herdSize} charge jobs start together at t=0; the provider is down until t=${DOWN_UNTIL} ms, so every first attempt fails; then it serves ${perWindow} calls per 100 ms and answers 503 to the rest. Backoff: base 200 ms, cap 5000 ms, up to ${maxAttempts} attempts; as many workers as jobs, so only the backoff decides when retries happen.`,
  );
  const noneRun = await herd(ctx, herdSize, maxAttempts, 'none', perWindow);
  const fullRun = await herd(ctx, herdSize, maxAttempts, 'full', perWindow);
  // 200 ms buckets, doubled until the table (empty intervals left out) has at most 16 rows.
  const rowsFor = (ms: number) => new Set([...noneRun.callTimes, ...fullRun.callTimes].map((t) => Math.floor(t / ms))).size;
  let bucketMs = 200;
  while (rowsFor(bucketMs) > 16) bucketMs *= 2;
  const { callTimes: noneTimes, ...noneRest } = noneRun;
  const { callTimes: fullTimes, ...fullRest } = fullRun;
  const none: HerdResult = { ...noneRest, perBucket: perBucket(noneTimes, bucketMs) };
  const full: HerdResult = { ...fullRest, perBucket: perBucket(fullTimes, bucketMs) };
  const span = Math.max(none.perBucket.length, full.perBucket.length);
  const bar = (n: number, max: number) => '█'.repeat(n > 0 ? Math.max(1, Math.round((n / max) * 18)) : 0);
  const max = Math.max(...none.perBucket, ...full.perBucket, 1);
  const rows: (string | number)[][] = [['t (ms)', 'no jitter', '', 'full jitter', '']];
  for (let b = 0; b < span; b++) {
    const x = none.perBucket[b] ?? 0;
    const y = full.perBucket[b] ?? 0;
    if (!x && !y) continue;
    rows.push([`${b * bucketMs}–${(b + 1) * bucketMs}`, x, bar(x, max).padEnd(18), y, bar(y, max).padEnd(18)]);
  }
  out.say(`Calls the provider received per ${bucketMs} ms (empty intervals left out):`);
  out.table(rows);
  out.table([
    ['', 'no jitter', 'full jitter'],
    ['calls to the provider', none.calls, full.calls],
    ['refused with 503', none.refused, full.refused],
    ['most retries in one 100 ms', none.peakRetriesPer100ms, full.peakRetriesPer100ms],
    ['jobs completed', none.completed, full.completed],
    ['jobs dead-lettered', none.deadLettered, full.deadLettered],
    ['last job done at (ms)', none.lastDoneMs, full.lastDoneMs],
  ]);
  const fewer = full.refused < none.refused;
  out.step(
    `Retries in one 100 ms: up to ${none.peakRetriesPer100ms} without jitter, ${full.peakRetriesPer100ms} with full jitter`,
    `Without jitter the jobs that failed together wait exactly as long and retry together: ${none.waves.length} waves of ${none.waves.join(', ')} calls at a provider that takes ${perWindow} per 100 ms. Full jitter spreads each retry over its whole delay window, so ${fewer ? 'fewer' : 'as many or more'} calls were refused (${full.refused} against ${none.refused}) and ${full.completed} of ${herdSize} jobs completed within ${maxAttempts} attempts, against ${none.completed}.`,
    { none: { ...none, perBucket: none.perBucket, waves: none.waves }, full: { ...full, perBucket: full.perBucket, waves: full.waves } },
  );

  out.takeaways([
    'Retry transient failures with capped exponential backoff and full jitter: random(0, min(cap, base × 2^n)).',
    'Classify errors: a permanent one (a malformed payload, a 404) goes straight to the dead-letter queue; transient ones are retried up to a cap. Alert when the DLQ is not empty.',
    'Priorities decide which waiting job starts next; they never pre-empt a running job.',
    'Jobs that fail together retry together unless jitter separates them: the waves hit the dependency at its weakest.',
  ]);

  return {
    workers,
    maxAttempts,
    attempts: attempts.map((a) => ({ ...a })),
    order: attempts.filter((a) => a.attempt === 1).map((a) => a.job),
    resets: resets.map((r) => r.start),
    overtaken,
    completed: queue.done.map((d) => d.job),
    deadLetters: queue.dlq.map((d) => ({ ...d })),
    endMs: clock.now,
    herd: [none, full].map((h) => ({ ...h, perBucket: [...h.perBucket], waves: [...h.waves] })),
  };
}
