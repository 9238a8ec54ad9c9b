import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

export const BIN = join(ROOT, 'bin', 'backend-tutor.cjs');

/** Run the built CLI the way a user's shell would, in a pipe (no TTY). */
export function cli(args: readonly string[], opts: { home: string; input?: string; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: opts.home, BACKEND_TUTOR_HOME: join(opts.home, 'data'), ...opts.env };
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, input: opts.input ?? '', timeout: 30_000 });
}
