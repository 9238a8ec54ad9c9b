import { describe, expect, it } from 'vitest';
import { buildSession, interleave, requeuePosition, type SessionInput, lowest } from '../../src/quiz/session.js';
import { card, question } from '../helpers/fixtures.js';

const now = new Date('2026-03-01T12:00:00Z');
const qs = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => question(id, { difficulty: ((i % 3) + 1) as 1 | 2 | 3 }));

function input(over: Partial<SessionInput> = {}): SessionInput {
  return {
    questions: qs,
    cards: {
      // a and b are due; c is seen but not due; d, e, f are new
      't/a': card({ due: '2026-03-01T00:00:00Z', stability: 10 }),
      't/b': card({ due: '2026-02-20T00:00:00Z', stability: 2 }),
      't/c': card({ due: '2026-03-05T00:00:00Z' }),
    },
    now,
    mode: 'default',
    newLeft: 20,
    reviewsLeft: 200,
    retrievability: (c) => c.stability / 100,
    ...over,
  };
}

const ids = (xs: { id: string }[]) => xs.map((q) => q.id);

describe('buildSession', () => {
  it('asks due cards by lowest retrievability, interleaved with new cards by difficulty', () => {
    const s = buildSession(input());
    expect(ids(s).filter((id) => ['a', 'b'].includes(id))).toEqual(['b', 'a']);
    expect(ids(s).filter((id) => ['d', 'e', 'f'].includes(id))).toEqual(['d', 'e', 'f']);
    expect(ids(s)).not.toContain('c');
    expect(s).toHaveLength(5);
  });

  it('respects the daily limits unless a count is given', () => {
    expect(ids(buildSession(input({ newLeft: 1, reviewsLeft: 1 })))).toEqual(['b', 'd']);
    expect(buildSession(input({ newLeft: 0, reviewsLeft: 0 }))).toEqual([]);
    expect(buildSession(input({ newLeft: -3, reviewsLeft: 0 }))).toEqual([]);
    expect(buildSession(input({ count: 2 }))).toHaveLength(2);
  });

  it('supports --new, --due and --all', () => {
    expect(ids(buildSession(input({ mode: 'new' })))).toEqual(['d', 'e', 'f']);
    expect(ids(buildSession(input({ mode: 'due' })))).toEqual(['b', 'a']);
    expect(ids(buildSession(input({ mode: 'all' })))).toEqual(['b', 'a', 'c', 'd', 'e', 'f']);
    expect(ids(buildSession(input({ mode: 'new', count: 1 })))).toEqual(['d']);
  });

  it('treats a card in state New as new', () => {
    const s = buildSession(input({ cards: { 't/a': card({ state: 0 }) }, mode: 'new' }));
    expect(ids(s)).toContain('a');
  });
});

describe('interleave', () => {
  it('spreads the second list evenly through the first', () => {
    expect(interleave<number | string>([1, 2, 3, 4], ['a', 'b'])).toEqual([1, 2, 'a', 3, 4, 'b']);
    expect(interleave<string>([], ['a'])).toEqual(['a']);
    expect(interleave([1], [])).toEqual([1]);
    const mixed = interleave<number | string>(Array.from({ length: 10 }, (_, i) => i), ['x', 'y', 'z']);
    expect(mixed).toHaveLength(13);
    expect(mixed.filter((x) => typeof x === 'string')).toEqual(['x', 'y', 'z']);
  });
});

describe('requeuePosition', () => {
  it('brings back a card due within the learn-ahead window, a few questions later', () => {
    expect(requeuePosition(card({ due: '2026-03-01T12:10:00Z', state: 1 }), now, 10)).toBe(3);
    expect(requeuePosition(card({ due: '2026-03-01T12:10:00Z', state: 1 }), now, 1)).toBe(1);
    expect(requeuePosition(card({ due: '2026-03-03T12:00:00Z' }), now, 10)).toBe(-1);
  });
});

describe('lowest', () => {
  const items = [5, 3, 9, 3, 1, 7, 3, 8, 2, 6, 4, 0, 9, 5, 3, 1, 2, 8, 7, 6].map((score, id) => ({ score, id }));
  const bySort = (k: number) => [...items].sort((a, b) => a.score - b.score || a.id - b.id).slice(0, k);

  it('returns the k lowest, lowest first, ties in input order, whether it sorts or selects', () => {
    for (const k of [0, 1, 2, 3, 4, 5, 10, 20, 25]) expect(lowest(items, (x) => x.score, k)).toEqual(bySort(k));
  });
});
