import { describe, expect, it } from 'vitest';
import { amendReview, applyReview, type CardLog } from '../../src/srs/log.js';
import { createScheduler } from '../../src/srs/scheduler.js';
import { currentStreak, dayKey, MASTERY_STABILITY_DAYS, todayCounts, topicStats } from '../../src/srs/stats.js';
import type { Grade, ReviewRecord } from '../../src/srs/types.js';
import { DEFAULT_SETTINGS } from '../../src/store/document.js';
import { card } from '../helpers/fixtures.js';

const s = createScheduler(DEFAULT_SETTINGS);
const t0 = new Date('2026-03-01T09:00:00');
const days = (n: number) => new Date(t0.getTime() + n * 86_400_000);

describe('scheduler (ts-fsrs adapter)', () => {
  it('schedules a new card answered right days ahead, and a wrong one minutes ahead', () => {
    const good = s.next(undefined, 3, t0);
    expect(good.state).toBe(2);
    expect(Date.parse(good.due) - t0.getTime()).toBeGreaterThan(86_400_000);
    const again = s.next(undefined, 1, t0);
    expect(again.state).toBe(1);
    expect(Date.parse(again.due) - t0.getTime()).toBe(10 * 60_000);
  });

  it('stores dates as ISO strings and never the deprecated elapsed_days', () => {
    const c = s.next(undefined, 3, t0);
    expect(typeof c.due).toBe('string');
    expect(c.last_review).toBe(t0.toISOString());
    expect(Object.keys(c)).not.toContain('elapsed_days');
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('gives the same card from a replay of the log as from answering live (fuzz is seeded by the card)', () => {
    const ratings: Grade[] = [3, 3, 1, 3, 4, 2, 3];
    let live = undefined as ReturnType<typeof s.next> | undefined;
    const log: Pick<ReviewRecord, 'rating' | 'at'>[] = [];
    let at = t0;
    for (const r of ratings) {
      live = s.next(live, r, at);
      log.push({ rating: r, at: at.toISOString() });
      at = new Date(Date.parse(live.due) + 3_600_000);
    }
    expect(s.replay(log)).toEqual(live);
    expect(s.replay([...log].reverse())).toEqual(live);
  });

  it('previews all four ratings; harder ratings never come back later than easier ones', () => {
    const c = s.next(s.next(undefined, 3, t0), 3, days(3));
    const p = s.preview(c, days(10));
    const due = (g: Grade) => Date.parse(p[g].due);
    expect(due(1)).toBeLessThan(due(2));
    expect(due(2)).toBeLessThanOrEqual(due(3));
    expect(due(3)).toBeLessThanOrEqual(due(4));
  });

  it('reports retrievability: 0 for new cards, falling with time', () => {
    const c = s.next(undefined, 3, t0);
    expect(s.retrievability({ ...c, state: 0 }, t0)).toBe(0);
    expect(s.retrievability(c, days(1))).toBeGreaterThan(s.retrievability(c, days(30)));
  });
});

describe('review log', () => {
  const review = (id: string, rating: Grade, at: Date, cardId = 'caching/x'): ReviewRecord => ({ id, card: cardId, rating, at: at.toISOString() });

  it('appends answers and moves cards on', () => {
    const log: CardLog = { cards: {}, reviews: [] };
    const r1 = applyReview(log, review('1', 3, t0), s);
    expect(r1.before).toBeUndefined();
    expect(log.reviews).toHaveLength(1);
    const r2 = applyReview(log, review('2', 3, days(3)), s);
    expect(r2.before).toEqual(r1.after);
    expect(log.cards['caching/x']).toEqual(r2.after);
  });

  it('amends a rating by rebuilding the card from its log', () => {
    const log: CardLog = { cards: {}, reviews: [] };
    applyReview(log, review('1', 3, t0), s);
    applyReview(log, review('other', 1, t0, 'caching/y'), s);
    applyReview(log, review('2', 3, days(3)), s);
    const amended = amendReview(log, '2', 4, s);
    expect(log.reviews.find((r) => r.id === '2')?.rating).toBe(4);
    expect(amended).toEqual(s.replay([{ rating: 3, at: t0.toISOString() }, { rating: 4, at: days(3).toISOString() }]));
    expect(log.cards['caching/x']).toEqual(amended);
    expect(amendReview(log, 'missing', 4, s)).toBeUndefined();
  });
});

describe('stats', () => {
  const r = (at: Date, cardId = 'a/1'): ReviewRecord => ({ id: at.toISOString() + cardId, card: cardId, rating: 3, at: at.toISOString() });

  it('counts a streak ending today, or yesterday when today has no review yet', () => {
    const reviews = [r(days(0)), r(days(1)), r(days(2))];
    expect(currentStreak(reviews, days(2))).toBe(3);
    expect(currentStreak(reviews, days(3))).toBe(3);
    expect(currentStreak(reviews, days(4))).toBe(0);
    expect(currentStreak([], days(0))).toBe(0);
    expect(dayKey(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });

  it('separates new cards introduced today from reviews of older ones', () => {
    const reviews = [r(days(-2), 'a/old'), r(days(0), 'a/old'), r(days(0), 'a/new'), r(new Date(days(0).getTime() + 600_000), 'a/new')];
    expect(todayCounts(reviews, days(0))).toEqual({ newCards: 1, reviews: 1 });
  });

  it('computes seen, due and mastery per topic', () => {
    const cards = {
      't/a': card({ stability: MASTERY_STABILITY_DAYS, due: '2026-01-01T00:00:00Z' }),
      't/b': card({ stability: 3, due: '2099-01-01T00:00:00Z' }),
      't/c': card({ state: 0 }),
    };
    expect(topicStats('t', ['t/a', 't/b', 't/c', 't/d'], cards, new Date('2026-02-01'))).toEqual({ id: 't', total: 4, seen: 2, due: 1, mastery: 0.25 });
  });
});

describe('retrievability', () => {
  it('matches ts-fsrs get_retrievability on the revived card', async () => {
    const { fsrs, generatorParameters, TypeConvert } = await import('ts-fsrs');
    const f = fsrs(generatorParameters({ enable_fuzz: true, learning_steps: ['10m'], relearning_steps: ['10m'] }));
    let c = s.next(undefined, 3, t0);
    c = s.next(c, 3, days(4));
    for (const d of [5, 9, 30, 200]) {
      const reference = f.get_retrievability(TypeConvert.card({ ...c, elapsed_days: 0 }), days(d), false);
      expect(s.retrievability(c, days(d))).toBeCloseTo(reference, 6);
    }
  });
});
