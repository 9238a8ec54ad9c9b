/** Key handling shared by the prompts: what quits, what a digit means. */
import type { KeypressEvent } from '@inquirer/core';

export type Key = KeypressEvent & { sequence?: string; shift?: boolean };

export { QUIT, type Quit } from '../../util/quit.js';

export const isQuitKey = (key: Key, allowQ = true): boolean => key.name === 'escape' || (allowQ && key.name === 'q' && !key.ctrl);

/** 1-9 → 0-8, else -1. */
export function digitIndex(key: Key): number {
  const d = Number(key.sequence ?? key.name);
  return Number.isInteger(d) && d >= 1 && d <= 9 ? d - 1 : -1;
}

/** Where a prompt reads and writes (stdin/stdout unless a test or pager says otherwise). */
export interface PromptContext {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  readonly signal?: AbortSignal;
}
