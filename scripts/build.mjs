// Build: bundle the CLI (one CommonJS file, vendored libraries and labs beside it) and compile the content index.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');
// Built beside dist/ and swapped in at the end: a CLI running meanwhile never finds dist/ half-written.
const next = join(root, `dist.next-${process.pid}`);
// One CommonJS file for the CLI itself: Node's ES-module loader costs a third of `node -e 0` to start, and
// code split into chunks costs a module load per chunk. Inside the file, commands and what only they use are
// evaluated lazily (esbuild wraps each module in an init function), so `--help` evaluates little beyond
// commander. Large libraries that only some commands need are separate files, required on first use; labs
// are one file each. Neither holds state shared with the CLI, so they can be bundled apart from it.
const VENDORS = {
  marked: { file: 'marked', entry: "export * from 'marked';" },
  '@inquirer/core': { file: 'inquirer-core', entry: "export * from '@inquirer/core';" },
  yaml: { file: 'yaml', entry: "export * from 'yaml';" },
  valibot: { file: 'valibot', entry: "export * from 'valibot';" },
};
// sql.js loads its .wasm from its own package directory, and the FSRS optimizer is a native module
// (optional: absent on platforms it does not support), so neither is bundled.
const EXTERNAL = ['sql.js', '@open-spaced-repetition/binding'];

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  minify: true,
  // Pure ASCII output (esbuild escapes the rest; a test keeps regex literals ASCII too): Node reads it
  // into a one-byte string, cheaper to decode and to check against the code cache.
  charset: 'ascii',
  sourcemap: 'linked',
  external: EXTERNAL,
  define: { __VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__btMetaUrl' },
  banner: { js: 'const __btMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/** Bare imports of the vendored libraries, and the labs, resolved to their own files beside the CLI's. */
const splitApart = (fromDir) => ({
  name: 'split-apart',
  setup(b) {
    const vendored = new RegExp(`^(${Object.keys(VENDORS).map((k) => k.replace(/[/@.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter: vendored }, (a) => ({ path: `${fromDir}vendor/${VENDORS[a.path].file}.cjs`, external: true }));
    b.onResolve({ filter: /\/labs\/[a-z0-9-]+\.js$/ }, (a) =>
      a.importer.endsWith(join('src', 'labs', 'registry.ts')) ? { path: `${fromDir}labs/${a.path.split('/').pop().replace(/\.js$/, '.cjs')}`, external: true } : undefined,
    );
  },
});

/** commander requires child_process for external subcommands, which this CLI has none of: load it only if used. */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) => (a.importer.includes(`${join('node_modules', 'commander')}`) ? { path: 'lazy-child-process', namespace: 'bt' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'bt' }, () => ({
      contents: "let cp; module.exports = new Proxy({}, { get: (_, k) => (cp ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

/**
 * chalk's colour detection default-imports process, os and tty; bundled as CommonJS, each such import copies
 * every property of the module into a fresh object at start-up. The module object itself serves as well.
 */
const builtinDefaults = {
  name: 'builtin-defaults',
  setup(b) {
    b.onResolve({ filter: /^node:(process|os|tty)$/ }, (a) => (a.importer.includes(join('node_modules', 'chalk')) ? { path: a.path, namespace: 'bt-default' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'bt-default' }, (a) => ({ contents: `const m = require(${JSON.stringify(a.path)}); export default m;`, loader: 'js' }));
  },
};

/** wrap-ansi (inside @inquirer/core) measures words with a width function that is fast for plain ASCII. */
const asciiWidth = {
  name: 'ascii-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (a) => (a.importer.includes(join('node_modules', 'wrap-ansi')) ? { path: join(root, 'src', 'render', 'prompts', 'string-width-ascii.cjs') } : undefined));
  },
};

rmSync(next, { recursive: true, force: true });
const labIds = readdirSync(join(root, 'labs')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
await Promise.all([
  // import() of labs and the optimizer becomes require(): the bundle is run as a plain script (bin/backend-tutor.cjs).
  build({ ...common, absWorkingDir: root, entryPoints: ['src/cli.ts'], outfile: join(next, 'cli.cjs'), supported: { 'dynamic-import': false }, plugins: [splitApart('./'), lazyChildProcess, builtinDefaults] }),
  ...Object.values(VENDORS).map((v) => build({ ...common, stdin: { contents: v.entry, resolveDir: root, loader: 'js' }, outfile: join(next, 'vendor', `${v.file}.cjs`), plugins: [asciiWidth] })),
  ...labIds.map((id) => build({ ...common, absWorkingDir: root, entryPoints: [`labs/${id}.ts`], outfile: join(next, 'labs', `${id}.cjs`), plugins: [splitApart('../')] })),
]);

// The content compiler runs at build time only; bundle it to a scratch file and run it.
const cache = join(root, 'node_modules', '.cache', 'backend-tutor');
mkdirSync(cache, { recursive: true });
const compiler = join(cache, 'write-index.mjs');
await build({ ...common, format: 'esm', minify: false, sourcemap: false, define: { __VERSION__: '""' }, banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" }, absWorkingDir: root, entryPoints: ['src/content/write-index.ts'], outfile: compiler });
const { compileSources, writeIndex } = await import(pathToFileURL(compiler).href);
const result = compileSources(root);
if (result.problems.length) {
  for (const p of result.problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message}`);
  console.error(`\nContent has ${result.problems.length} problem(s); fix them and build again.`);
  rmSync(next, { recursive: true, force: true });
  process.exit(1);
}
writeIndex(result, join(next, 'content'));
// Two builds at once (an editor's and a test run's) each swap in a complete dist/; the last one wins.
for (let attempt = 0; ; attempt++) {
  rmSync(dist, { recursive: true, force: true });
  try {
    renameSync(next, dist);
    break;
  } catch (error) {
    if (attempt >= 20 || !['ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
  }
}
const warm = spawnSync(process.execPath, [join(root, 'scripts', 'warm-code-cache.cjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (warm.status !== 0) console.error('warning: no code cache written; the CLI starts slower but works');
const written = result.index.topics.filter((t) => t.written).length;
const questions = result.index.topics.reduce((n, t) => n + t.questions, 0);
console.log(`built dist/: ${written}/${result.index.topics.length} lessons, ${questions} questions, ${result.drills.length} design drills`);
