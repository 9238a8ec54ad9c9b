/**
 * A question as it is put to the learner: choices shuffled (seeded per session and question, so a bank never
 * relies on position), output snippets offered as line sequences or typed, recall as reveal-and-tick.
 */
import { BOOLEAN_OPTIONS } from '../content/question-texts.js';
import type { CompiledQuestion } from '../content/types.js';
import { createRng, hashSeed, shuffled, type Rng } from '../util/random.js';

export interface Option {
  readonly text: string;
  readonly correct: boolean;
  /** Why this wrong option is wrong, when the author said. */
  readonly why?: string;
}

export type Presented =
  | { readonly kind: 'choice'; readonly multi: boolean; readonly options: readonly Option[] }
  | { readonly kind: 'order'; readonly items: readonly string[]; readonly answer: readonly string[] }
  | { readonly kind: 'typed'; readonly answer: readonly string[] }
  | { readonly kind: 'recall'; readonly answer: string; readonly points: readonly string[] };

const MAX_OUTPUT_OPTIONS = 4;

/** Wrong line orders made from the answer's own lines: the plausible mistakes for ordering snippets. */
function permutedDistractors(answer: readonly string[], taken: Set<string>, want: number, rng: Rng): string[][] {
  const out: string[][] = [];
  if (new Set(answer).size < 2) return out;
  for (let attempt = 0; attempt < 50 && out.length < want; attempt++) {
    const p = shuffled(answer, rng);
    const key = p.join('\n');
    if (!taken.has(key)) {
      taken.add(key);
      out.push(p);
    }
  }
  return out;
}

export function present(q: CompiledQuestion, sessionSeed: number): Presented {
  const rng = createRng(hashSeed(`${sessionSeed}:${q.cardId}`));
  switch (q.kind) {
    case 'single':
    case 'multi':
      return {
        kind: 'choice',
        multi: q.kind === 'multi',
        options: shuffled(
          q.choices.map((c) => ({ text: c.text, correct: c.correct === true, ...(c.why ? { why: c.why } : {}) })),
          rng,
        ),
      };
    case 'boolean':
      return {
        kind: 'choice',
        multi: false,
        options: [
          { text: BOOLEAN_OPTIONS[0], correct: q.answer, ...(q.answer ? {} : { why: q.why }) },
          { text: BOOLEAN_OPTIONS[1], correct: !q.answer, ...(q.answer ? { why: q.why } : {}) },
        ],
      };
    case 'order': {
      let items = shuffled(q.items, rng);
      // Never present the answer already in order.
      for (let i = 0; i < 10 && items.join('\n') === q.items.join('\n'); i++) items = shuffled(q.items, rng);
      return { kind: 'order', items, answer: q.items };
    }
    case 'output': {
      const taken = new Set([q.answer.join('\n'), ...q.distractors.map((d) => d.join('\n'))]);
      const given = q.distractors.slice(0, MAX_OUTPUT_OPTIONS - 1);
      const wrong = [...given, ...permutedDistractors(q.answer, taken, MAX_OUTPUT_OPTIONS - 1 - given.length, rng)];
      if (wrong.length < 2) return { kind: 'typed', answer: q.answer };
      return {
        kind: 'choice',
        multi: false,
        options: shuffled([{ text: q.answer.join('\n'), correct: true }, ...wrong.map((w) => ({ text: w.join('\n'), correct: false }))], rng),
      };
    }
    case 'recall':
      return { kind: 'recall', answer: q.answer, points: q.points };
  }
}
