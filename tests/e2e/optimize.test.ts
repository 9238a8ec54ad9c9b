import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { simulatedLog } from '../helpers/simulated-learner.js';

function homeWithLog(cards: number): string {
  const home = tempDir();
  mkdirSync(join(home, 'data'));
  const { records } = simulatedLog(3, cards);
  writeFileSync(join(home, 'data', 'reviews.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return home;
}
const progress = (home: string) => JSON.parse(readFileSync(join(home, 'data', 'progress.json'), 'utf8'));

describe('backend-tutor optimize', () => {
  it('fits the learner, keeps the better parameters, recomputes the cards, and goes back on --revert', () => {
    const home = homeWithLog(300);
    const r = cli(['optimize', '--json'], { home, env: { TZ: 'UTC' } });
    expect(r.stderr).toBe('');
    const fit = JSON.parse(r.stdout);
    expect(fit).toMatchObject({ ok: true, kept: true, previous: null });
    expect(fit.after.logLoss).toBeLessThan(fit.before.logLoss);
    const doc = progress(home);
    expect(doc.settings.weights).toEqual(fit.weights);
    expect(Object.keys(doc.cards)).toHaveLength(300);
    const stabilityBefore = doc.cards['t/q0'].stability;

    const back = cli(['optimize', '--revert'], { home });
    expect(back.status).toBe(0);
    expect(back.stdout).toMatch(/default parameters/);
    const reverted = progress(home);
    expect(reverted.settings.weights).toBeUndefined();
    // Every card was recomputed with the defaults: its memory state differs from the fitted one.
    expect(reverted.cards['t/q0'].stability).not.toBe(stabilityBefore);
    expect(reverted.fits).toHaveLength(1);
  }, 120_000);

  it('explains that it needs several hundred reviews, and changes nothing', () => {
    const home = homeWithLog(5);
    const r = cli(['optimize'], { home });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/needs at least 400 reviews/);
    expect(() => progress(home)).toThrow();
  });
});
