// Development: run labs/<id>.ts before it is registered or built, exactly as `backend-tutor lab` would.
//   node scripts/lab-dev.mjs <id> [--seed n] [--json] [--param name=value ...]
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { positionals, values } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string' }, json: { type: 'boolean' }, param: { type: 'string', multiple: true } } });
const id = positionals[0];
if (!id) {
  console.error('usage: node scripts/lab-dev.mjs <id> [--seed n] [--json] [--param name=value ...]');
  process.exit(2);
}
const params = Object.fromEntries((values.param ?? []).map((p) => [p.split('=')[0], Number(p.split('=')[1])]));
const cache = join(root, 'node_modules', '.cache', 'backend-tutor');
mkdirSync(cache, { recursive: true });
// Per process: two runs of one lab with different parameters must not share a bundle.
const entry = join(cache, `lab-dev-${id}-${process.pid}.ts`);
const abs = (p) => JSON.stringify(join(root, p));
writeFileSync(
  entry,
  `import * as lab from ${abs(`labs/${id}.ts`)};
import { runLab } from ${abs('src/labs/runner.ts')};
import { jsonLabPrinter, textLabPrinter } from ${abs('src/render/lab-printer.ts')};
import { terminalLabPrompts } from ${abs('src/render/lab-prompts.ts')};
import { createTheme, wantsColor } from ${abs('src/render/theme.ts')};
const json = ${Boolean(values.json)};
const theme = createTheme(wantsColor(undefined, process.stdout));
const width = () => (process.stdout.isTTY ? process.stdout.columns - 1 : 80);
const write = (s: string) => void process.stdout.write(s);
const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !json;
const stop = new AbortController();
process.on('SIGINT', () => stop.abort());
const info = { id: ${JSON.stringify(id)}, title: ${JSON.stringify(id)}, topic: '?', summary: '', tags: [], params: ${JSON.stringify(Object.entries(params).map(([name, v]) => ({ name, description: '', default: v, min: v, max: v })))}, load: async () => lab };
const seed = ${Number(values.seed ?? 1)};
const observations = await runLab(info, { out: json ? jsonLabPrinter(write, info.id) : textLabPrinter(write, theme, width), seed, params: ${JSON.stringify(params)}, signal: stop.signal, ...(interactive ? { prompts: terminalLabPrompts(write, theme, width) } : {}) });
if (json) write(JSON.stringify({ lab: info.id, type: 'result', seed, observations }) + '\\n');
`,
);
const out = join(cache, `lab-dev-${id}-${process.pid}.mjs`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, external: ['sql.js'], logLevel: 'warning', banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" } });
try {
  await import(pathToFileURL(out).href);
} finally {
  for (const f of [entry, out]) rmSync(f, { force: true });
}
