/** Every lesson and bank, checked with the same function as `validate`, plus what only running code can check. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/content/compile.js';
import type { OfKind } from '../../src/content/schema.js';
import type { CompiledQuestion } from '../../src/content/types.js';
import { compileSources } from '../../src/content/write-index.js';
import { ROOT } from '../helpers/fixtures.js';

const result = compileSources(ROOT);
const written = result.index.topics.filter((t) => t.written);
const questions = Object.values(result.topics).flatMap((t) => t.questions);

describe('course content', () => {
  it('has no problems (schemas, ids, answer-key structure, links)', () => {
    expect(result.problems.map(formatProblem)).toEqual([]);
  });

  it('lists all 31 topics, and only written lessons count as written', () => {
    expect(result.index.topics).toHaveLength(31);
    for (const t of result.index.topics) expect(t.written).toBe(result.topics[t.id]?.lesson !== null);
  });

  it('does not make true/false questions guessable: about half are true, course-wide', () => {
    const booleans = questions.filter((q): q is OfKind<'boolean'> & CompiledQuestion => q.kind === 'boolean');
    const trueShare = booleans.filter((q) => q.answer).length / booleans.length;
    expect(trueShare).toBeGreaterThanOrEqual(0.35);
    expect(trueShare).toBeLessThanOrEqual(0.65);
  });

  describe.each(written.map((t) => [t.id, t] as const))('%s', (id, topic) => {
    const bank = result.topics[id]!.questions;
    it('meets the bar: 1,500+ words of prose, 25+ questions, 4+ kinds, every difficulty', () => {
      expect(topic.lessonWords).toBeGreaterThanOrEqual(1500);
      expect(bank.length).toBeGreaterThanOrEqual(25);
      expect(new Set(bank.map((q) => q.kind)).size).toBeGreaterThanOrEqual(4);
      expect(new Set(bank.map((q) => q.difficulty))).toEqual(new Set([1, 2, 3]));
    });
    it('has complete front-matter, worked examples and an interview section', () => {
      const lesson = result.topics[id]!.lesson!;
      expect(lesson.summary.length).toBeGreaterThan(10);
      expect(lesson.minutes).toBeGreaterThan(0);
      expect(lesson.body).toMatch(/\n## In the interview\n/);
      // Worked examples: real code, SQL, HTTP or shell in fenced blocks with a language.
      expect(lesson.body.match(/^```[a-z]+/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    });
    it('does not make the right choice guessable by its length', () => {
      const singles = bank.filter((q): q is OfKind<'single'> & CompiledQuestion => q.kind === 'single');
      const uniquely = (pick: (a: number, b: number) => boolean) =>
        singles.filter((q) => {
          const right = q.choices.find((c) => c.correct)!.text.length;
          return q.choices.every((c) => c.correct || pick(right, c.text.length));
        }).length;
      expect(uniquely((r, o) => r > o), 'right choice is the longest').toBeLessThanOrEqual(singles.length / 2);
      expect(uniquely((r, o) => r < o), 'right choice is the shortest').toBeLessThanOrEqual(singles.length / 2);
    });
    it('keys its true/false questions both ways', () => {
      const answers = bank.flatMap((q) => (q.kind === 'boolean' ? [q.answer] : []));
      // With three or more, always answering the same way must not be right every time.
      if (answers.length >= 3) expect(new Set(answers).size, `${answers.filter(Boolean).length} of ${answers.length} true`).toBe(2);
    });
    it('speaks to the learner, not about source documents they never see', () => {
      const text = [result.topics[id]!.lesson!.body, ...bank.map((q) => JSON.stringify(q))].join('\n');
      expect(text).not.toMatch(/\bthe guide\b|\bguide's\b/i);
    });
  });
});

function runSnippet(dir: string, q: OfKind<'output'> & CompiledQuestion, n: number): Promise<string> {
  const file = join(dir, `${q.topic}-${q.id}-${n}.${q.module === 'esm' ? 'mjs' : 'cjs'}`);
  writeFileSync(file, q.code);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { timeout: 30_000, cwd: dir, env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${q.cardId} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('output questions: the answer key is what the snippet prints', () => {
  const outputs = questions.filter((q): q is OfKind<'output'> & CompiledQuestion => q.kind === 'output');
  const dir = mkdtempSync(join(tmpdir(), 'bt-snippets-'));
  it('there are output questions to check', () => {
    expect(outputs.length).toBeGreaterThan(10);
  });
  it.concurrent.each(outputs.map((q) => [q.cardId, q] as const))('%s', async (_id, q) => {
    const expected = `${q.answer.join('\n')}\n`;
    // Several runs: a key that only holds on a lucky run is a wrong key. One after another, so a busy
    // machine (CI, two cores) is not asked to start a dozen Node processes at once.
    for (const n of [1, 2, 3]) expect(await runSnippet(dir, q, n)).toBe(expected);
  }, 120_000);
});
