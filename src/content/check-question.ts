/** Rules a schema cannot express: counts of choices, exactly one right answer, duplicates. */
import type { Question } from './schema.js';
import type { PathKey } from './yaml-source.js';

export interface RuleViolation {
  readonly path: readonly PathKey[];
  readonly message: string;
}

function countRule(n: number, min: number, max: number, what: string, path: PathKey[]): RuleViolation[] {
  return n < min || n > max ? [{ path, message: `needs ${min}–${max} ${what}, has ${n}` }] : [];
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

export function checkQuestion(q: Question): RuleViolation[] {
  const out: RuleViolation[] = [];
  switch (q.kind) {
    case 'single':
    case 'multi': {
      const [min, max] = q.kind === 'single' ? [3, 5] : [3, 6];
      out.push(...countRule(q.choices.length, min, max, 'choices', ['choices']));
      const right = q.choices.filter((c) => c.correct).length;
      if (q.kind === 'single' && right !== 1) {
        out.push({ path: ['choices'], message: `a single-choice question needs exactly one correct choice, has ${right}` });
      }
      if (q.kind === 'multi' && right === 0) out.push({ path: ['choices'], message: 'needs at least one correct choice' });
      for (const d of duplicates(q.choices.map((c) => c.text))) out.push({ path: ['choices'], message: `duplicate choice "${d}"` });
      q.choices.forEach((c, i) => {
        if (c.correct && c.why) out.push({ path: ['choices', i, 'why'], message: '`why` explains a wrong choice; the explanation covers the right one' });
      });
      break;
    }
    case 'order':
      out.push(...countRule(q.items.length, 3, 7, 'items', ['items']));
      for (const d of duplicates(q.items)) out.push({ path: ['items'], message: `duplicate item "${d}"` });
      break;
    case 'recall':
      out.push(...countRule(q.points.length, 2, 5, 'key points', ['points']));
      break;
    case 'output': {
      const key = q.answer.join('\n');
      q.distractors.forEach((d, i) => {
        if (d.join('\n') === key) out.push({ path: ['distractors', i], message: 'a distractor equals the answer' });
      });
      for (const d of duplicates(q.distractors.map((d) => d.join('\n')))) {
        out.push({ path: ['distractors'], message: `duplicate distractor ${JSON.stringify(d.split('\n'))}` });
      }
      break;
    }
    case 'boolean':
      break;
  }
  return out;
}
