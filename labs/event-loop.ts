/**
 * Lab: event-loop ordering. Each snippet runs in a fresh Node process; the order printed is the order the
 * callbacks really ran in, and each line is annotated with the queue it came from.
 */
import { createSnippetRunner, type ModuleKind } from '../src/labs/node-snippet.js';
import type { LabContext, LabObservations, LabPrinter, LabPrompts } from '../src/labs/types.js';

interface Note {
  readonly queue: string;
  readonly why: string;
}

interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly intro: string;
  readonly module: ModuleKind;
  readonly code: string;
  readonly notes: Readonly<Record<string, Note>>;
  readonly predict: boolean;
}

const SYNC: Note = { queue: 'call stack', why: 'Synchronous code runs to completion before any queued callback.' };

const SCENARIOS: readonly Scenario[] = [
  {
    id: 'classic',
    title: '1. Sync code, nextTick, a promise and a timer',
    intro: 'The classic interview snippet, with process.nextTick added. CommonJS main module.',
    module: 'cjs',
    predict: true,
    code: [
      "console.log('sync 1');",
      "setTimeout(() => console.log('timeout 0'), 0);",
      "Promise.resolve().then(() => console.log('promise'));",
      "process.nextTick(() => console.log('nextTick'));",
      "console.log('sync 2');",
    ].join('\n'),
    notes: {
      'sync 1': SYNC,
      'sync 2': SYNC,
      nextTick: { queue: 'nextTick queue', why: 'When the main script finishes, Node drains the nextTick queue first: it is its own queue, ahead of promises.' },
      promise: { queue: 'microtask queue', why: 'Then the promise (microtask) queue drains, still before the event loop moves on.' },
      'timeout 0': { queue: 'timers phase', why: 'setTimeout(fn, 0) waits for the timers phase of the next loop iteration (0 is really 1 ms).' },
    },
  },
  {
    id: 'io',
    title: '2. Inside an I/O callback',
    intro: 'The same queues scheduled from inside an fs.readFile callback, i.e. from the poll phase.',
    module: 'cjs',
    predict: true,
    code: [
      "const fs = require('node:fs');",
      'fs.readFile(__filename, () => {',
      "  console.log('I/O callback');",
      "  setTimeout(() => console.log('timeout 0'), 0);",
      "  setImmediate(() => console.log('immediate'));",
      "  Promise.resolve().then(() => console.log('promise'));",
      "  process.nextTick(() => console.log('nextTick'));",
      '});',
    ].join('\n'),
    notes: {
      'I/O callback': { queue: 'poll phase', why: 'The read finished on the libuv threadpool; its callback runs in the poll phase.' },
      nextTick: { queue: 'nextTick queue', why: 'Drained right after the callback returns, before anything else.' },
      promise: { queue: 'microtask queue', why: 'Drained right after the nextTick queue.' },
      immediate: { queue: 'check phase', why: 'After poll comes the check phase, so setImmediate always wins when scheduled from an I/O callback.' },
      'timeout 0': { queue: 'timers phase', why: 'Timers are only checked at the start of the next iteration, after check.' },
    },
  },
  {
    id: 'between-timers',
    title: '3. Microtasks run between timer callbacks',
    intro: 'Two timers due at once; the first queues a promise and a nextTick. Since Node 11 both run before the second timer.',
    module: 'cjs',
    predict: true,
    code: [
      'setTimeout(() => {',
      "  console.log('timeout A');",
      "  Promise.resolve().then(() => console.log('promise from A'));",
      "  process.nextTick(() => console.log('nextTick from A'));",
      '}, 0);',
      "setTimeout(() => console.log('timeout B'), 0);",
    ].join('\n'),
    notes: {
      'timeout A': { queue: 'timers phase', why: 'Both timers are due in the same timers phase; A was scheduled first.' },
      'nextTick from A': { queue: 'nextTick queue', why: 'Node drains nextTick, then microtasks, after each timer callback (since Node 11; before, after the whole phase).' },
      'promise from A': { queue: 'microtask queue', why: 'Drained after the nextTick queue, still before timeout B.' },
      'timeout B': { queue: 'timers phase', why: 'Only now does the timers phase move on to the next due timer.' },
    },
  },
  {
    id: 'esm',
    title: '4. The same two lines in an ES module',
    intro: 'Top-level code of an ES module runs inside a promise job, so the microtask queue drains before nextTick gets its turn.',
    module: 'esm',
    predict: true,
    code: ["process.nextTick(() => console.log('nextTick'));", "Promise.resolve().then(() => console.log('promise'));", "console.log('sync');"].join('\n'),
    notes: {
      sync: SYNC,
      promise: { queue: 'microtask queue', why: 'Module evaluation is itself a microtask; V8 drains the whole microtask queue, this promise included, before returning to Node.' },
      nextTick: { queue: 'nextTick queue', why: 'Node processes nextTick only when control comes back to it, after that microtask drain. In CommonJS the order is reversed.' },
    },
  },
  {
    id: 'cjs',
    title: '5. …and in CommonJS',
    intro: 'Identical code as a .cjs file: the script runs outside any promise job.',
    module: 'cjs',
    predict: false,
    code: ["process.nextTick(() => console.log('nextTick'));", "Promise.resolve().then(() => console.log('promise'));", "console.log('sync');"].join('\n'),
    notes: {
      sync: SYNC,
      nextTick: { queue: 'nextTick queue', why: 'After the script, Node drains nextTick before microtasks.' },
      promise: { queue: 'microtask queue', why: 'Then the promise queue.' },
    },
  },
];

const RACE_CODE = ["setTimeout(() => console.log('timeout'), 0);", "setImmediate(() => console.log('immediate'));"].join('\n');

const BLOCKING_CODE = `const { monitorEventLoopDelay } = require('node:perf_hooks');
const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i, name: 'user' + i, tags: ['a', 'b', 'c'], score: i * 1.5 }));
const payload = JSON.stringify(rows);
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
setTimeout(() => { // let the delay monitor take a few samples first
  const t0 = performance.now();
  setTimeout(() => {
    const timerMs = performance.now() - t0;
    setTimeout(() => {
      h.disable();
      console.log(JSON.stringify({ bytes: payload.length, parseMs, timerMs, scheduled: 10, maxDelayMs: h.max / 1e6 }));
    }, 50);
  }, 10);
  const p0 = performance.now();
  JSON.parse(payload); // the loop is blocked here
  const parseMs = performance.now() - p0;
}, 50);
`;

async function predictAndCompare(prompts: LabPrompts | undefined, out: LabPrinter, labels: readonly string[], actual: readonly string[]): Promise<boolean | null> {
  if (!prompts) return null;
  const guess = await prompts.predictOrder('in what order do the lines print?', [...labels].sort());
  if (!guess) return null;
  const right = guess.every((g, i) => g === actual[i]);
  out.say(right ? 'Your prediction matched what Node did.' : `Your prediction: ${guess.join(' → ')}. Here is what really happened:`);
  return right;
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out, prompts } = ctx;
  const node = createSnippetRunner(ctx.signal);
  ctx.defer(() => node.close());
  const observed: Record<string, string[]> = {};
  const predictions: Record<string, boolean | null> = {};

  out.say(`Each snippet below is written to a file and run by a fresh ${process.version} process; the order shown is the order it printed.`);
  for (const s of SCENARIOS) {
    out.heading(s.title);
    out.say(s.intro);
    out.code(s.code);
    const labels = Object.keys(s.notes);
    const linesPromise = node.run(s.code, s.module);
    predictions[s.id] = s.predict ? await predictAndCompare(prompts, out, labels, await linesPromise) : null;
    const lines = await linesPromise;
    observed[s.id] = lines;
    lines.forEach((line, i) => {
      const note = s.notes[line];
      out.step(`${i + 1}. ${line}${note ? `  [${note.queue}]` : ''}`, note?.why ?? 'Not annotated.', { scenario: s.id, position: i + 1, line, queue: note?.queue ?? null });
    });
  }

  out.heading('6. setTimeout(0) vs setImmediate from the main module: a race');
  out.say('Scheduled from the main script, the order depends on whether 1 ms has passed when the loop first checks timers, so it varies from run to run. Counted over fresh processes:');
  out.code(RACE_CODE);
  const runs = 12;
  let timeoutFirst = 0;
  for (let batch = 0; batch < runs; batch += 4) {
    const results = await Promise.all(Array.from({ length: Math.min(4, runs - batch) }, () => node.run(RACE_CODE)));
    for (const r of results) if (r[0] === 'timeout') timeoutFirst++;
  }
  out.figure('timeout first', `${timeoutFirst} of ${runs} runs`);
  out.figure('immediate first', `${runs - timeoutFirst} of ${runs} runs`);
  out.step(
    'The order is not deterministic here',
    'Never rely on it; inside an I/O callback (scenario 2) it is fixed. Within a given run, Node’s timer precision and machine load decide.',
    { scenario: 'race', runs, timeoutFirst },
  );

  out.heading('7. Blocking the loop: a big JSON.parse');
  const rows = 100_000 + Math.floor(ctx.rng() * 50_000);
  const blockingCode = BLOCKING_CODE.replace('ROWS', String(rows));
  out.say(`A 10 ms timer is scheduled, then the main thread parses a ${rows.toLocaleString('en-US')}-row JSON payload. Nothing else can run until the parse returns.`);
  const [report] = await node.run(blockingCode);
  const b = JSON.parse(report ?? '{}') as { bytes: number; parseMs: number; timerMs: number; scheduled: number; maxDelayMs: number };
  out.figure('payload', `${(b.bytes / 1e6).toFixed(1)} MB`);
  out.figure('JSON.parse blocked the loop for', `${b.parseMs.toFixed(1)} ms`);
  out.figure('10 ms timer actually fired after', `${b.timerMs.toFixed(1)} ms`, `${(b.timerMs - b.scheduled).toFixed(1)} ms late`);
  out.figure('max event-loop delay (perf_hooks)', `${b.maxDelayMs.toFixed(1)} ms`);
  out.step(
    'While the parse ran, no timer fired, no socket was read, no request was answered',
    'A server doing this per request stalls every other client. Fixes: payload limits, streaming parsers, worker_threads for CPU work, or a background job. Watch it in production with monitorEventLoopDelay or event-loop-lag metrics.',
    { scenario: 'blocking', ...b },
  );

  out.takeaways([
    'After each macrotask callback Node drains process.nextTick, then the promise microtask queue, then moves on.',
    'Timers run in the timers phase, setImmediate in the check phase: from an I/O callback setImmediate always comes first; from the main module, setTimeout(0) vs setImmediate is a race.',
    'ES module top-level code runs inside a promise job, so promises beat nextTick there.',
    'CPU work on the main thread delays everything: measured above as timer lateness.',
  ]);

  return {
    node: process.version,
    orders: observed,
    predictions,
    race: { runs, timeoutFirst, immediateFirst: runs - timeoutFirst },
    blocking: { rows, bytes: b.bytes, parseMs: b.parseMs, timerMs: b.timerMs, scheduledMs: b.scheduled, maxDelayMs: b.maxDelayMs },
  };
}
