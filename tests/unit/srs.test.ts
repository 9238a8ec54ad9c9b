import { describe, expect, it } from 'vitest';
import { applyRecord, resolveHistory, type DerivedState } from '../../src/srs/apply.js';
import { createScheduler } from '../../src/srs/scheduler.js';
import { countAnswer } from '../../src/srs/days.js';
import { currentStreak, dayKey, MASTERY_STABILITY_DAYS, todayCounts, topicStats, totalAnswers } from '../../src/srs/stats.js';
import type { Grade, LogRecord, ReviewRecord } from '../../src/srs/types.js';
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

describe('applying log records', () => {
  const review = (id: string, rating: Grade, at: Date, cardId = 'caching/x'): ReviewRecord => ({ id, card: cardId, rating, at: at.toISOString(), ms: 1000 });

  it('moves a card on and counts the answer in its day', () => {
    const state: DerivedState = { cards: {}, days: {} };
    const log: LogRecord[] = [review('1', 3, t0)];
    const r1 = applyRecord(state, log[0]!, s, () => log)!;
    expect(r1.before).toBeUndefined();
    expect(state.cards['caching/x']).toEqual(r1.after);
    expect(state.days[dayKey(t0)]).toEqual({ n: 1, ok: 1, ms: 1000, new: 1, rev: 0, young: [0, 0], mature: [0, 0] });
    log.push(review('2', 1, days(3)));
    const r2 = applyRecord(state, log[1]!, s, () => log)!;
    expect(r2.before).toEqual(r1.after);
    expect(state.days[dayKey(days(3))]).toMatchObject({ n: 1, ok: 0, new: 0, rev: 1, young: [1, 0] });
  });

  it('amends a rating from the live hint, or by rebuilding the card from the log: the same result', () => {
    const log: LogRecord[] = [review('1', 3, t0), review('other', 1, t0, 'caching/y'), review('2', 3, days(3))];
    const fast: DerivedState = { cards: {}, days: {} };
    const slow: DerivedState = { cards: {}, days: {} };
    let last;
    for (const r of log) {
      last = applyRecord(fast, r, s, () => log);
      applyRecord(slow, r, s, () => log);
    }
    const amend = { amend: '2', card: 'caching/x', rating: 4 as const, at: days(3).toISOString() };
    const withAmend = [...log, amend];
    applyRecord(fast, amend, s, () => { throw new Error('the hint should make the log unnecessary'); }, { before: last!.before, after: last!.after, rating: 3, reviewedAt: days(3).toISOString() });
    applyRecord(slow, amend, s, () => withAmend);
    expect(fast).toEqual(slow);
    expect(fast.cards['caching/x']).toEqual(s.replay(resolveHistory(withAmend, 'caching/x')));
    expect(resolveHistory(withAmend, 'caching/x').map((r) => r.rating)).toEqual([3, 4]);
  });

  it('undoes an answer from the live hint or from the log: back to exactly the state before it', () => {
    const log: LogRecord[] = [review('1', 3, t0), review('2', 1, days(3))];
    const fast: DerivedState = { cards: {}, days: {} };
    const slow: DerivedState = { cards: {}, days: {} };
    applyRecord(fast, log[0]!, s, () => log);
    applyRecord(slow, log[0]!, s, () => log);
    const expected = structuredClone(fast);
    const second = applyRecord(fast, log[1]!, s, () => log)!;
    applyRecord(slow, log[1]!, s, () => log);
    const undo = { undo: '2', card: 'caching/x', at: days(3).toISOString() };
    applyRecord(fast, undo, s, () => { throw new Error('not needed'); }, { before: second.before, after: second.after, rating: 1, reviewedAt: days(3).toISOString(), ms: 1000 });
    applyRecord(slow, undo, s, () => [...log, undo]);
    expect(fast.cards).toEqual(expected.cards);
    expect(slow.cards).toEqual(expected.cards);
    expect(fast.days[dayKey(days(3))]).toEqual({ n: 0, ok: 0, ms: 0, new: 0, rev: 0, young: [0, 0], mature: [0, 0] });
    expect(slow.days).toEqual(fast.days);
    expect(resolveHistory([...log, undo], 'caching/x').map((r) => r.id)).toEqual(['1']);
  });

  it('falls back to the log when another session answered the card in between', () => {
    const log: LogRecord[] = [review('1', 3, t0)];
    const state: DerivedState = { cards: {}, days: {} };
    const mine = applyRecord(state, log[0]!, s, () => log)!;
    log.push(review('theirs', 3, days(2)));
    applyRecord(state, log[1]!, s, () => log);
    const amend = { amend: '1', card: 'caching/x', rating: 2 as const, at: days(2).toISOString() };
    log.push(amend);
    applyRecord(state, amend, s, () => log, { before: mine.before, after: mine.after, rating: 3, reviewedAt: t0.toISOString() });
    expect(state.cards['caching/x']).toEqual(s.replay(resolveHistory(log, 'caching/x')));
    expect(applyRecord(state, { amend: 'missing', card: 'caching/x', rating: 2, at: t0.toISOString() }, s, () => log)).toBeUndefined();
  });
});

describe('stats', () => {
  const answered = (...dates: Date[]) => {
    const d = {};
    for (const at of dates) countAnswer(d, undefined, 3, at);
    return d;
  };

  it('counts a streak ending today, or yesterday when today has no review yet', () => {
    const d = answered(days(0), days(1), days(2));
    expect(currentStreak(d, days(2))).toBe(3);
    expect(currentStreak(d, days(3))).toBe(3);
    expect(currentStreak(d, days(4))).toBe(0);
    expect(currentStreak({}, days(0))).toBe(0);
    expect(totalAnswers(d)).toBe(3);
    expect(dayKey(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });

  it('separates new cards from reviews; learning steps count for neither limit', () => {
    const d = {};
    countAnswer(d, undefined, 1, days(0));
    countAnswer(d, card({ state: 1 }), 3, days(0));
    countAnswer(d, card({ state: 2, scheduled_days: 30 }), 3, days(0));
    countAnswer(d, card({ state: 2, scheduled_days: 3 }), 1, days(0));
    expect(todayCounts(d, days(0))).toEqual({ newCards: 1, reviews: 2 });
    expect(d[dayKey(days(0)) as keyof typeof d]).toMatchObject({ n: 4, ok: 2, young: [1, 0], mature: [1, 1] });
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
