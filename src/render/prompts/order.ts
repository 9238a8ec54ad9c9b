/** Put items in order by picking them one after another; Backspace takes the last pick back. */
import { createPrompt, isBackspaceKey, isDownKey, isEnterKey, isSpaceKey, isUpKey, useKeypress, useState } from '@inquirer/core';
import type { Theme } from '../theme.js';
import { wrap } from '../text.js';
import { digitIndex, isQuitKey, QUIT, type Key, type PromptContext, type Quit } from './keys.js';
import { SKIP, type Skip } from '../../util/quit.js';
import { isSkipKey, timedHint, useClock, type Timed } from './timed.js';

export interface OrderConfig extends Timed {
  /** The values returned, in the order picked. */
  readonly items: readonly string[];
  /** How each item is shown (styled); defaults to the item itself. */
  readonly labels?: readonly string[];
  readonly width: number;
  readonly theme: Theme;
}

const prompt = createPrompt<readonly string[] | Quit | Skip, OrderConfig>((config, done) => {
  const { items, theme: t, width } = config;
  const label = (i: number) => config.labels?.[i] ?? items[i]!;
  const [picked, setPicked] = useState<readonly number[]>([]);
  const [cursor, setCursor] = useState(0);
  const [status, setStatus] = useState<'idle' | 'done' | 'quit' | 'skip'>('idle');
  useClock(config);
  const left = items.map((_, i) => i).filter((i) => !picked.includes(i));

  useKeypress((event, rl) => {
    const key = event as Key;
    rl.clearLine(0);
    if (isQuitKey(key)) {
      setStatus('quit');
      return done(QUIT);
    }
    if (isSkipKey(key, config)) {
      setStatus('skip');
      return done(SKIP);
    }
    if (isBackspaceKey(key) || key.name === 'u') {
      setPicked(picked.slice(0, -1));
      return;
    }
    if (left.length === 0) {
      if (isEnterKey(key)) {
        setStatus('done');
        done(picked.map((i) => items[i]!));
      }
      return;
    }
    const pick = (pos: number) => {
      const next = [...picked, left[pos]!];
      setPicked(next);
      setCursor(Math.min(pos, left.length - 2 < 0 ? 0 : left.length - 2));
    };
    if (isUpKey(key) || key.name === 'k') setCursor((cursor - 1 + left.length) % left.length);
    else if (isDownKey(key) || key.name === 'j') setCursor((cursor + 1) % left.length);
    else if (isEnterKey(key) || isSpaceKey(key)) pick(Math.min(cursor, left.length - 1));
    else {
      const d = digitIndex(key);
      if (d >= 0 && d < left.length) pick(d);
    }
  });

  if (status === 'quit') return t.dim('(left the session)');
  if (status === 'skip') return t.dim('(skipped)');
  const line = (prefix: string, text: string, pad: number) =>
    wrap(text, Math.max(20, width - pad), '').map((l, j) => (j === 0 ? `${prefix}${l}` : `${' '.repeat(pad)}${l}`));
  const out: string[] = [];
  out.push(t.dim(status === 'done' ? 'Your order:' : `Your order so far (${picked.length}/${items.length}):`));
  picked.forEach((i, n) => out.push(...line(`  ${t.accent(`${n + 1}.`)} `, label(i), 5)));
  if (status === 'done') return out.join('\n');
  if (left.length) {
    out.push(t.dim(`Pick what comes ${ordinal(picked.length + 1)}:`));
    left.forEach((i, pos) => {
      const here = pos === Math.min(cursor, left.length - 1);
      out.push(...line(`${here ? t.accent(t.symbols.pointer) : ' '} ${pos + 1}. `, here ? t.bold(label(i)) : label(i), 5));
    });
    out.push(timedHint('↑↓ choose · Enter pick · Backspace undo · q quit', config, t));
  } else {
    out.push(timedHint('Enter answer · Backspace undo · q quit', config, t));
  }
  return out.join('\n');
});

/** Only a prompt asked with `skip: true` can return SKIP. */
export function orderPrompt(config: OrderConfig & { skip: true }, context?: PromptContext): Promise<readonly string[] | Quit | Skip>;
export function orderPrompt(config: OrderConfig & { skip?: false }, context?: PromptContext): Promise<readonly string[] | Quit>;
export function orderPrompt(config: OrderConfig, context?: PromptContext): Promise<readonly string[] | Quit | Skip> {
  return prompt(config, context);
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
