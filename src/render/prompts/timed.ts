/** Interview extras shared by the prompts: Tab passes on a question, and a clock that ticks in the hint line. */
import { useEffect, useState } from '@inquirer/core';
import type { Theme } from '../theme.js';
import type { Key } from './keys.js';

export interface Timed {
  /** Tab returns SKIP. */
  readonly skip?: boolean;
  /** The clock's text (e.g. "12:34 left"), redrawn every second. */
  readonly clock?: () => string;
}

export const isSkipKey = (key: Key, config: Timed): boolean => Boolean(config.skip) && key.name === 'tab';

/** Re-render every second while a clock is shown; the timer stops with the prompt. */
export function useClock(config: Timed): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!config.clock) return undefined;
    let n = 0;
    const timer = setInterval(() => setTick(++n), 1000);
    return () => clearInterval(timer);
  }, []);
}

/** The hint line with the clock in front and the skip key added. */
export function timedHint(hint: string, config: Timed, t: Theme): string {
  const keys = config.skip ? hint.replace(/ \u00b7 (q|Esc) quit$/, ' · Tab skip · $1 quit') : hint;
  return config.clock ? `${t.accent(config.clock())}  ${t.dim(keys)}` : t.dim(keys);
}
