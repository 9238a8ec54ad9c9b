/**
 * The built CLI in a real pseudo-terminal (tmux): answer questions by reading the screen, as a learner would,
 * quit, and check what was saved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';
import { answer, ASKING, reviewLog, startCli as start } from '../helpers/quiz-screen.js';
import type { Terminal } from '../helpers/tmux.js';

const bank = JSON.parse(readFileSync(join(ROOT, 'dist', 'content', 'topics', 'caching.json'), 'utf8')).questions as unknown[];

let term: Terminal | undefined;
afterEach(() => term?.close());

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
    await t.waitFor(ASKING);
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
    await t.waitFor(ASKING);
    t.send('C-c');
    const screen = await t.waitFor(/EXIT=\d+/);
    expect(screen).toMatch(/Interrupted\. Every answer you gave is saved\./);
    expect(screen).toMatch(/EXIT=130/);
    expect(screen).not.toMatch(/^\s+at /m);
    expect(JSON.parse(cli(['progress', '--json'], { home }).stdout).reviews).toBe(1);
  }, 60_000);
});
