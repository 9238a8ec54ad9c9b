/**
 * Run a Node.js snippet in a fresh child process, as a file (so `module` decides CommonJS or ES module),
 * and return its stdout lines. The child is killed and the file removed on abort; a timeout bounds it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ModuleKind = 'cjs' | 'esm';

export interface SnippetRunner {
  run(code: string, module?: ModuleKind, timeoutMs?: number): Promise<string[]>;
  /** Kill running children and remove the scratch directory. */
  close(): void;
}

export function createSnippetRunner(signal?: AbortSignal): SnippetRunner {
  const dir = mkdtempSync(join(tmpdir(), 'backend-tutor-'));
  let n = 0;
  return {
    run(code, module = 'cjs', timeoutMs = 10_000) {
      const file = join(dir, `snippet-${++n}.${module === 'esm' ? 'mjs' : 'cjs'}`);
      writeFileSync(file, code);
      return new Promise((resolve, reject) => {
        // `signal` kills the child if the lab is aborted (Ctrl-C).
        execFile(process.execPath, [file], { timeout: timeoutMs, signal, env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
          if (error) reject(new Error(`snippet failed: ${error.message}${stderr ? `\n${stderr}` : ''}`));
          else resolve(stdout.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1));
        });
      });
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
