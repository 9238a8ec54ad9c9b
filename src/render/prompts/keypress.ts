/** Wait for one of a few keys (Enter included); the line shows what each does. */
import { createPrompt, isEnterKey, useKeypress, useState } from '@inquirer/core';
import type { Theme } from '../theme.js';
import { QUIT, type Key, type PromptContext, type Quit } from './keys.js';

export interface KeyChoice<T> {
  /** A single character, or 'enter'. */
  readonly key: string;
  readonly label: string;
  readonly value: T;
}

export interface KeyConfig<T> {
  readonly message: string;
  readonly choices: readonly KeyChoice<T>[];
  readonly theme: Theme;
  /** Whether q and Esc leave (returning QUIT). */
  readonly quit: boolean;
}

function keypressView<T>(config: KeyConfig<T>, done: (v: T | Quit) => void): string {
  const { theme: t } = config;
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  useKeypress((event, rl) => {
    const key = event as Key;
    rl.clearLine(0);
    if (config.quit && (key.name === 'escape' || (key.name === 'q' && !key.ctrl))) {
      setChosen('quit');
      return done(QUIT);
    }
    const pressed = isEnterKey(key) ? 'enter' : (key.sequence ?? key.name ?? '').toLowerCase();
    const choice = config.choices.find((c) => c.key === pressed);
    if (choice) {
      setChosen(choice.label);
      done(choice.value);
    }
  });
  if (chosen !== undefined) return `${config.message}${config.message ? ' ' : ''}${t.dim(chosen === 'quit' ? '(leaving)' : chosen)}`;
  const keys = config.choices.map((c) => `${t.bold(c.key === 'enter' ? 'Enter' : c.key)} ${c.label}`);
  if (config.quit) keys.push(`${t.bold('q')} quit`);
  return `${config.message}${config.message ? '\n' : ''}${t.dim(keys.join(' · '))}`;
}

const prompt = createPrompt<unknown, KeyConfig<unknown>>(keypressView);

export function keyPrompt<T>(config: KeyConfig<T>, context?: PromptContext): Promise<T | Quit> {
  return prompt(config, context) as Promise<T | Quit>;
}
