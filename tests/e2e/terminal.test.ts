/**
 * The built CLI in a real pseudo-terminal (tmux): answer questions by reading the screen, as a learner would,
 * quit, and check what was saved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompiledQuestion } from '../../src/content/types.js';
import { BIN, cli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';
import { shellQuote, Terminal } from '../helpers/tmux.js';

const bank = JSON.parse(readFileSync(join(ROOT, 'dist', 'content', 'topics', 'caching.json'), 'utf8')).questions as CompiledQuestion[];
const norm = (s: string) => s.replace(/[`*_]/g, '').replace(/\s+/g, ' ').trim();

/** The answers saved, from the review log beside the snapshot. */
const reviewLog = (home: string): { card: string; rating: number }[] =>
  readFileSync(join(home, 'data', 'reviews.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

let term: Terminal | undefined;
afterEach(() => term?.close());

function start(home: string, args: string): Terminal {
  const env = `BACKEND_TUTOR_HOME=${shellQuote(join(home, 'data'))} HOME=${shellQuote(home)}`;
  return new Terminal(`env ${env} ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args}; echo EXIT=$?; sleep 60`);
}

/** The question on screen: the last header, its prompt text and its options (number → text). */
function parse(screen: string) {
  const lines = screen.split('\n');
  const h = lines.map((l, i) => (/^── \d+ · /.test(l) ? i : -1)).filter((i) => i >= 0).pop();
  if (h === undefined) throw new Error(`no question on screen:\n${screen}`);
  const label = lines[h]!.split(' · ')[2]!;
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
  const question = bank.find((q) => norm(q.prompt).startsWith(text.slice(0, 60)));
  if (!question) throw new Error(`question not found for: ${text}`);
  return { label, question, options };
}

/** Answer the question on screen, rightly or wrongly, with the keys a learner would press. */
async function answer(t: Terminal, right: boolean): Promise<CompiledQuestion> {
  const { question: q, options } = parse(await t.waitFor(/Enter answer|Enter pick|Enter reveals/));
  const numberOf = (text: string) => [...options].find(([, o]) => norm(o) === norm(text))?.[0];
  switch (q.kind) {
    case 'single':
    case 'multi':
    case 'boolean':
    case 'output': {
      const texts =
        q.kind === 'boolean'
          ? [q.answer ? 'True' : 'False']
          : q.kind === 'output'
            ? [q.answer.join(' ')]
            : q.choices.filter((c) => c.correct).map((c) => c.text);
      if (q.kind === 'output' && options.size === 0) {
        t.type(right ? q.answer.join(' ') : 'no idea');
        t.send('Enter');
        break;
      }
      const correct = texts.map(numberOf);
      if (correct.some((n) => n === undefined)) throw new Error(`options not matched: ${JSON.stringify([...options])} vs ${JSON.stringify(texts)}`);
      const wrong = [...options.keys()].find((n) => !correct.includes(n))!;
      const picks = right ? (correct as number[]) : [wrong];
      for (const n of picks) t.send(String(n));
      t.send('Enter');
      break;
    }
    case 'order': {
      for (const item of right ? q.items : []) {
        const s = await t.waitFor(/Pick what comes/);
        const remaining = parse(s).options;
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

describe('a quiz in a real terminal', () => {
  it('answers three questions, quits with q, and the progress file holds exactly those answers', async () => {
    const home = tempDir();
    term = start(home, '--no-color quiz --topic caching --seed 7');
    const t = term;
    await t.waitFor(/questions in this session/);

    const first = await answer(t, true);
    let screen = await t.waitFor(/Next review in|Comes back in/);
    expect(screen).toMatch(/✔ Right/);
    expect(screen).toMatch(/Next review in \d+ days?\./);
    t.send('Enter');

    const second = await answer(t, false);
    screen = await t.waitFor(/Comes back in 10 minutes, later in this session\./);
    expect(screen).toMatch(/✘ Not quite|Self-graded: Again/);
    t.send('Enter');

    const third = await answer(t, true);
    await t.waitFor(/Enter next/);
    t.send('q');
    screen = await t.waitFor(/EXIT=\d+/);
    expect(screen).toMatch(/Session paused: 3 answered, 2 right/);
    expect(screen).toMatch(/EXIT=0/);

    const progress = JSON.parse(cli(['progress', '--json'], { home }).stdout);
    expect(progress.reviews).toBe(3);
    expect(progress.topics.find((x: { id: string }) => x.id === 'caching')).toMatchObject({ seen: 3, due: 0 });
    const saved = JSON.parse(readFileSync(join(home, 'data', 'progress.json'), 'utf8'));
    expect(reviewLog(home).map((r) => [r.card, r.rating])).toEqual([
      [first.cardId, 3],
      [second.cardId, 1],
      [third.cardId, 3],
    ]);
    expect(Object.keys(saved.cards).sort()).toEqual([first.cardId, second.cardId, third.cardId].sort());
  }, 60_000);

  it('takes a right answer to every kind of question, with the keys a learner uses', async () => {
    const home = tempDir();
    term = start(home, '--no-color quiz --topic caching --all --seed 11');
    const t = term;
    const kinds = new Set<string>();
    let asked = 0;
    while (kinds.size < 6 && asked < bank.length) {
      const q = await answer(t, true);
      asked++;
      kinds.add(q.kind);
      const screen = await t.waitFor(/Enter next/);
      expect(screen, q.cardId).toMatch(q.kind === 'recall' ? /Self-graded: Good/ : /✔ Right/);
      t.send('Enter');
    }
    expect([...kinds].sort()).toEqual(['boolean', 'multi', 'order', 'output', 'recall', 'single']);
    await t.waitFor(/Enter answer|Enter pick|Enter reveals/);
    t.send('Escape');
    await t.waitFor(/EXIT=0/);
    expect(reviewLog(home)).toHaveLength(asked);
    expect(reviewLog(home).every((r) => r.rating === 3)).toBe(true);
  }, 120_000);

  it('Ctrl-C in the middle of a question keeps earlier answers and exits 130 without a stack trace', async () => {
    const home = tempDir();
    term = start(home, '--no-color quiz --topic caching --seed 3');
    const t = term;
    await answer(t, true);
    await t.waitFor(/Enter next/);
    t.send('Enter');
    await t.waitFor(/Enter answer|Enter pick|Enter reveals/);
    t.send('C-c');
    const screen = await t.waitFor(/EXIT=\d+/);
    expect(screen).toMatch(/Interrupted\. Every answer you gave is saved\./);
    expect(screen).toMatch(/EXIT=130/);
    expect(screen).not.toMatch(/^\s+at /m);
    expect(JSON.parse(cli(['progress', '--json'], { home }).stdout).reviews).toBe(1);
  }, 60_000);
});
