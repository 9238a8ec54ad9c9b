/**
 * The content loader is fed malformed YAML, wrong types, duplicate ids, huge strings and deep nesting: it
 * always answers with file:line problems, never throws, never hangs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileContent, type CompileResult, type SourceFile } from '../../src/content/compile.js';

const compile = (banks: SourceFile[], lessons: SourceFile[] = []): CompileResult => compileContent({ lessons, banks, labIds: ['event-loop'] });

function wellFormed(r: CompileResult, files: SourceFile[]): void {
  for (const p of r.problems) {
    expect(files.map((f) => f.path)).toContain(p.file);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.column).toBeGreaterThanOrEqual(0);
    expect(p.message.length).toBeGreaterThan(0);
  }
}

const yamlScalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double());
const questionish = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b', 'dup', 'Bad Id', ''), fc.string()),
    kind: fc.oneof(fc.constantFrom('single', 'multi', 'boolean', 'order', 'output', 'recall', 'essay'), yamlScalar),
    prompt: yamlScalar,
    explanation: yamlScalar,
    difficulty: fc.oneof(fc.constantFrom(1, 2, 3, 4), yamlScalar),
    choices: fc.array(fc.record({ text: yamlScalar, correct: fc.oneof(fc.boolean(), yamlScalar), why: yamlScalar }, { requiredKeys: [] }), { maxLength: 7 }),
    items: fc.array(yamlScalar, { maxLength: 8 }),
    answer: fc.oneof(yamlScalar, fc.array(yamlScalar, { maxLength: 4 })),
    points: fc.array(yamlScalar, { maxLength: 6 }),
    tags: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), yamlScalar),
  },
  { requiredKeys: [] },
);

describe('content loader under hostile input', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 2000 }), (bankText, lessonText) => {
        const files = [
          { path: 'questions/14-caching.yaml', text: bankText },
          { path: 'content/14-caching.md', text: lessonText },
        ];
        wellFormed(compile([files[0]!], [files[1]!]), files);
      }),
      { numRuns: 400 },
    );
  });

  it('reports every structurally wrong question with a position, and never throws', () => {
    fc.assert(
      fc.property(fc.array(questionish, { maxLength: 12 }), (questions) => {
        const text = JSON.stringify({ topic: 'caching', questions }, null, 1); // JSON is YAML
        const files = [{ path: 'questions/14-caching.yaml', text }];
        const r = compile(files);
        wellFormed(r, files);
        // Whatever compiled is complete: the schema let nothing half-valid through.
        for (const q of r.topics.caching?.questions ?? []) {
          expect(typeof q.prompt).toBe('string');
          expect(typeof q.explanation).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
  });

  it('copes with huge strings, deep nesting and alias bombs quickly', () => {
    const deep = `topic: caching\nquestions:\n  - id: a\n    kind: single\n    prompt: ${'['.repeat(5000)}\n`;
    const huge = `topic: caching\nquestions:\n  - id: a\n    kind: recall\n    prompt: "${'x'.repeat(2_000_000)}"\n    explanation: y\n    answer: z\n    points: [p, q]\n    difficulty: 1\n`;
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ntopic: caching\nquestions: []\n`;
    for (const text of [deep, huge, bomb]) {
      const start = performance.now();
      const files = [{ path: 'questions/14-caching.yaml', text }];
      const r = compile(files);
      wellFormed(r, files);
      expect(performance.now() - start).toBeLessThan(5000);
    }
    const dup = `topic: caching\nquestions:\n${'  - id: same\n    kind: boolean\n    prompt: p\n    answer: true\n    why: w\n    explanation: e\n    difficulty: 1\n'.repeat(3)}`;
    const r = compile([{ path: 'questions/14-caching.yaml', text: dup }]);
    expect(r.problems.filter((p) => /duplicate question id "same"/.test(p.message)).map((p) => p.line)).toEqual([10, 17]);
  });
});
