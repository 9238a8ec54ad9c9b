/** The architecture's boundaries, kept true by reading the import graph and the code itself. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const all = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'labs'))];
const rel = (p: string) => relative(ROOT, p);
const source = new Map(all.map((f) => [rel(f), readFileSync(f, 'utf8')]));

function imports(file: string): string[] {
  const text = source.get(file)!;
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => rel(resolve(dirname(join(ROOT, file)), m[1]!.replace(/\.js$/, '.ts'))));
}

/** Code without its string and template literals: snippets that labs run in a child may print. */
const codeOnly = (text: string) => text.replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");

const inDir = (dir: string) => [...source.keys()].filter((f) => f.startsWith(dir));

describe('module boundaries', () => {
  it('keeps the core (content, quiz, srs) pure: no terminal, store, commands or process exit', () => {
    for (const file of [...inDir('src/content/'), ...inDir('src/quiz/'), ...inDir('src/srs/')]) {
      for (const dep of imports(file)) {
        expect(dep, `${file} imports ${dep}`).not.toMatch(/^src\/(render|commands|app|store)\//);
      }
      const text = source.get(file)!;
      expect(text, file).not.toMatch(/process\.(exit|stdout|stderr|stdin)|console\.(log|error|warn)/);
      expect(text, file).not.toMatch(/from 'chalk'|@inquirer/);
    }
  });

  it('lets only render/ and commands/ (and app/ glue) write to the terminal', () => {
    for (const [file, text] of source) {
      if (/^src\/(render|commands|app)\//.test(file) || file === 'src/cli.ts') continue;
      expect(codeOnly(text), file).not.toMatch(/console\.(log|error|warn|info)|process\.(stdout|stderr)\.write/);
    }
  });

  it('touches the progress file only through store/', () => {
    for (const [file, text] of source) {
      if (file.startsWith('src/store/')) continue;
      expect(text, file).not.toMatch(/lowdb|steno|progress\.json/);
    }
  });

  it('keeps commands lazy: cli.ts never imports a command or lab module statically', () => {
    const cli = imports('src/cli.ts');
    expect(cli.filter((d) => /src\/commands\/(?!index|types)/.test(d) || d.startsWith('labs/'))).toEqual([]);
    const registry = source.get('src/commands/index.ts')!;
    expect(registry).not.toMatch(/^import .* from '\.\/(?!types)/m);
  });

  it('has one file per command, each registered', () => {
    const registry = source.get('src/commands/index.ts')!;
    const commandFiles = inDir('src/commands/').map((f) => f.replace('src/commands/', '').replace('.ts', '')).filter((n) => !['index', 'types'].includes(n));
    for (const name of commandFiles) expect(registry, name).toContain(`import('./${name}.js')`);
  });

  it('never evaluates text as code outside the labs, and starts processes only in labs', () => {
    // Content (and a learner's own deck) is data: nothing in the CLI compiles or runs it.
    for (const [file, text] of source) {
      if (file.startsWith('labs/')) continue;
      const code = codeOnly(text);
      expect(code, file).not.toMatch(/\beval\s*\(|new Function\s*\(|from 'node:vm'|require\('vm'\)/);
      if (!file.startsWith('src/labs/')) expect(code, file).not.toMatch(/node:child_process|node:worker_threads/);
    }
  });

  it('has one file per lab, each in the registry', () => {
    const registry = source.get('src/labs/registry.ts')!;
    for (const f of inDir('labs/')) expect(registry).toContain(`import('../../${f.replace('.ts', '.js')}')`);
  });
});
