/**
 * Ctrl-C anywhere: exit 130, no stack trace, the terminal restored (normal screen, cursor shown), answers
 * saved. q/Esc leave normally (exit 0).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { answer } from '../helpers/quiz-screen.js';
import { shellQuote, Terminal } from '../helpers/tmux.js';

let term: Terminal | undefined;
afterEach(() => term?.close());

function start(args: string, home = tempDir()): { t: Terminal; home: string } {
  const env = `BACKEND_TUTOR_HOME=${shellQuote(join(home, 'data'))} HOME=${shellQuote(home)}`;
  term?.close(); // a test that starts a second terminal is done with the first
  term = new Terminal(`env ${env} ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args}; echo EXIT=$?; sleep 60`);
  return { t: term, home };
}

/** Answer questions correctly (so none come back) until `pattern` is on screen. */
async function advanceTo(t: Terminal, pattern: RegExp, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    const screen = await t.waitFor(/Enter answer|Enter pick|Enter reveals|Enter done|Enter next/);
    const bottom = screen.trimEnd().split('\n').slice(-14).join('\n');
    if (pattern.test(bottom)) return;
    // A recall card is walked step by step (reveal, then key points): each step may be the target.
    if (/Enter next|Enter reveals|none ticked is fine/.test(bottom)) t.send('Enter');
    else {
      await answer(t, true);
      await t.waitFor(/Enter next/);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never reached ${pattern}:\n${t.screen()}`);
}

async function expectInterrupted(t: Terminal): Promise<string> {
  t.send('C-c');
  const screen = await t.waitFor(/EXIT=\d+/);
  expect(screen).toMatch(/EXIT=130/);
  expect(screen).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)/m);
  expect(t.state()).toEqual({ alternate: false, cursorVisible: true });
  return screen;
}

describe('Ctrl-C in every kind of prompt', () => {
  it.each([
    ['a choice', /↑↓\/digit choose · Enter answer/],
    ['an order question', /Pick what comes/],
    ['a recall answer being typed', /Enter reveals the model answer/],
    ['the key points of a recall card', /none ticked is fine/],
    ['the feedback after an answer', /Enter next/],
  ])('%s', async (_what, pattern) => {
    const { t, home } = start('quiz --topic caching --all --seed 2');
    await t.waitFor(/questions in this session/);
    await advanceTo(t, pattern);
    const answeredBefore = JSON.parse(cli(['progress', '--json'], { home }).stdout).reviews;
    const screen = await expectInterrupted(t);
    expect(screen).toMatch(/Every answer you gave is saved/);
    expect(JSON.parse(cli(['progress', '--json'], { home }).stdout).reviews).toBe(answeredBefore);
  }, 90_000);
});

describe('Ctrl-C outside the quiz', () => {
  it('in the lesson pager: the alternate screen is left and the cursor shown again', async () => {
    const { t } = start('lesson caching');
    await t.waitFor(/space\/↓ more/);
    expect(t.state().alternate).toBe(true);
    await expectInterrupted(t);
  });

  it('at the study prompt and in the home menu', async () => {
    for (const args of ['study', '']) {
      const { t } = start(args);
      await t.waitFor(/q quit/);
      await expectInterrupted(t);
      t.close();
    }
  });

  it('in a mock interview with its clock ticking, and while typing a design drill', async () => {
    const { t, home } = start('interview --minutes 5 --topics caching --seed 3');
    await t.waitFor(/⏱ \d+:\d\d left/);
    await answer(t, true);
    await t.waitFor(/── 2 · /);
    expect(await expectInterrupted(t)).toMatch(/Every answer you gave is saved/);
    expect(JSON.parse(cli(['progress', '--json'], { home }).stdout).reviews).toBe(1);
    t.close();
    const drill = start('drill rate-limiter');
    await drill.t.waitFor(/clarifying questions/);
    drill.t.send('Enter');
    await drill.t.waitFor(/Your design:/);
    drill.t.type('token bucket in Redis');
    await expectInterrupted(drill.t);
  }, 60_000);

  it('during a lab prediction and while a lab runs: nothing is left listening', async () => {
    const { t } = start('lab thundering-herd --seed 1 --concurrency 1500');
    await t.waitFor(/Predict:/);
    t.send('3', 'Enter');
    await t.waitFor(/Plain cache-aside/);
    await expectInterrupted(t);
    const first = start('lab event-loop --seed 1');
    await first.t.waitFor(/Predict:/);
    await expectInterrupted(first.t);
  });
});

describe('q and Esc leave normally', () => {
  it('q in the quiz and Esc in the pager exit 0 with the terminal restored', async () => {
    const { t } = start('quiz --topic caching --seed 2');
    await t.waitFor(/Enter answer/);
    t.send('q');
    expect(await t.waitFor(/EXIT=\d+/)).toMatch(/EXIT=0/);
    t.close();
    const lesson = start('lesson caching');
    await lesson.t.waitFor(/space\/↓ more/);
    lesson.t.send('Escape');
    expect(await lesson.t.waitFor(/EXIT=\d+/)).toMatch(/EXIT=0/);
    expect(lesson.t.state()).toEqual({ alternate: false, cursorVisible: true });
  });
});
