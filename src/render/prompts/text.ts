/** One line of typed text; Enter answers, Esc leaves (q is a letter here, so it does not quit). */
import { createPrompt, isEnterKey, useKeypress, useState } from '@inquirer/core';
import type { Theme } from '../theme.js';
import { isQuitKey, QUIT, type Key, type Quit } from './keys.js';

export interface TextConfig {
  readonly message: string;
  readonly theme: Theme;
  readonly hint?: string;
  /** Longest accepted answer; longer pastes are cut, not choked on. */
  readonly maxLength?: number;
}

export const textPrompt = createPrompt<string | Quit, TextConfig>((config, done) => {
  const { theme: t } = config;
  const [value, setValue] = useState('');
  const [status, setStatus] = useState<'idle' | 'done' | 'quit'>('idle');
  const max = config.maxLength ?? 2000;

  useKeypress((event, rl) => {
    const key = event as Key;
    if (isQuitKey(key, false)) {
      setStatus('quit');
      return done(QUIT);
    }
    if (isEnterKey(key)) {
      setStatus('done');
      return done(value);
    }
    if (rl.line.length > max) rl.line = rl.line.slice(0, max);
    setValue(rl.line);
  });

  if (status === 'quit') return `${config.message} ${t.dim('(left the session)')}`;
  if (status === 'done') return `${config.message} ${t.accent(value)}`;
  return [`${config.message} ${value}`, t.dim(config.hint ?? 'Enter answer · Esc quit')];
});
