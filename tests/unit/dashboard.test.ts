import { describe, expect, it } from 'vitest';
import { sectionFor, sections } from '../../src/content/sections.js';
import { countAnswer } from '../../src/srs/days.js';
import { forecast, heatmap, leeches, longestStreak, timeStudiedMs, trueRetention } from '../../src/srs/dashboard.js';
import { dayKey } from '../../src/srs/stats.js';
import type { DayStats } from '../../src/srs/types.js';
import { card, question } from '../helpers/fixtures.js';

const now = new Date(2026, 10, 22, 15, 0); // a Sunday
const day = (n: number) => new Date(2026, 10, 22 + n, 12, 0);

function history(offsets: number[]): Record<string, DayStats> {
  const d: Record<string, DayStats> = {};
  for (const o of offsets) countAnswer(d, card({ state: 2, scheduled_days: o % 2 ? 30 : 3 }), o % 3 ? 3 : 1, day(o), 60_000);
  return d;
}

describe('dashboard numbers', () => {
  it('finds the longest streak anywhere in the history', () => {
    expect(longestStreak(history([-40, -39, -38, -37, -10, -9, 0]))).toBe(4);
    expect(longestStreak({})).toBe(0);
  });

  it('lays out 26 weeks, Monday first, ending today', () => {
    const weeks = heatmap(history([0, -1, -7]), now);
    expect(weeks).toHaveLength(26);
    expect(weeks.slice(0, 25).every((w) => w.length === 7)).toBe(true);
    const last = weeks[25]!;
    expect(last.at(-1)).toEqual({ date: dayKey(now), reviews: 1 });
    expect(last[0]!.date).toBe('2026-11-16');
    expect(weeks.flat().filter((c) => c.reviews > 0)).toHaveLength(3);
  });

  it('forecasts due cards per day, overdue counted today', () => {
    const cards = {
      a: card({ due: new Date(2026, 10, 1).toISOString() }),
      b: card({ due: day(0).toISOString() }),
      c: card({ due: day(3).toISOString() }),
      d: card({ due: day(30).toISOString() }),
      e: card({ state: 0, due: day(0).toISOString() }),
    };
    const f = forecast(cards, now);
    expect(f).toHaveLength(14);
    expect(f.map((x) => x.due)).toEqual([2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('computes true retention for young and mature reviews in the window', () => {
    const d = history([0, -1, -2, -3, -4, -5, -40]);
    const young = trueRetention(d, now, 'young');
    const mature = trueRetention(d, now, 'mature');
    expect(young.reviews + mature.reviews).toBe(6);
    expect(mature).toEqual({ reviews: 3, passed: 2, rate: 2 / 3 });
    expect(timeStudiedMs(d)).toBe(7 * 60_000);
  });

  it('lists leeches, most forgotten first', () => {
    expect(leeches({ a: card({ lapses: 8 }), b: card({ lapses: 2 }), c: card({ lapses: 11 }) })).toEqual([
      { cardId: 'c', lapses: 11 },
      { cardId: 'a', lapses: 8 },
    ]);
  });

  it('points a weak card at the lesson section that teaches it', () => {
    const body = '# T\n\n## Caching basics\n\nTTL and eviction.\n\n## Thundering herd\n\nSingle-flight and jitter stop a herd of misses.\n\n## In the interview\n\nthundering herd herd herd';
    expect(sections(body).map((s) => s.title)).toEqual(['Caching basics', 'Thundering herd']);
    expect(sectionFor(question('x', { tags: ['single-flight'], prompt: 'What stops the herd?' } as never), body)).toBe('Thundering herd');
  });
});
