// Build: bundle the CLI (one entry, lazy chunks per command and lab) and compile the content index.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');
// Built beside dist/ and swapped in at the end: a CLI running meanwhile never finds dist/ half-written.
const next = join(root, `dist.next-${process.pid}`);
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Bundled CommonJS packages (commander) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __btCreateRequire } from 'node:module'; const require = __btCreateRequire(import.meta.url);" },
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // sql.js loads its .wasm from its own package directory, and the FSRS optimizer is a native module
  // (optional: absent on platforms it does not support), so neither is bundled.
  external: ['sql.js', '@open-spaced-repetition/binding'],
};

rmSync(next, { recursive: true, force: true });
await build({
  ...common,
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: next,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  sourcemap: 'linked',
  metafile: false,
});

// The content compiler runs at build time only; bundle it to a scratch file and run it.
const cache = join(root, 'node_modules', '.cache', 'backend-tutor');
mkdirSync(cache, { recursive: true });
const compiler = join(cache, 'write-index.mjs');
await build({ ...common, absWorkingDir: root, entryPoints: ['src/content/write-index.ts'], outfile: compiler });
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
const written = result.index.topics.filter((t) => t.written).length;
const questions = result.index.topics.reduce((n, t) => n + t.questions, 0);
console.log(`built dist/: ${written}/${result.index.topics.length} lessons, ${questions} questions, ${result.drills.length} design drills`);
