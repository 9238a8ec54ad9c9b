/** Driving the quiz in a real terminal the way a learner does: read the question off the screen, press keys. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledQuestion } from '../../src/content/types.js';
import { BIN } from './cli.js';
import { ROOT } from './fixtures.js';
import { shellQuote, Terminal } from './tmux.js';

const banks = new Map<string, CompiledQuestion[]>();
function bank(topic: string): CompiledQuestion[] {
  let b = banks.get(topic);
  if (!b) {
    b = JSON.parse(readFileSync(join(ROOT, 'dist', 'content', 'topics', `${topic}.json`), 'utf8')).questions as CompiledQuestion[];
    banks.set(topic, b);
  }
  return b;
}

const norm = (s: string) => s.replace(/[`*_]/g, '').replace(/\s+/g, ' ').trim();

/** Run the built CLI in a fresh terminal; the shell prints EXIT=<code> when it ends. */
export function startCli(home: string, args: string): Terminal {
  const env = `BACKEND_TUTOR_HOME=${shellQuote(join(home, 'data'))} HOME=${shellQuote(home)}`;
  return new Terminal(`env ${env} ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args}; echo EXIT=$?; sleep 60`);
}

/** The answers saved, from the review log. */
export const reviewLog = (home: string): { card: string; rating: number }[] =>
  readFileSync(join(home, 'data', 'reviews.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => 'id' in r);

/** The question on screen: its bank entry and its options (number → text). */
export function parse(screen: string, topic: string) {
  const lines = screen.split('\n');
  const h = lines.map((l, i) => (/^── \d+ · /.test(l) ? i : -1)).filter((i) => i >= 0).pop();
  if (h === undefined) throw new Error(`no question on screen:\n${screen}`);
  const prompt: string[] = [];
  let i = h + 1;
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) prompt.push(lines[i]!);
  const options = new Map<number, string>();
  let current = 0;
  for (; i < lines.length; i++) {
    const m = /^[❯ ] (?:[◉◯] )?(\d)\. (.*)$/.exec(lines[i]!);
    if (m) {
      current = Number(m[1]);
      options.set(current, m[2]!);
    } else if (current && /^ {6,8}\S/.test(lines[i]!)) {
      options.set(current, `${options.get(current)} ${lines[i]!.trim()}`);
    } else if (lines[i]!.trim()) current = 0;
  }
  const text = norm(prompt.join(' '));
  const question = bank(topic).find((q) => norm(q.prompt).startsWith(text.slice(0, 60)));
  if (!question) throw new Error(`question not found for: ${text}`);
  return { question, options };
}

export const ASKING = /Enter answer|Enter pick|Enter reveals/;

/** Answer the question on screen, rightly or wrongly, with the keys a learner would press. */
export async function answer(t: Terminal, right: boolean, topic = 'caching'): Promise<CompiledQuestion> {
  const { question: q, options } = parse(await t.waitFor(ASKING), topic);
  const numberOf = (text: string) => [...options].find(([, o]) => norm(o) === norm(text))?.[0];
  switch (q.kind) {
    case 'single':
    case 'multi':
    case 'boolean':
    case 'output': {
      if (q.kind === 'output' && options.size === 0) {
        t.type(right ? q.answer.join(' ') : 'no idea');
        t.send('Enter');
        break;
      }
      const texts = q.kind === 'boolean' ? [q.answer ? 'True' : 'False'] : q.kind === 'output' ? [q.answer.join(' ')] : q.choices.filter((c) => c.correct).map((c) => c.text);
      const correct = texts.map(numberOf);
      if (correct.some((n) => n === undefined)) throw new Error(`options not matched: ${JSON.stringify([...options])} vs ${JSON.stringify(texts)}`);
      const wrong = [...options.keys()].find((n) => !correct.includes(n))!;
      for (const n of right ? (correct as number[]) : [wrong]) t.send(String(n));
      t.send('Enter');
      break;
    }
    case 'order': {
      for (const item of right ? q.items : []) {
        const remaining = parse(await t.waitFor(/Pick what comes/), topic).options;
        const n = [...remaining].find(([, o]) => norm(o) === norm(item))?.[0];
        if (n === undefined) throw new Error(`item not on screen: ${item}`);
        t.send(String(n));
        await t.waitFor(new RegExp(`Your order so far \\(${q.items.indexOf(item) + 1}/`));
      }
      // Picking in the displayed (shuffled, never already solved) order is wrong.
      if (!right) for (let k = 0; k < q.items.length; k++) t.send('Enter');
      await t.waitFor(/Enter answer · Backspace undo/);
      t.send('Enter');
      break;
    }
    case 'recall': {
      t.send('Enter');
      await t.waitFor(/Which key points did your answer cover/);
      if (right) q.points.forEach((_, k) => t.send(String(k + 1)));
      t.send('Enter');
      break;
    }
  }
  return q;
}
