/**
 * Custom decks: a learner's or a team's own lessons and question banks, in the course's formats, compiled when
 * the CLI starts and listed after the built-in topics. A broken file costs only itself: what compiles is used,
 * the rest is reported once, and the built-in course is never affected.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { settingsOf } from '../store/document.js';
import type { AppContext } from './context.js';

/** The deck to use: --content beats the content-dir setting. */
export async function customDeckDir(ctx: AppContext, flag: string | undefined): Promise<string | undefined> {
  if (flag) return resolve(flag);
  const dir = settingsOf(await ctx.store.read()).contentDir;
  return dir || undefined;
}

export async function loadCustomDeck(ctx: AppContext, dir: string): Promise<void> {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    ctx.io.error(`Custom deck ${dir} is not a folder; continuing with the built-in course only.`);
    return;
  }
  // The compiler (YAML, schemas) is loaded only when there is a deck to compile: it is most of the start-up cost.
  const [{ compileSources }, { formatProblem }] = await Promise.all([import('../content/write-index.js'), import('../content/compile.js')]);
  const result = compileSources(dir, true);
  ctx.content.addCustom(result);
  if (result.problems.length) {
    const first = formatProblem(result.problems[0]!);
    ctx.io.error(`Custom deck ${dir}: ${result.problems.length} problem(s), the broken parts are skipped (first: ${first}). Details: backend-tutor validate ${dir}`);
  }
}
