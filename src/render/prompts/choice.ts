/** Pick one (or tick several) of a list: arrows or j/k, digits jump, space ticks, Enter answers, q/Esc leave. */
import { createPrompt, isDownKey, isEnterKey, isSpaceKey, isUpKey, useKeypress, useState } from '@inquirer/core';
import type { Theme } from '../theme.js';
import { truncate, wrap } from '../text.js';
import { digitIndex, isQuitKey, QUIT, type Key, type PromptContext, type Quit } from './keys.js';
import { SKIP, type Skip } from '../../util/quit.js';
import { isSkipKey, timedHint, useClock, type Timed } from './timed.js';

export interface ChoiceConfig extends Timed {
  readonly options: readonly string[];
  readonly multi: boolean;
  readonly width: number;
  readonly theme: Theme;
  /** Shown under the list. */
  readonly hint?: string;
  /** Label for the answer line once done. */
  readonly doneLabel?: string;
  /** Options shown at once; a longer list scrolls with the cursor (menus of every lab or topic). */
  readonly pageSize?: number;
}

const prompt = createPrompt<readonly number[] | Quit | Skip, ChoiceConfig>((config, done) => {
  const { options, multi, theme: t, width } = config;
  const [cursor, setCursor] = useState(0);
  const [ticked, setTicked] = useState<readonly number[]>([]);
  const [status, setStatus] = useState<'idle' | 'done' | 'quit' | 'skip'>('idle');
  const [answer, setAnswer] = useState<readonly number[]>([]);
  useClock(config);

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
    const n = options.length;
    const toggle = (i: number) => setTicked(ticked.includes(i) ? ticked.filter((x) => x !== i) : [...ticked, i].sort((a, b) => a - b));
    if (isEnterKey(key)) {
      const picked = multi ? ticked : [cursor];
      setAnswer(picked);
      setStatus('done');
      return done(picked);
    }
    if (isUpKey(key) || key.name === 'k') setCursor((cursor - 1 + n) % n);
    else if (isDownKey(key) || key.name === 'j') setCursor((cursor + 1) % n);
    else if (multi && isSpaceKey(key)) toggle(cursor);
    else {
      const d = digitIndex(key);
      if (d >= 0 && d < n) {
        setCursor(d);
        if (multi) toggle(d);
      }
    }
  });

  if (status !== 'idle') {
    const label = config.doneLabel ?? 'Your answer';
    if (status === 'quit') return t.dim('(left the session)');
    if (status === 'skip') return t.dim('(skipped)');
    // One pick reads best as its text; several as their numbers.
    const text = answer.length === 1 && !multi ? `${answer[0]! + 1}. ${(options[answer[0]!] ?? '').split('\n')[0]}` : answer.length ? answer.map((i) => `${i + 1}`).join(', ') : 'none';
    return `${t.dim(`${label}:`)} ${t.accent(truncate(text, Math.max(10, width - label.length - 2)))}`;
  }
  const lines: string[] = [];
  const pad = multi ? 8 : 6; // pointer, space, [box, space,] "N. "
  const page = Math.max(3, config.pageSize ?? options.length);
  const first = Math.min(Math.max(0, cursor - Math.floor(page / 2)), Math.max(0, options.length - page));
  if (first > 0) lines.push(t.dim(`  ↑ ${first} more`));
  options.forEach((opt, i) => {
    if (i < first || i >= first + page) return;
    const here = i === cursor;
    const box = multi ? `${ticked.includes(i) ? t.ok('◉') : '◯'} ` : '';
    const head = `${here ? t.accent(t.symbols.pointer) : ' '} ${box}${i + 1}. `;
    wrap(opt, Math.max(20, width - pad), '').forEach((l, j) => {
      const text = here ? t.bold(l) : l;
      lines.push(j === 0 ? `${head}${text}` : `${' '.repeat(pad)}${text}`);
    });
  });
  const below = options.length - first - page;
  if (below > 0) lines.push(t.dim(`  ↓ ${below} more`));
  const keys = multi ? 'space/digit tick · Enter answer · q quit' : '↑↓/digit choose · Enter answer · q quit';
  lines.push(timedHint(config.hint ?? keys, config, t));
  return lines.join('\n');
});

/** Options a menu shows at once in a terminal `rows` high, leaving room for what is above it. */
export const menuPageSize = (rows: number): number => Math.max(5, rows - 8);

/** Only a prompt asked with `skip: true` can return SKIP. */
export function choicePrompt(config: ChoiceConfig & { skip: true }, context?: PromptContext): Promise<readonly number[] | Quit | Skip>;
export function choicePrompt(config: ChoiceConfig & { skip?: false }, context?: PromptContext): Promise<readonly number[] | Quit>;
export function choicePrompt(config: ChoiceConfig, context?: PromptContext): Promise<readonly number[] | Quit | Skip> {
  return prompt(config, context);
}
