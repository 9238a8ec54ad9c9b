/**
 * One schema per file kind, shared by the build, `validate` and the tests.
 * Strict objects: a misspelt field (`explaination`) is an error, not silently ignored.
 */
import * as v from 'valibot';

const kebab = v.pipe(v.string(), v.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, -)'));
const text = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'));
const lines = v.pipe(v.array(v.string()), v.minLength(1, 'must list at least one line'));

const base = {
  id: kebab,
  prompt: text,
  explanation: text,
  difficulty: v.picklist([1, 2, 3], 'must be 1, 2 or 3'),
  tags: v.optional(v.array(kebab), []),
};

const choice = v.strictObject({
  text: text,
  correct: v.optional(v.boolean()),
  why: v.optional(text),
});

export const QuestionSchema = v.variant(
  'kind',
  [
    v.strictObject({ ...base, kind: v.literal('single'), choices: v.array(choice) }),
    v.strictObject({ ...base, kind: v.literal('multi'), choices: v.array(choice) }),
    v.strictObject({ ...base, kind: v.literal('boolean'), answer: v.boolean(), why: text }),
    v.strictObject({ ...base, kind: v.literal('order'), items: v.array(text) }),
    v.strictObject({
      ...base,
      kind: v.literal('output'),
      code: text,
      module: v.optional(v.picklist(['cjs', 'esm']), 'cjs'),
      answer: lines,
      distractors: v.optional(v.array(lines), []),
    }),
    v.strictObject({ ...base, kind: v.literal('recall'), answer: text, points: v.array(text) }),
  ],
  'kind must be one of single, multi, boolean, order, output, recall',
);

export const QuestionBankSchema = v.strictObject({
  topic: kebab,
  questions: v.pipe(v.array(v.unknown()), v.minLength(1, 'must hold at least one question')),
});

export const LessonFrontMatterSchema = v.strictObject({
  id: kebab,
  order: v.pipe(v.number(), v.integer()),
  title: text,
  summary: text,
  prerequisites: v.optional(v.array(kebab), []),
  labs: v.optional(v.array(kebab), []),
  minutes: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

export type Question = v.InferOutput<typeof QuestionSchema>;
export type QuestionKind = Question['kind'];
export type LessonFrontMatter = v.InferOutput<typeof LessonFrontMatterSchema>;
export type OfKind<K extends QuestionKind> = Extract<Question, { kind: K }>;

/** A system-design drill (drills/<id>.yaml): a prompt, what to clarify, a rubric that links to lessons, a model answer. */
export const DrillSchema = v.strictObject({
  id: kebab,
  title: text,
  minutes: v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(60)),
  difficulty: v.picklist([1, 2, 3], 'must be 1, 2 or 3'),
  prompt: text,
  clarify: v.pipe(v.array(v.strictObject({ ask: text, why: text })), v.minLength(3, 'must list at least 3 clarifying questions')),
  rubric: v.pipe(
    v.array(v.strictObject({ point: text, detail: text, topic: kebab, section: text })),
    v.minLength(6, 'must have 6 to 10 points'),
    v.maxLength(10, 'must have 6 to 10 points'),
  ),
  walkthrough: text,
});

export type Drill = v.InferOutput<typeof DrillSchema>;
