import { describe, expect, it } from 'vitest';
import { grade, recallRating, typedMatches } from '../../src/quiz/grade.js';
import { present } from '../../src/quiz/present.js';
import { question } from '../helpers/fixtures.js';

const single = question('s', {
  kind: 'single',
  choices: [
    { text: 'right', correct: true },
    { text: 'wrong a', why: 'because a' },
    { text: 'wrong b' },
    { text: 'wrong c' },
  ],
} as never);

describe('present', () => {
  it('shuffles choices reproducibly per seed, and differently across seeds', () => {
    const a = present(single, 1);
    const b = present(single, 1);
    expect(a).toEqual(b);
    const orders = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => JSON.stringify(present(single, s))));
    expect(orders.size).toBeGreaterThan(1);
    if (a.kind !== 'choice') throw new Error('kind');
    expect(a.options.filter((o) => o.correct).map((o) => o.text)).toEqual(['right']);
    expect(a.options.find((o) => o.text === 'wrong a')?.why).toBe('because a');
  });

  it('puts the wrong side of a boolean behind its why', () => {
    const p = present(question('b', { answer: false, why: 'the myth' } as never), 3);
    expect(p).toEqual({
      kind: 'choice',
      multi: false,
      options: [
        { text: 'True', correct: false, why: 'the myth' },
        { text: 'False', correct: true },
      ],
    });
  });

  it('never shows an order question already solved', () => {
    const q = question('o', { kind: 'order', items: ['a', 'b', 'c'] } as never);
    for (let s = 0; s < 50; s++) {
      const p = present(q, s);
      if (p.kind !== 'order') throw new Error('kind');
      expect(p.items).not.toEqual(['a', 'b', 'c']);
      expect([...p.items].sort()).toEqual(['a', 'b', 'c']);
    }
  });

  it('offers output snippets as line sequences, with permutations as extra distractors', () => {
    const q = question('out', { kind: 'output', code: 'x', module: 'cjs', answer: ['1', '4', '3', '2'], distractors: [['1', '4', '2', '3']] } as never);
    const p = present(q, 9);
    if (p.kind !== 'choice') throw new Error('kind');
    expect(p.options).toHaveLength(4);
    expect(p.options.filter((o) => o.correct).map((o) => o.text)).toEqual(['1\n4\n3\n2']);
    expect(p.options.map((o) => o.text)).toContain('1\n4\n2\n3');
    expect(new Set(p.options.map((o) => o.text)).size).toBe(4);
  });

  it('asks for typed output when no plausible distractors exist', () => {
    const q = question('out1', { kind: 'output', code: 'x', module: 'cjs', answer: ['42'], distractors: [] } as never);
    expect(present(q, 1)).toEqual({ kind: 'typed', answer: ['42'] });
  });
});

describe('grade', () => {
  it('single: right only when the correct option is picked', () => {
    const p = present(single, 2);
    if (p.kind !== 'choice') throw new Error('kind');
    const right = p.options.findIndex((o) => o.correct);
    expect(grade(p, { kind: 'choice', picked: [right] })).toEqual({ correct: true, rating: 3 });
    expect(grade(p, { kind: 'choice', picked: [(right + 1) % 4] })).toEqual({ correct: false, rating: 1 });
  });

  it('multi: exactly the correct set', () => {
    const q = question('m', { kind: 'multi', choices: [{ text: 'a', correct: true }, { text: 'b', correct: true }, { text: 'c' }] } as never);
    const p = present(q, 4);
    if (p.kind !== 'choice') throw new Error('kind');
    const idx = (t: string) => p.options.findIndex((o) => o.text === t);
    expect(grade(p, { kind: 'choice', picked: [idx('b'), idx('a')] }).correct).toBe(true);
    expect(grade(p, { kind: 'choice', picked: [idx('a')] }).correct).toBe(false);
    expect(grade(p, { kind: 'choice', picked: [idx('a'), idx('b'), idx('c')] }).correct).toBe(false);
    expect(grade(p, { kind: 'choice', picked: [] }).correct).toBe(false);
  });

  it('order: same sequence', () => {
    const p = { kind: 'order', items: ['b', 'a'], answer: ['a', 'b'] } as const;
    expect(grade(p, { kind: 'order', order: ['a', 'b'] }).correct).toBe(true);
    expect(grade(p, { kind: 'order', order: ['b', 'a'] }).correct).toBe(false);
  });

  it('typed output: separators are forgiving, content is not', () => {
    expect(typedMatches('1 4 3 2', ['1', '4', '3', '2'])).toBe(true);
    expect(typedMatches(' 1, 4,3 ,2 ', ['1', '4', '3', '2'])).toBe(true);
    expect(typedMatches('1 4 2 3', ['1', '4', '3', '2'])).toBe(false);
    expect(typedMatches('a,b', ['a,b'])).toBe(true);
    expect(typedMatches('a b', ['a,b'])).toBe(false);
  });

  it('recall: rating follows the share of key points covered', () => {
    expect(recallRating(4, 4)).toBe(3);
    expect(recallRating(2, 4)).toBe(2);
    expect(recallRating(3, 5)).toBe(2);
    expect(recallRating(1, 4)).toBe(1);
    expect(recallRating(0, 2)).toBe(1);
    const p = { kind: 'recall', answer: 'x', points: ['a', 'b', 'c'] } as const;
    expect(grade(p, { kind: 'recall', covered: [0, 1, 2] })).toEqual({ correct: true, rating: 3, covered: { hit: 3, of: 3 } });
    expect(grade(p, { kind: 'recall', covered: [2, 2, 7] })).toEqual({ correct: false, rating: 1, covered: { hit: 1, of: 3 } });
  });

  it('rejects a response that does not fit the question', () => {
    const p = { kind: 'order', items: ['b', 'a'], answer: ['a', 'b'] } as const;
    expect(() => grade(p, { kind: 'typed', text: 'a' })).toThrow(/does not fit/);
  });
});
