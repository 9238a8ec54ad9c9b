/** The mock interview and a design drill, driven in a real terminal; then what the progress file kept. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { answer, ASKING, reviewLog, startCli } from '../helpers/quiz-screen.js';
import type { Terminal } from '../helpers/tmux.js';

let term: Terminal | undefined;
afterEach(() => term?.close());

const saved = (home: string) => JSON.parse(readFileSync(join(home, 'data', 'progress.json'), 'utf8'));

describe('backend-tutor interview', () => {
  it('asks against a clock, takes a skip, ends on q with a scorecard, and every answer is a review', async () => {
    const home = tempDir();
    term = startCli(home, '--no-color interview --minutes 5 --topics caching --seed 5');
    const t = term;
    await t.waitFor(/⏱ [45]:\d\d left/);
    const first = await answer(t, true);
    await t.waitFor(/── 2 · /);
    await t.waitFor(ASKING);
    t.send('Tab');
    await t.waitFor(/── 3 · /);
    const third = await answer(t, false);
    await t.waitFor(/── 4 · /);
    t.send('Escape');
    const screen = await t.waitFor(/EXIT=\d+/);
    expect(screen).toMatch(/EXIT=0/);
    expect(screen).toMatch(/Interview scorecard: \d+%/);
    expect(screen).toMatch(/3 questions in \d+:\d\d \(you stopped early\)/);
    expect(screen).toMatch(/Study next/);

    expect(reviewLog(home).map((r) => r.card)).toEqual([first.cardId, third.cardId]);
    const [card] = saved(home).interviews;
    expect(card.entries.map((e: { outcome: string }) => e.outcome)).toEqual(['right', 'skipped', expect.stringMatching(/wrong|right/)]);
    expect(card.entries[2].credit).toBeLessThan(1);
    expect(card.studyNext[0].topic).toBe('caching');

    const last = JSON.parse(cli(['interview', '--last', '--json'], { home }).stdout);
    expect(last.score).toBe(card.score);
    const progress = JSON.parse(cli(['progress', '--json'], { home }).stdout);
    expect(progress.interviews).toEqual([{ at: card.at, minutes: 5, asked: 3, score: Number(card.score.toFixed(4)) }]);
  }, 90_000);

  it('needs a terminal, and points a pipe at the last scorecard', () => {
    const r = cli(['interview'], { home: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/interview --last --json/);
  });
});

describe('backend-tutor drill', () => {
  it('runs a drill from prompt to rubric and keeps which points were covered', async () => {
    const home = tempDir();
    term = startCli(home, '--no-color drill url-shortener');
    const t = term;
    await t.waitFor(/Enter show the clarifying questions/);
    t.send('Enter');
    await t.waitFor(/Your design:/);
    t.type('base62 ids from a counter, 301 vs 302, cache the redirect path');
    t.send('Enter');
    await t.waitFor(/Model walkthrough/);
    t.send('q');
    await t.waitFor(/Which rubric points did your answer cover/);
    t.send('1', '3', 'Enter');
    const screen = await t.waitFor(/EXIT=\d+/);
    expect(screen).toMatch(/You covered 2 of \d+ rubric points/);
    expect(screen).toMatch(/re-read “.+” in .+: backend-tutor lesson [a-z-]+/);
    const attempt = saved(home).drills['url-shortener'][0];
    expect(attempt.covered).toEqual([0, 2]);
    expect(cli(['drill', '--list'], { home }).stdout).toMatch(/url-shortener .* last \d+%/);
  }, 60_000);

  it('prints a drill as a study sheet in a pipe, and suggests a near miss for a typo', () => {
    const home = tempDir();
    const sheet = cli(['drill', 'rate-limiter'], { home });
    expect(sheet.status).toBe(0);
    expect(sheet.stdout).toMatch(/Clarify first/);
    expect(sheet.stdout).toMatch(/Model walkthrough/);
    expect(sheet.stdout).toMatch(/Rubric/);
    const typo = cli(['drill', 'url-shortner'], { home });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/Did you mean "url-shortener"/);
  });
});
