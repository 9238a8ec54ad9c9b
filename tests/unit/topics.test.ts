import { describe, expect, it } from 'vitest';
import { editDistance, findTopic, TOPICS, topicFileStem } from '../../src/content/topics.js';

describe('topic registry', () => {
  it('has the 31 roadmap topics in order with unique ids', () => {
    expect(TOPICS).toHaveLength(31);
    expect(TOPICS.map((t) => t.order)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(new Set(TOPICS.map((t) => t.id)).size).toBe(31);
    expect(topicFileStem(TOPICS[13]!)).toBe('14-caching');
  });
});

describe('findTopic', () => {
  const find = (q: string) => findTopic(TOPICS, q);
  it('accepts an id, a number and a unique prefix', () => {
    expect(find('caching')).toMatchObject({ ok: true, topic: { id: 'caching' } });
    expect(find('14')).toMatchObject({ ok: true, topic: { id: 'caching' } });
    expect(find('conc')).toMatchObject({ ok: true, topic: { id: 'concurrency' } });
    expect(find(' HTTP ')).toMatchObject({ ok: true, topic: { id: 'http' } });
  });
  it('suggests the closest id on a typo', () => {
    const r = find('cachng');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.suggestion?.id).toBe('caching');
    const s = find('concurency');
    if (!s.ok) expect(s.suggestion?.id).toBe('concurrency');
  });
  it('explains ambiguous prefixes and out-of-range numbers', () => {
    const r = find('re');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/request-context.*rest|rest.*request-context/);
    const n = find('32');
    if (!n.ok) expect(n.message).toMatch(/1–31/);
  });
  it('does not suggest something unrelated', () => {
    const r = find('kubernetesoperators');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.suggestion).toBeUndefined();
  });
  it('computes edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
