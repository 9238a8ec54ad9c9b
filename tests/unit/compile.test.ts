import { describe, expect, it } from 'vitest';
import { compileContent, formatProblem, type SourceFile } from '../../src/content/compile.js';
import { proseWords } from '../../src/content/words.js';

const lesson = (body = '# Caching\n\nText.\n\n## In the interview\n\nSay this.\n', fm = ''): SourceFile => ({
  path: 'content/14-caching.md',
  text: `---\nid: caching\norder: 14\ntitle: Caching\nsummary: Learn caching.\nprerequisites: [http]\nlabs: [thundering-herd]\nminutes: 20\n${fm}---\n${body}`,
});

const bank = (questions: string, topic = 'caching', path = 'questions/14-caching.yaml'): SourceFile => ({ path, text: `topic: ${topic}\nquestions:\n${questions}` });

const good = `  - id: one
    kind: boolean
    prompt: A statement.
    answer: true
    why: The myth.
    explanation: Why.
    difficulty: 1
`;

const compile = (lessons: SourceFile[], banks: SourceFile[]) => compileContent({ lessons, banks, labIds: ['thundering-herd'] });
const messages = (r: ReturnType<typeof compile>) => r.problems.map(formatProblem);

describe('compileContent', () => {
  it('compiles a good lesson and bank into the index', () => {
    const r = compile([lesson()], [bank(good)]);
    expect(r.problems).toEqual([]);
    const caching = r.index.topics.find((t) => t.id === 'caching')!;
    expect(caching).toMatchObject({ written: true, questions: 1, labs: ['thundering-herd'], prerequisites: ['http'], minutes: 20 });
    expect(r.index.topics.filter((t) => t.written)).toHaveLength(1);
    expect(r.topics.caching?.questions[0]).toMatchObject({ cardId: 'caching/one', tags: [] });
  });

  it('reports YAML syntax errors with their line', () => {
    const r = compile([], [bank(`${good}  - id: two\n    kind: [unclosed\n`)]);
    expect(messages(r)[0]).toMatch(/^questions\/14-caching\.yaml:12:/);
  });

  it('reports schema problems at the line of the field', () => {
    const r = compile([], [bank(`${good}  - id: two\n    kind: single\n    prompt: Which?\n    choices:\n      - text: a\n        correct: yes\n    explanaton: typo\n    difficulty: 5\n`)]);
    const m = messages(r).join('\n');
    expect(m).toMatch(/:10:\d+: explanation: missing required field/);
    expect(m).toMatch(/:15:\d+: choices\.0\.correct: .*boolean/);
    expect(m).toMatch(/:16:\d+: explanaton: unknown field/);
    expect(m).toMatch(/:17:\d+: difficulty: must be 1, 2 or 3/);
  });

  it('reports a missing required field at its question', () => {
    const r = compile([], [bank(`  - id: two\n    kind: recall\n    prompt: Why?\n    answer: Because.\n    points: [a, b]\n    difficulty: 2\n`)]);
    expect(messages(r)).toEqual([expect.stringMatching(/^questions\/14-caching\.yaml:3:\d+: explanation: missing required field \(at explanation\)$/)]);
  });

  it('checks rules a schema cannot: one right choice, counts, duplicates', () => {
    const single = `  - id: s
    kind: single
    prompt: Which?
    explanation: This.
    difficulty: 2
    choices:
      - text: a
        correct: true
      - text: a
        correct: true
`;
    const m = messages(compile([], [bank(`${single}${good}${good}`)])).join('\n');
    expect(m).toMatch(/needs 3–5 choices, has 2/);
    expect(m).toMatch(/exactly one correct choice, has 2/);
    expect(m).toMatch(/duplicate choice "a"/);
    expect(m).toMatch(/:20:\d+: duplicate question id "one" \(first at line 13\)/);
  });

  it('checks the topic and the file name', () => {
    expect(messages(compile([], [bank(good, 'http')])).join()).toMatch(/topic is "http" but the file is for "caching"/);
    expect(messages(compile([], [bank(good, 'caching', 'questions/99-nope.yaml')])).join()).toMatch(/file name must be NN-<topic>\.yaml/);
  });

  it('checks lessons: front-matter, headings, the interview section, labs and prerequisites', () => {
    const broken = lesson('# Wrong title\n\n## Body\n\n```js\nopen fence\n', 'extra: 1\n');
    const m = messages(compile([broken], [])).join('\n');
    expect(m).toMatch(/content\/14-caching\.md:9:\d+: .*extra/);
    const body = lesson('# Wrong title\n\nRun `backend-tutor lab nope`.\n\n## Body\n\n```js\nopen fence\n');
    const m2 = messages(compile([body], [])).join('\n');
    expect(m2).toMatch(/:10:1: the # heading must be the lesson title "Caching"/);
    expect(m2).toMatch(/:12:\d+: mentions unknown lab "nope"/);
    expect(m2).toMatch(/:16:1: code fence is never closed/);
    expect(m2).toMatch(/last ## section must be "## In the interview"/);
    const labs = compileContent({ lessons: [lesson()], banks: [], labIds: [] });
    expect(labs.problems.map(formatProblem).join()).toMatch(/:7:\d+: unknown lab "thundering-herd"/);
  });

  it('counts prose words without code', () => {
    expect(proseWords('Two words.\n\n```js\nconst not = counted;\n```\n- and three more')).toBe(5);
  });
});
