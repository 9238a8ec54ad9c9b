/** The inverted-index lab, run for real; assertions are on what the index answered. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('inverted-index lab', () => {
  it('ranks, matches phrases and fuzzy terms from the index', async () => {
    const { obs } = await run('inverted-index', 1, { k1: 1.2, b: 0.75 });
    expect(obs.documents).toBe(40);
    expect(obs.analyzer.removed).toEqual(['the', 'is', 'when']);
    expect(obs.analyzer.terms).toContain('kubernet');
    // Saturation: keyword stuffing wins TF-IDF, the focused document wins BM25.
    const k8s = obs.rankings['kubernetes autoscaling'];
    expect([k8s.tfidf[0], k8s.bm25[0]]).toEqual(['d03', 'd04']);
    // Length normalisation: the long handbook wins TF-IDF, the short PgBouncer note wins BM25.
    const pool = obs.rankings['connection pool'];
    expect([pool.tfidf[0], pool.bm25[0]]).toEqual(['d09', 'd08']);
    // A ranked query reads exactly the postings of its terms, far fewer than the documents times terms.
    expect(pool.postingsRead).toBe(14);
    expect(pool.matched).toBeLessThan(obs.documents);
    // Positions: five documents have both words, two have them as a phrase.
    expect(obs.phrase.and).toHaveLength(5);
    expect(obs.phrase.phrase).toEqual(['d08', 'd39']);
    const fuzzy = Object.fromEntries(obs.fuzzy.map((f: { typo: string }) => [f.typo, f]));
    expect(fuzzy.kubernets).toMatchObject({ exact: true, term: 'kubernet' });
    expect(fuzzy.kuberntes).toMatchObject({ exact: false, candidates: ['kubernet'], distances: [1] });
    expect(fuzzy.deploymnet).toMatchObject({ exact: false, candidates: ['deployment'], distances: [2] });
    expect(fuzzy.kuberntes.compared + fuzzy.kuberntes.skipped).toBe(obs.dictionary);
  });

  it('follows its knobs: with b=0 (no length normalisation) BM25 agrees that the handbook wins', async () => {
    const a = await run('inverted-index', 1, { k1: 1.2, b: 0 });
    const b = await run('inverted-index', 2, { k1: 1.2, b: 0 });
    expect(a.obs.rankings['connection pool'].bm25[0]).toBe('d09');
    expect(a.obs.rankings).toEqual(b.obs.rankings);
  });
});
