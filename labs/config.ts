/**
 * Lab: layered configuration. A small app is written to a temp dir with a config.json next to it, then run
 * as real child processes with different environment variables and flags. Defaults < file < env < flags,
 * every value's source reported; a schema validates at start-up and the app exits non-zero before doing
 * any work; secrets are redacted from its log and its errors. A naive app shows the coercion pitfalls and
 * the leaks, measured in its own output.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapCode } from '../src/labs/lab-code-wrap.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

/** The app under test (plain ESM, runs in the child). Its "work" appends its pid to work.log. */
const APP = String.raw`import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The schema: type, bounds, default, where each key is read from, and whether it is a secret.
const SCHEMA = {
  port:        { type: 'int', min: 1, max: 65535, default: 3000, env: 'PORT', flag: '--port' },
  host:        { type: 'string', default: '127.0.0.1', env: 'HOST', flag: '--host' },
  logLevel:    { type: 'enum', values: ['debug', 'info', 'warn', 'error'], default: 'info', env: 'LOG_LEVEL', flag: '--log-level' },
  databaseUrl: { type: 'url', required: true, secret: true, env: 'DATABASE_URL', flag: '--database-url' },
  apiKey:      { type: 'string', required: true, secret: true, env: 'API_KEY', flag: '--api-key' },
  featureX:    { type: 'bool', default: false, env: 'FEATURE_X', flag: '--feature-x' },
  timeoutMs:   { type: 'int', min: 1, max: 600000, default: 5000, env: 'TIMEOUT_MS', flag: '--timeout-ms' },
};

const redact = (key, v) => {
  if (v === undefined || !SCHEMA[key]?.secret) return v;
  const s = String(v);
  // A URL keeps its shape with the password masked; any other secret is replaced entirely.
  if (SCHEMA[key].type === 'url' && /^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
  return '[redacted, ' + s.length + ' chars]';
};
const show = (key, v) => JSON.stringify(redact(key, v));

function coerce(key, s, raw) {
  if (s.type === 'int') {
    const ok = typeof raw === 'number' ? Number.isInteger(raw) : /^\d+$/.test(String(raw).trim());
    if (!ok) return { error: 'expected an integer, got ' + show(key, raw) };
    const n = Number(raw);
    if (n < s.min || n > s.max) return { error: 'expected ' + s.min + ' to ' + s.max + ', got ' + n };
    return { value: n };
  }
  if (s.type === 'bool') {
    if (typeof raw === 'boolean') return { value: raw };
    const v = String(raw).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return { value: true };
    if (['false', '0', 'no', 'off'].includes(v)) return { value: false };
    return { error: 'expected true/false/1/0/yes/no/on/off, got ' + show(key, raw) };
  }
  if (s.type === 'enum') return s.values.includes(raw) ? { value: raw } : { error: 'expected one of ' + s.values.join('|') + ', got ' + show(key, raw) };
  if (s.type === 'url') {
    try {
      new URL(String(raw));
      return { value: String(raw) };
    } catch {
      // Never pass the value on: URL's own error carries the input, password and all.
      return { error: 'invalid URL ' + show(key, raw) };
    }
  }
  return String(raw).trim() ? { value: String(raw) } : { error: 'must not be empty' };
}

const args = process.argv.slice(2);
const flag = (name) => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(name + '=')) return args[i].slice(name.length + 1);
  }
  return undefined;
};

const errors = [];
const layers = { default: {}, file: {}, env: {}, flag: {} };
const configPath = flag('--config') ?? process.env.CONFIG_FILE;
if (configPath) {
  try {
    layers.file = JSON.parse(readFileSync(configPath, 'utf8'));
    for (const k of Object.keys(layers.file)) if (!SCHEMA[k]) errors.push('config file: unknown key "' + k + '"');
  } catch (e) {
    errors.push('config file ' + configPath + ': ' + e.message);
  }
}
for (const [k, s] of Object.entries(SCHEMA)) {
  if ('default' in s) layers.default[k] = s.default;
  if (process.env[s.env] !== undefined) layers.env[k] = process.env[s.env];
  if (flag(s.flag) !== undefined) layers.flag[k] = flag(s.flag);
}

// Later layers win: defaults < file < environment < flags.
const ORDER = ['default', 'file', 'env', 'flag'];
const config = {};
const sources = {};
for (const [k, s] of Object.entries(SCHEMA)) {
  const from = ORDER.filter((l) => k in layers[l]).pop();
  const where = from === 'env' ? s.env : from === 'flag' ? s.flag : from === 'file' ? 'config.json ' + k : k;
  if (!from) {
    if (s.required) errors.push(s.env + ': required (config.json, env or ' + s.flag + ')');
    continue;
  }
  const r = coerce(k, s, layers[from][k]);
  if (r.error) errors.push(where + ' (' + from + '): ' + r.error);
  else {
    config[k] = r.value;
    sources[k] = from;
  }
}

if (errors.length) {
  console.error('config error: ' + errors.length + ' problem' + (errors.length === 1 ? '' : 's') + ', refusing to start');
  for (const e of errors) console.error('  ' + e);
  process.exit(78); // EX_CONFIG
}

const redactedLayers = Object.fromEntries(ORDER.map((l) => [l, Object.fromEntries(Object.entries(layers[l]).map(([k, v]) => [k, redact(k, v)]))]));
console.log('INFO config loaded ' + Object.entries(config).map(([k, v]) => k + '=' + redact(k, v)).join(' '));
console.log(JSON.stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k, redact(k, v)])), sources, layers: redactedLayers }));
// The work starts only after the whole config validated.
appendFileSync(join(dirname(fileURLToPath(import.meta.url)), 'work.log'), process.pid + '\n');
console.log('INFO work started');
`;

/** The same app written the quick way: process.env read where it is needed, no schema. */
const NAIVE = String.raw`import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = process.env.PORT || 3000;
console.log(JSON.stringify({
  'Boolean(process.env.FEATURE_X)': Boolean(process.env.FEATURE_X),
  "process.env.FEATURE_X ? 'on' : 'off'": process.env.FEATURE_X ? 'on' : 'off',
  'port + 1': port + 1,
  'Number(process.env.TIMEOUT_MS)': Number(process.env.TIMEOUT_MS),
  'parseInt(process.env.RETRIES)': parseInt(process.env.RETRIES, 10),
}));
console.log('INFO connecting to ' + process.env.DATABASE_URL);
const db = new URL(process.env.DATABASE_URL);
appendFileSync(join(dirname(fileURLToPath(import.meta.url)), 'work.log'), process.pid + '\n');
console.log('INFO work started, database host ' + db.host);
`;

interface ChildRun {
  readonly label: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The app appended its pid to work.log: it got past start-up. */
  readonly didWork: boolean;
  readonly ms: number;
}

interface Layers {
  readonly default: Record<string, string | number | boolean>;
  readonly file: Record<string, string | number | boolean>;
  readonly env: Record<string, string | number | boolean>;
  readonly flag: Record<string, string | number | boolean>;
}

interface Loaded {
  readonly config: Record<string, string | number | boolean>;
  readonly sources: Record<string, string>;
  readonly layers: Layers;
}

const KEYS = ['port', 'host', 'logLevel', 'databaseUrl', 'apiKey', 'featureX', 'timeoutMs'] as const;

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'backend-tutor-config-'));
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'app.mjs'), APP);
  writeFileSync(join(dir, 'naive.mjs'), NAIVE);
  writeFileSync(join(dir, 'work.log'), '');
  const fileConfig = { port: 8080, host: 'localhost', logLevel: 'debug', featureX: true };
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(fileConfig, null, 2)}\n`);

  // Seeded secrets, so a run is reproducible (real ones come from a secret manager, never from code).
  const pick = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(ctx.rng() * alphabet.length)]).join('');
  const password = pick(14, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789');
  const apiKey = `sk_live_${pick(24, '0123456789abcdef')}`;
  const databaseUrl = `postgres://app:${password}@db:5432/shop`;
  const badDatabaseUrl = `postgres://app:${password}@db:notaport/shop`;
  const secrets = [password, apiKey];

  const runChild = (label: string, script: string, env: Record<string, string>, args: readonly string[]): Promise<ChildRun> => {
    if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
    const start = performance.now();
    return new Promise((resolve, reject) => {
      // Only PATH and the variables of this scenario: the learner's own environment stays out.
      const child = execFile(
        process.execPath,
        [join(dir, script), ...args],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', CONFIG_FILE: join(dir, 'config.json'), ...env }, timeout: 10_000, signal: ctx.signal },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') return reject(error);
          const pid = String(child.pid);
          const didWork = readFileSync(join(dir, 'work.log'), 'utf8').split('\n').includes(pid);
          resolve({ label, exitCode: error ? Number(error.code) : 0, stdout, stderr, didWork, ms: performance.now() - start });
        },
      );
    });
  };
  /** Occurrences of a secret in what the child printed: what would reach the logs. */
  const leaks = (r: ChildRun, stream: 'stdout' | 'stderr' | 'both' = 'both') => {
    const text = stream === 'both' ? r.stdout + r.stderr : r[stream];
    return secrets.reduce((n, s) => n + text.split(s).length - 1, 0);
  };
  const showCmd = (env: Record<string, string>, args: readonly string[], script = 'app.mjs') =>
    [
      ...Object.entries(env).map(([k, v]) => `${k}=${v === '' ? "''" : k === 'DATABASE_URL' ? v.replace(password, '***') : k === 'API_KEY' ? 'sk_live_***' : v}`),
      `node ${script} ${args.join(' ')}`.trim(),
    ].join(' \\\n  ');

  out.say(
    'A small app with a config schema (port, host, logLevel, databaseUrl, apiKey, featureX, timeoutMs) is written to a temp dir next to a config.json, then started as real child processes with different environments and flags. The secrets below are generated for this run and shown masked.',
  );

  // Every child starts at once; the lab reports them in order.
  const goodEnv = { PORT: '9090', DATABASE_URL: databaseUrl, API_KEY: apiKey, FEATURE_X: 'false' };
  const goodArgs = ['--log-level=warn', '--port', '9443'];
  const badPortEnv = { ...goodEnv, PORT: 'abc' };
  const missingEnv = { PORT: '9090', API_KEY: apiKey, FEATURE_X: 'false', LOG_LEVEL: 'verbose' };
  const badUrlEnv = { ...goodEnv, DATABASE_URL: badDatabaseUrl };
  const naiveEnv = { PORT: '8080', FEATURE_X: 'false', TIMEOUT_MS: '', RETRIES: '3x', DATABASE_URL: badDatabaseUrl };
  const [good, badPort, missing, badUrl, naiveBadUrl, schemaSameEnv] = await Promise.all([
    runChild('layered', 'app.mjs', goodEnv, goodArgs),
    runChild('PORT=abc', 'app.mjs', badPortEnv, []),
    runChild('missing DATABASE_URL', 'app.mjs', missingEnv, []),
    runChild('bad DATABASE_URL', 'app.mjs', badUrlEnv, []),
    runChild('naive', 'naive.mjs', naiveEnv, []),
    runChild('schema, same env', 'app.mjs', { ...naiveEnv, API_KEY: apiKey }, []),
  ]);

  // --- 1. Layers ---------------------------------------------------------------------------------------------
  out.heading('1. Four layers: defaults < file < environment < flags');
  out.code(`$ cat config.json\n${JSON.stringify(fileConfig, null, 2)}\n$ ${showCmd(goodEnv, goodArgs)}`);
  const jsonLine = good.stdout.split('\n').find((l) => l.startsWith('{'));
  if (good.exitCode !== 0 || !jsonLine) throw new Error(`the app did not start: ${good.stderr}`);
  const loaded = JSON.parse(jsonLine) as Loaded;
  const order = ['default', 'file', 'env', 'flag'] as const;
  const cell = (v: string | number | boolean | undefined, max = 22) => {
    const s = typeof v === 'string' ? v : String(v);
    return s.length > max ? `${s.slice(0, max - 3)}...` : s;
  };
  out.table([
    ['key', 'default', 'final value', 'from', 'overrode'],
    ...KEYS.map((k) => {
      const from = loaded.sources[k] ?? '';
      const lower = order.slice(1, order.indexOf(from as (typeof order)[number])).filter((l) => k in loaded.layers[l]);
      return [k, k in loaded.layers.default ? cell(loaded.layers.default[k], 9) : '-', cell(loaded.config[k], 20), from, lower.map((l) => `${l} ${cell(loaded.layers[l][k], 10)}`).join(', ')];
    }),
  ]);
  const fromCounts = Object.fromEntries(order.map((l) => [l, Object.values(loaded.sources).filter((s) => s === l).length]));
  out.step(
    `Exit ${good.exitCode}; ${order.map((l) => `${fromCounts[l]} from ${l}`).join(', ')}`,
    `Each key takes its value from the highest layer that sets it.${
      loaded.sources.featureX === 'env' && loaded.layers.file.featureX === true
        ? ` The file says featureX true; FEATURE_X="false" from the environment overrides it and is parsed to ${String(loaded.config.featureX)}.`
        : ''
    } Env and flag values arrive as strings; port came out as a ${typeof loaded.config.port} because the schema converted it.`,
    { exitCode: good.exitCode, sources: { ...loaded.sources }, didWork: good.didWork },
  );
  out.say('What the app logged at start-up:');
  out.code(wrapCode(good.stdout.split('\n').filter((l) => l.startsWith('INFO')).join('\n'), 76, 5));
  out.figure('secrets in its stdout and stderr', leaks(good), `the app ran in ${Math.round(good.ms)} ms`);

  // --- 2. Fail fast ------------------------------------------------------------------------------------------
  out.heading('2. Validation at start-up: fail before doing any work');
  const failing = [
    { r: badPort, env: badPortEnv },
    { r: missing, env: missingEnv },
    { r: badUrl, env: badUrlEnv },
  ];
  for (const { r, env } of failing) {
    const changed = Object.fromEntries(Object.entries(env).filter(([k, v]) => (goodEnv as Record<string, string>)[k] !== v || !(k in goodEnv)));
    const missingKeys = Object.keys(goodEnv).filter((k) => !(k in env));
    const problems = r.stderr.trim().split('\n').length - 1;
    out.code(wrapCode(`$ ${showCmd(changed, [])}${missingKeys.length ? `   # ${missingKeys.join(', ')} not set` : ''}\n${r.stderr.trimEnd()}\n$ echo $?\n${r.exitCode}`, 76, 4));
    out.step(
      `${r.label}: exit ${r.exitCode}, work started: ${r.didWork ? 'yes' : 'no'}, secrets in output: ${leaks(r)}`,
      r.label === 'missing DATABASE_URL'
        ? `${problems} problem${problems === 1 ? '' : 's'} reported in one go, so a broken deploy is fixed in one round trip; the process stops before it touches anything.`
        : r.label === 'bad DATABASE_URL'
          ? "The error names the key and shows the value with the password masked: the schema's message, never the URL parser's, which carries the raw input."
          : 'The error names the variable, the layer it came from and the bad value; the process exits with 78 (EX_CONFIG) before doing anything, so an orchestrator sees a failed start, not a half-working service.',
      { label: r.label, exitCode: r.exitCode, didWork: r.didWork, leaks: leaks(r) },
    );
  }

  // --- 3. The naive way ------------------------------------------------------------------------------------
  out.heading('3. Reading process.env directly: coercion pitfalls and leaks');
  let guess: number | undefined;
  if (ctx.prompts) guess = await ctx.prompts.predictChoice('FEATURE_X=false is set. What does `process.env.FEATURE_X ? "on" : "off"` give?', ['"off"', '"on"']);
  out.code(`$ ${showCmd(naiveEnv, [], 'naive.mjs')}`);
  const naiveValues = JSON.parse(naiveBadUrl.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, string | number | boolean | null>;
  out.table([['expression in naive.mjs', 'value'], ...Object.entries(naiveValues).map(([expr, v]) => [expr, v === null ? 'NaN' : JSON.stringify(v)])]);
  const onOff = String(naiveValues["process.env.FEATURE_X ? 'on' : 'off'"]);
  if (guess !== undefined) out.say((guess === 1) === (onOff === 'on') ? 'Your prediction matched what Node printed.' : `Node printed "${onOff}".`);
  out.step(
    `FEATURE_X="false" is "${onOff}" when read as a truthy string`,
    `Environment variables are always strings, and every non-empty string is truthy; the schema in part 1 parsed the same "false" as ${String(loaded.config.featureX)}. PORT is a string too, so + concatenates; Number("") is 0, not an error; parseInt stops at the first non-digit.`,
    { values: naiveValues, schemaFeatureX: loaded.config.featureX ?? null },
  );
  const crashLog = leaks(naiveBadUrl, 'stdout');
  const crashErr = leaks(naiveBadUrl, 'stderr');
  out.say('Then naive.mjs logs the database URL it uses and crashes on it:');
  out.code(
    wrapCode(
      `${[...naiveBadUrl.stdout.split('\n').filter((l) => l.startsWith('INFO')), ...naiveBadUrl.stderr.split('\n').filter((l) => /TypeError|code:|input:/.test(l)).map((l) => l.trim())].join('\n')}`,
      76,
      4,
    ),
  );
  out.step(
    `Naive app: secrets in stdout ${crashLog}, in stderr ${crashErr}`,
    `${crashLog ? 'It logs the connection string it uses' : 'Its log line carried no secret'}${crashErr ? ', and the uncaught TypeError from new URL() printed its input, password included, to stderr' : '; the crash report printed none'}: both go wherever the logs go. Exit ${naiveBadUrl.exitCode}, work started: ${naiveBadUrl.didWork ? 'yes' : 'no'}.`,
    { crashStdout: crashLog, crashStderr: crashErr, exitCode: naiveBadUrl.exitCode },
  );

  out.say('The schema app, started with the same environment (plus the API_KEY it requires):');
  out.code(wrapCode(`${schemaSameEnv.stderr.trimEnd() || schemaSameEnv.stdout.trimEnd()}\n$ echo $?\n${schemaSameEnv.exitCode}`, 76, 4));
  const schemaProblems = schemaSameEnv.stderr.trim().split('\n').length - 1;
  const refusedNames = schemaSameEnv.stderr
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(' ')[0]!);
  out.step(
    `Schema app: exit ${schemaSameEnv.exitCode}, ${schemaProblems} problems, work started: ${schemaSameEnv.didWork ? 'yes' : 'no'}`,
    `Each bad input is refused by name at start-up (${refusedNames.join(', ') || 'none'}), with the password masked, where the naive app turned them into silent wrong values or a crash with a leak. FEATURE_X and PORT are fine once parsed: part 1 read "false" as ${String(loaded.config.featureX)} and the port as a number; RETRIES is not in the schema, so it is ignored.`,
    { exitCode: schemaSameEnv.exitCode, problems: schemaProblems, didWork: schemaSameEnv.didWork, leaks: leaks(schemaSameEnv) },
  );

  out.takeaways([
    'Layer configuration explicitly (defaults < file < environment < flags) and be able to say where each value came from.',
    'Validate the whole config with a schema at start-up and exit non-zero with every problem listed, before any work starts.',
    'Environment variables are strings: "false" is truthy and PORT + 1 is "80801". Parse once, into typed values.',
    'Mark secrets in the schema and redact them in logs and errors; never log raw env values or pass them to error messages.',
  ]);

  return {
    exitCodes: { layered: good.exitCode, badPort: badPort.exitCode, missing: missing.exitCode, badUrl: badUrl.exitCode, naiveBadUrl: naiveBadUrl.exitCode },
    didWork: { layered: good.didWork, badPort: badPort.didWork, missing: missing.didWork, badUrl: badUrl.didWork, naive: naiveBadUrl.didWork },
    sources: { ...loaded.sources },
    config: { ...loaded.config },
    errors: {
      badPort: badPort.stderr.trim().split('\n').slice(1).map((l) => l.trim()),
      missing: missing.stderr.trim().split('\n').slice(1).map((l) => l.trim()),
      badUrl: badUrl.stderr.trim().split('\n').slice(1).map((l) => l.trim()),
    },
    leaks: { layered: leaks(good), badPort: leaks(badPort), missing: leaks(missing), badUrl: leaks(badUrl), naiveStdout: crashLog, naiveStderr: crashErr },
    schemaSameEnv: { exitCode: schemaSameEnv.exitCode, didWork: schemaSameEnv.didWork, errors: schemaSameEnv.stderr.trim().split('\n').slice(1).map((l) => l.trim()) },
    naive: naiveValues,
    passwordLength: password.length,
  };
}
