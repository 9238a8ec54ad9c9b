/** One line of typed text; Enter answers, Esc leaves (q is a letter here, so it does not quit). */
import { createPrompt, isEnterKey, useKeypress, useState } from '@inquirer/core';
import type { Theme } from '../theme.js';
import { isQuitKey, QUIT, type Key, type Quit } from './keys.js';
import { SKIP, type Skip } from '../../util/quit.js';
import { isSkipKey, timedHint, useClock, type Timed } from './timed.js';
import { LineLimit } from './line-limit.js';
import { guarded } from './guard.js';
import { truncate } from '../text.js';

export interface TextConfig extends Timed {
  readonly message: string;
  readonly theme: Theme;
  readonly hint?: string;
  /** Longest accepted answer; longer pastes are cut, not choked on. */
  readonly maxLength?: number;
}

const textPrompt = createPrompt<string | Quit | Skip, TextConfig>((config, done) => {
  const { theme: t } = config;
  const [value, setValue] = useState('');
  const [status, setStatus] = useState<'idle' | 'done' | 'quit' | 'skip'>('idle');
  useClock(config);
  const max = config.maxLength ?? 2000;

  useKeypress((event, rl) => {
    const key = event as Key;
    if (isQuitKey(key, false)) {
      setStatus('quit');
      return done(QUIT);
    }
    if (isSkipKey(key, config)) {
      setStatus('skip');
      return done(SKIP);
    }
    if (isEnterKey(key)) {
      setStatus('done');
      return done(value);
    }
    if (rl.line.length > max) rl.line = rl.line.slice(0, max);
    setValue(rl.line);
  });

  if (status === 'quit') return `${config.message} ${t.dim('(left the session)')}`;
  if (status === 'skip') return `${config.message} ${t.dim('(skipped)')}`;
  if (status === 'done') return `${config.message} ${t.accent(truncate(value, 200))}`;
  return [`${config.message} ${value}`, timedHint(config.hint ?? 'Enter answer · Esc quit', config, t)];
});

export interface TextAnswer {
  readonly value: string | Quit | Skip;
  /** Characters cut from an over-long answer (a paste): worth telling the learner. */
  readonly dropped: number;
}

/** Ask for one line of text; what the terminal sends beyond the limit is dropped before readline sees it. */
export async function askText(config: TextConfig, tty: NodeJS.ReadStream = process.stdin, output?: NodeJS.WritableStream): Promise<TextAnswer> {
  const guard = new LineLimit(tty, config.maxLength ?? 2000);
  tty.pipe(guard);
  try {
    const value = await guarded(textPrompt(config, { input: guard as unknown as NodeJS.ReadableStream, ...(output ? { output } : {}) }));
    return { value, dropped: guard.dropped };
  } finally {
    tty.unpipe(guard);
    // The rest of a multi-line paste must not leak into the next prompt as keypresses.
    while (tty.read() !== null);
  }
}
