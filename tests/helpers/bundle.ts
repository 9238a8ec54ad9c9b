import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './fixtures.js';

/** Bundle a small TypeScript program that imports the real source, so a plain `node` child can run it. */
export function bundleScript(name: string, source: string): string {
  const dir = tempDir(`bt-${name}-`);
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${name}.ts`);
  writeFileSync(entry, source.replaceAll('@src/', `${join(ROOT, 'src')}/`));
  const out = join(dir, `${name}.mjs`);
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'silent',
    external: ['sql.js'],
    banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
  });
  return out;
}
