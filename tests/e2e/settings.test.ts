/** Settings, reset and the progress screen, through the built CLI. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schedulingApplier } from '../../src/app/context.js';
import { ProgressStore } from '../../src/store/progress-store.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('backend-tutor config', () => {
  const home = tempDir();
  it.each([
    ['desired-retention', '2.0', /desired-retention takes a number from 0\.70 to 0\.99/],
    ['desired-retention', '0.5', /from 0\.70 to 0\.99/],
    ['new-per-day', '-1', /whole number from 0 to 9999/],
    ['learning-steps', 'soon', /intervals like "10m"/],
    ['shuffle', 'maybe', /on or off/],
    ['retention', '0.9', /There is no setting "retention"/],
    ['content-dir', '/no/such/folder', /must be an existing folder/],
  ])('refuses %s %s with a clear message and exit 2', (name, value, message) => {
    const r = cli(['config', name, value], { home });
    expect(r.status).toBe(2);
    expect(flat(r.stderr)).toMatch(message);
  });

  it('sets, reads and resets a value, and lists everything as JSON', () => {
    expect(cli(['config', 'new-per-day', '7'], { home }).status).toBe(0);
    expect(cli(['config', 'new-per-day'], { home }).stdout.trim()).toBe('7');
    expect(JSON.parse(cli(['config', '--json'], { home }).stdout)).toMatchObject({ 'new-per-day': 7, 'desired-retention': 0.9 });
    expect(cli(['config', 'new-per-day', '--reset'], { home }).stdout).toMatch(/20 \(the default\)/);
    expect(cli(['config'], { home }).stdout).toMatch(/new-per-day +20/);
  });
});

describe('backend-tutor reset', () => {
  it('asks first; in a script it needs --yes, and it backs up before it deletes', () => {
    const home = tempDir();
    cli(['lab', 'token-bucket', '--json'], { home });
    const refused = cli(['reset'], { home });
    expect(refused.status).toBe(2);
    expect(flat(refused.stderr)).toMatch(/add --yes/);
    const done = cli(['reset', '--yes'], { home });
    expect(done.status).toBe(0);
    const backups = readdirSync(join(home, 'data', 'backups'));
    expect(backups).toHaveLength(1);
    expect(existsSync(join(home, 'data', 'backups', backups[0]!, 'progress.json'))).toBe(true);
  });
});

describe('backend-tutor progress', () => {
  it('shows weak spots (leeches) with the lesson section to re-read, and the series in --json', async () => {
    const home = tempDir();
    const store = new ProgressStore(join(home, 'data'), schedulingApplier());
    // Learnt, then forgotten nine times: a leech.
    let t = Date.parse('2026-09-01T10:00:00Z');
    for (let i = 0; i < 9; i++) {
      for (const rating of [3, 3, 1] as const) {
        await store.append({ id: `r${i}-${rating}-${t}`, card: 'caching/thundering-herd-size', rating, at: new Date(t).toISOString(), ms: 5000 });
        t += 4 * 86_400_000;
      }
    }
    const json = JSON.parse(cli(['progress', '--json'], { home }).stdout);
    expect(json.reviews).toBe(27);
    expect(json.timeStudiedMs).toBe(27 * 5000);
    expect(json.heatmap.length).toBeGreaterThan(150);
    expect(json.forecast).toHaveLength(14);
    expect(json.leeches).toEqual([{ cardId: 'caching/thundering-herd-size', lapses: expect.any(Number), topic: 'caching', section: expect.any(String) }]);
    expect(json.leeches[0].lapses).toBeGreaterThanOrEqual(8);
    const text = cli(['progress'], { home }).stdout;
    expect(text).toMatch(/Reviews, last 26 weeks/);
    expect(text).toMatch(/Reviews due, next 14 days/);
    expect(flat(text)).toContain(`caching/thundering-herd-size (forgotten ${json.leeches[0].lapses} times): re-read "${json.leeches[0].section}" in \`backend-tutor lesson caching\``);
    expect(text).not.toMatch(/\u001b/);
  });
});
