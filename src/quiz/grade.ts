/** Turning a response into right/wrong and an FSRS rating. */
import type { Grade } from '../srs/types.js';
import type { Presented } from './present.js';

export type Response =
  | { readonly kind: 'choice'; readonly picked: readonly number[] }
  | { readonly kind: 'order'; readonly order: readonly string[] }
  | { readonly kind: 'typed'; readonly text: string }
  | { readonly kind: 'recall'; readonly covered: readonly number[] };

export interface Graded {
  readonly correct: boolean;
  /** The rating the answer earns before any override: wrong → Again, right → Good; recall by points. */
  readonly rating: Grade;
  /** Recall only: key points ticked of all. */
  readonly covered?: { readonly hit: number; readonly of: number };
}

/** Anki's rule of thumb for self-graded cards: all points → Good, at least half → Hard, fewer → Again. */
export function recallRating(hit: number, of: number): Grade {
  if (of > 0 && hit >= of) return 3;
  if (hit * 2 >= of) return 2;
  return 1;
}

/**
 * Typed output: lines may be separated by newlines, commas or spaces, since a one-line input is what a
 * terminal offers. Commas count as separators only when no answer line contains one.
 */
export function typedMatches(text: string, answer: readonly string[]): boolean {
  const commas = answer.some((l) => l.includes(','));
  const norm = (s: string) => (commas ? s : s.replace(/,/g, ' ')).replace(/\s+/g, ' ').trim();
  return norm(text) === norm(answer.join(' '));
}

export function grade(p: Presented, r: Response): Graded {
  const result = (correct: boolean): Graded => ({ correct, rating: correct ? 3 : 1 });
  if (p.kind === 'choice' && r.kind === 'choice') {
    const want = p.options.flatMap((o, i) => (o.correct ? [i] : []));
    const got = [...new Set(r.picked)].sort((a, b) => a - b);
    return result(want.length === got.length && want.every((w, i) => w === got[i]));
  }
  if (p.kind === 'order' && r.kind === 'order') {
    return result(r.order.length === p.answer.length && r.order.every((x, i) => x === p.answer[i]));
  }
  if (p.kind === 'typed' && r.kind === 'typed') return result(typedMatches(r.text, p.answer));
  if (p.kind === 'recall' && r.kind === 'recall') {
    const hit = new Set(r.covered.filter((i) => i >= 0 && i < p.points.length)).size;
    const of = p.points.length;
    return { correct: hit === of, rating: recallRating(hit, of), covered: { hit, of } };
  }
  throw new Error(`response of kind ${r.kind} does not fit a ${p.kind} question`);
}
