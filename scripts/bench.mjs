// npm run bench [-- --quick]: start-up figures as ratios to `node -e 0` measured in the same run, plus scale runs.
// Medians of interleaved runs, so drift on a busy machine hits every figure alike. No timed assertions anywhere.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 21;
const bin = join(root, 'bin', 'backend-tutor.cjs');
const home = mkdtempSync(join(tmpdir(), 'bt-bench-'));
const bigHome = join(home, 'big');
// NODE_EXTRA_CA_CERTS (set on some CI and sandbox machines) triples Node's start-up; a learner's shell rarely has it.
const { NODE_EXTRA_CA_CERTS: _ignored, ...baseEnv } = process.env;
const env = { ...baseEnv, BACKEND_TUTOR_HOME: join(home, 'data'), NO_COLOR: '1' };

/**
 * One run: wall time, plus CPU time (user + sys) and peak memory from GNU time. CPU time is the figure to
 * trust on a busy machine; wall time is what a learner feels.
 */
function timeOnce(args, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '__RUSAGE %U %S %M', process.execPath, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [, user, sys, rssKb] = /__RUSAGE (\S+) (\S+) (\d+)/.exec(r.stderr) ?? [];
  return { wall, cpu: (Number(user) + Number(sys)) * 1000, rss: Number(rssKb) / 1024 };
}

/** Time until the first question is on screen, in a real pseudo-terminal (util-linux `script`). */
function firstQuestionOnce() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', `${process.execPath} ${bin} quiz --topic caching --seed 1`, '/dev/null'], { env: { ...env, BACKEND_TUTOR_HOME: join(home, 'quiz') }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    const timer = setTimeout(() => finish(new Error(`no question after 10 s:\n${out}`)), 10_000);
    const finish = (error, ms) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      error ? reject(error) : resolve(ms);
    };
    child.stdout.on('data', (d) => {
      out += d;
      if (/Enter answer|Enter pick|Enter reveals/.test(out)) finish(undefined, Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}
const med = (runs, key) => stats(runs.map((r) => r[key])).median;

const cache = join(root, 'node_modules', '.cache', 'backend-tutor');
mkdirSync(cache, { recursive: true });
async function bundle(name) {
  const out = join(cache, `${name}.mjs`);
  await build({ entryPoints: [join(root, 'scripts', `${name}.ts`)], bundle: true, platform: 'node', format: 'esm', outfile: out, external: ['sql.js'], logLevel: 'warning', banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" } });
  return out;
}

/** A data directory with `reviews` answers over the real cards, as a long-time learner would have. */
async function writeBigLog(reviews) {
  const index = JSON.parse(spawnSync(process.execPath, [bin, 'topics', '--json'], { env, encoding: 'utf8' }).stdout);
  const ids = index.flatMap((t) => JSON.parse(readFileSync(join(root, 'dist', 'content', 'topics', `${t.id}.json`), 'utf8')).questions.map((q) => q.cardId));
  const r = spawnSync(process.execPath, [await bundle('bench-fixture'), bigHome, String(reviews), ids.join(',')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`fixture failed: ${r.stderr}`);
}

// The big log is written first, so that every figure, the floor included, is measured in the same
// interleaved rounds: a figure measured apart would compare against a floor from another machine state.
const REVIEWS = quick ? 100_000 : 1_000_000;
await writeBigLog(REVIEWS);
const cases = [
  ['node -e 0 (the floor)', () => timeOnce(['-e', '0'])],
  ['backend-tutor --help', () => timeOnce([bin, '--help'])],
  ['backend-tutor topics', () => timeOnce([bin, 'topics'])],
  ['backend-tutor lesson caching | cat', () => timeOnce([bin, 'lesson', 'caching'])],
  ['backend-tutor progress', () => timeOnce([bin, 'progress'])],
  [`backend-tutor progress, ${REVIEWS.toLocaleString('en-US')}-review log`, () => timeOnce([bin, 'progress'], { BACKEND_TUTOR_HOME: bigHome })],
  ['quiz: first question on screen (pty)', async () => ({ wall: await firstQuestionOnce() })],
];
const results = new Map(cases.map(([name]) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, fn] of cases) results.get(name).push(await fn());
}

const floorRuns = results.get('node -e 0 (the floor)');
const floor = { wall: med(floorRuns, 'wall'), cpu: med(floorRuns, 'cpu'), rss: med(floorRuns, 'rss') };
console.log(`node ${process.version}, ${RUNS} interleaved runs each; medians (min–max), ratios to node -e 0\n`);
console.log(`${'figure'.padEnd(46)} ${'wall ms'.padStart(17)} ${'ratio'.padStart(6)} ${'cpu ratio'.padStart(9)} ${'peak MB'.padStart(8)}`);
for (const [name, runs] of results) {
  const w = stats(runs.map((r) => r.wall));
  const cpu = runs[0].cpu === undefined ? '' : `${(med(runs, 'cpu') / floor.cpu).toFixed(2)}×`;
  const rss = runs[0].rss === undefined ? '' : `${med(runs, 'rss').toFixed(0)} (${(med(runs, 'rss') / floor.rss).toFixed(1)}×)`;
  const range = `${w.median.toFixed(0)} (${w.min.toFixed(0)}–${w.max.toFixed(0)})`;
  console.log(`${name.padEnd(46)} ${range.padStart(17)} ${`${(w.median / floor.wall).toFixed(2)}×`.padStart(6)} ${cpu.padStart(9)} ${rss.padStart(8)}`);
}

const sessionBench = await bundle('bench-session');
const session = JSON.parse(spawnSync(process.execPath, [sessionBench], { encoding: 'utf8' }).stdout);
console.log(`\nbuilding a session over ${session.cards.toLocaleString('en-US')} cards (in-process): median ${session.medianMs.toFixed(1)} ms (min ${session.minMs.toFixed(1)}, max ${session.maxMs.toFixed(1)})`);
rmSync(home, { recursive: true, force: true });
