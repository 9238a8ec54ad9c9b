/** 40 and 200 columns, NO_COLOR and TERM=dumb: every screen fits, and plain means plain. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { answer } from '../helpers/quiz-screen.js';
import { shellQuote, Terminal } from '../helpers/tmux.js';

let term: Terminal | undefined;
afterEach(() => term?.close());

function run(args: string, width: number, env = ''): Terminal {
  const home = tempDir();
  term?.close();
  term = new Terminal(`env BACKEND_TUTOR_HOME=${shellQuote(join(home, 'data'))} ${env} ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args}; echo EXIT=$?; sleep 60`, width, 40);
  return term;
}

/** Lines the program wrote longer than the terminal (tmux had to wrap them). */
const overlong = (t: Terminal) => t.screen(true).split('\n').filter((l) => [...l].length > t.width);

describe('a 40-column terminal', () => {
  it.each([['topics'], ['progress'], ['lab --list'], ['']])('backend-tutor %s fits', async (args) => {
    const t = run(args, 40);
    await t.waitFor(args === '' ? /q quit/ : /EXIT=0/);
    expect(overlong(t)).toEqual([]);
  });

  it('a lesson in the pager fits, page after page', async () => {
    const t = run('lesson http', 40);
    await t.waitFor(/more/);
    for (let i = 0; i < 6; i++) {
      expect(overlong(t)).toEqual([]);
      t.send('Space');
      await new Promise((r) => setTimeout(r, 150));
    }
  });

  it('a question and its feedback fit', async () => {
    const t = run('quiz --topic caching --seed 3', 40);
    await answer(t, false);
    await t.waitFor(/Enter next/);
    expect(overlong(t)).toEqual([]);
  });
});

describe('a 200-column terminal', () => {
  it('keeps lessons and questions at a readable measure', async () => {
    const t = run('quiz --topic http --seed 1', 200);
    const screen = await t.waitFor(/Enter answer|Enter pick|Enter reveals/);
    expect(Math.max(...screen.split('\n').map((l) => l.trimEnd().length))).toBeLessThanOrEqual(100);
  });
});

describe('plain terminals', () => {
  it('NO_COLOR: no colour codes, the quiz still works', async () => {
    const t = run('quiz --topic caching --seed 3', 80, 'NO_COLOR=1');
    await t.waitFor(/Enter answer|Enter pick|Enter reveals/);
    expect(t.screen()).toBeTruthy();
    const raw = t.tmux('capture-pane', '-p', '-e', '-t', 'main');
    expect(raw).not.toMatch(/\u001b\[3\dm/);
  });

  it('TERM=dumb: lessons print plainly, quizzes explain what they need (exit 2)', async () => {
    const t = run('lesson caching', 80, 'TERM=dumb');
    await t.waitFor(/EXIT=0/);
    const q = run('quiz', 80, 'TERM=dumb');
    const screen = await q.waitFor(/EXIT=\d+/);
    expect(screen).toMatch(/EXIT=2/);
    expect(screen.replace(/\s+/g, ' ')).toMatch(/needs a terminal that can move its cursor \(TERM is "dumb"\)/);
  });
});
