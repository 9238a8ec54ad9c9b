/**
 * The course is data with a checker: this turns lesson and question-bank sources into the compiled index
 * and a list of problems (file:line). The build, `validate` and the content tests all call it.
 */
import * as v from 'valibot';
import { LessonFrontMatterSchema, QuestionBankSchema, QuestionSchema, type LessonFrontMatter, type Question } from './schema.js';
import { checkQuestion } from './check-question.js';
import { TOPICS, topicFileStem, type TopicInfo } from './topics.js';
import type { YamlSource } from './yaml-source.js';
import { parseChecked, schemaProblems } from './parse-checked.js';
import { compileDrills } from './compile-drills.js';
import { proseWords } from './words.js';
import { lexMarkdown, lexQuestions, type MarkdownTokens } from './markdown-tokens.js';
import type { CompiledDrill, CompiledLesson, CompiledQuestion, ContentIndex, ContentProblem, TopicContent, TopicSummary } from './types.js';

export interface SourceFile {
  /** Path as shown in messages, relative to the content root: `questions/14-caching.yaml`. */
  readonly path: string;
  readonly text: string;
}

export interface CompileInput {
  readonly lessons: readonly SourceFile[];
  readonly banks: readonly SourceFile[];
  readonly labIds: readonly string[];
  /** System-design drills (drills/<id>.yaml); their rubric points link to lesson sections. */
  readonly drills?: readonly SourceFile[];
  /**
   * A custom deck: its own topics (any kebab-case id that is not a built-in one, file `<id>.md` or
   * `NN-<id>.md`), listed after the 31 roadmap topics. Otherwise the built-in roadmap.
   */
  readonly custom?: boolean;
}

/** Which topics files may be for, and what their front-matter must say: the roadmap's or a custom deck's. */
interface Catalog {
  topicFor(path: string, ext: string): TopicInfo | string;
  checkMeta(meta: LessonFrontMatter, topic: TopicInfo, src: YamlSource): ContentProblem[];
  isTopic(id: string): boolean;
  /** The topics to list, in order, given the lessons found. */
  list(lessons: ReadonlyMap<string, CompiledLesson>, banks: ReadonlyMap<string, unknown>): TopicInfo[];
}

const stemOf = (path: string, ext: string) => path.split('/').pop()!.replace(ext, '');

const builtinCatalog: Catalog = {
  topicFor(path, ext) {
    const stem = stemOf(path, ext);
    return TOPICS.find((t) => topicFileStem(t) === stem) ?? `file name must be NN-<topic>${ext} for a roadmap topic (e.g. 14-caching${ext})`;
  },
  checkMeta(meta, topic, src) {
    const out: ContentProblem[] = [];
    if (meta.id !== topic.id) out.push(src.at(['id'], `id is "${meta.id}" but the file is for "${topic.id}"`));
    if (meta.order !== topic.order) out.push(src.at(['order'], `order is ${meta.order}; ${topic.id} is topic ${topic.order}`));
    if (meta.title !== topic.title) out.push(src.at(['title'], `title must be "${topic.title}"`));
    return out;
  },
  isTopic: (id) => TOPICS.some((t) => t.id === id),
  list: () => [...TOPICS],
};

function customCatalog(files: readonly SourceFile[]): Catalog {
  const idOf = (path: string, ext: string) => stemOf(path, ext).replace(/^\d+-/, '');
  const ids = new Set(files.map((f) => idOf(f.path, f.path.endsWith('.md') ? '.md' : '.yaml')));
  return {
    topicFor(path, ext) {
      const id = idOf(path, ext);
      if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id)) return `file name must be <topic-id>${ext} in kebab-case (a-z, 0-9, -)`;
      if (TOPICS.some((t) => t.id === id)) return `"${id}" is a built-in topic; a custom deck adds topics of its own (rename the file)`;
      return { id, order: 0, title: id };
    },
    checkMeta: (meta, topic, src) => (meta.id !== topic.id ? [src.at(['id'], `id is "${meta.id}" but the file is for "${topic.id}"`)] : []),
    isTopic: (id) => ids.has(id) || TOPICS.some((t) => t.id === id),
    list(lessons, banks) {
      const found = [...new Set([...lessons.keys(), ...banks.keys()])];
      const order = (id: string) => lessons.get(id)?.order ?? Number.MAX_SAFE_INTEGER;
      return found
        .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
        .map((id, i) => ({ id, order: TOPICS.length + i + 1, title: lessons.get(id)?.title ?? id }));
    },
  };
}

export interface CompileResult {
  readonly index: ContentIndex;
  readonly topics: Readonly<Record<string, TopicContent>>;
  /** Each written lesson's body lexed, ready to render: kept apart, since only showing the lesson needs it. */
  readonly lessonTokens: Readonly<Record<string, MarkdownTokens>>;
  readonly drills: readonly CompiledDrill[];
  readonly problems: readonly ContentProblem[];
}

function topicForFile(catalog: Catalog, path: string, ext: string, problems: ContentProblem[]): TopicInfo | undefined {
  const topic = catalog.topicFor(path, ext);
  if (typeof topic !== 'string') return topic;
  problems.push({ file: path, line: 1, column: 1, message: topic });
  return undefined;
}

function compileBank(catalog: Catalog, file: SourceFile, problems: ContentProblem[]): { topic: TopicInfo; questions: CompiledQuestion[] } | undefined {
  const topic = topicForFile(catalog, file.path, '.yaml', problems);
  const checked = parseChecked(QuestionBankSchema, file.path, file.text, 0, problems);
  if (!checked || !topic) return undefined;
  const { src, value: bank } = checked;
  if (bank.topic !== topic.id) {
    problems.push(src.at(['topic'], `topic is "${bank.topic}" but the file is for "${topic.id}"`));
  }
  const questions: CompiledQuestion[] = [];
  const firstLineOf = new Map<string, number>();
  bank.questions.forEach((raw, i) => {
    const parsed = v.safeParse(QuestionSchema, raw);
    if (!parsed.success) {
      problems.push(...schemaProblems(src, ['questions', i], parsed.issues));
      return;
    }
    const q: Question = parsed.output;
    for (const rule of checkQuestion(q)) problems.push(src.at(['questions', i, ...rule.path], `${q.id}: ${rule.message}`));
    const here = src.at(['questions', i, 'id'], '').line;
    const earlier = firstLineOf.get(q.id);
    if (earlier !== undefined) {
      problems.push(src.at(['questions', i, 'id'], `duplicate question id "${q.id}" (first at line ${earlier})`));
      return;
    }
    firstLineOf.set(q.id, here);
    questions.push({ ...q, topic: topic.id, cardId: `${topic.id}/${q.id}` });
  });
  return { topic, questions };
}

/** Split `---` front-matter from the body; line numbers stay those of the file. */
function splitFrontMatter(text: string): { yaml: string; body: string; bodyLine: number } | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!m) return undefined;
  return { yaml: m[1]!, body: text.slice(m[0].length), bodyLine: m[0].split('\n').length };
}

function compileLesson(catalog: Catalog, file: SourceFile, labIds: ReadonlySet<string>, problems: ContentProblem[]): { topic: TopicInfo; lesson: CompiledLesson } | undefined {
  const topic = topicForFile(catalog, file.path, '.md', problems);
  const parts = splitFrontMatter(file.text);
  if (!parts) {
    problems.push({ file: file.path, line: 1, column: 1, message: 'a lesson starts with front-matter between two `---` lines' });
    return undefined;
  }
  const checked = parseChecked(LessonFrontMatterSchema, file.path, parts.yaml, 1, problems);
  if (!checked || !topic) return undefined;
  const { src, value: meta } = checked;
  problems.push(...catalog.checkMeta(meta, topic, src));
  meta.prerequisites.forEach((p, i) => {
    if (!catalog.isTopic(p)) problems.push(src.at(['prerequisites', i], `unknown topic "${p}"`));
    if (p === topic.id) problems.push(src.at(['prerequisites', i], 'a lesson cannot be its own prerequisite'));
  });
  meta.labs.forEach((l, i) => {
    if (!labIds.has(l)) problems.push(src.at(['labs', i], `unknown lab "${l}"`));
  });
  problems.push(...checkLessonBody(file.path, parts.body, parts.bodyLine, meta.title, labIds));
  return { topic, lesson: { ...meta, body: parts.body, words: proseWords(parts.body) } };
}

function checkLessonBody(file: string, body: string, firstLine: number, title: string, labIds: ReadonlySet<string>): ContentProblem[] {
  const out: ContentProblem[] = [];
  const at = (i: number, message: string, column = 1): ContentProblem => ({ file, line: firstLine + i, column, message });
  let fenceLine = -1;
  const h1: number[] = [];
  let lastH2 = '';
  body.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenceLine = fenceLine < 0 ? i : -1;
      return;
    }
    if (fenceLine >= 0) return;
    if (/^# /.test(line)) {
      h1.push(i);
      if (line.slice(2).trim() !== title) out.push(at(i, `the # heading must be the lesson title "${title}"`));
    }
    if (/^## /.test(line)) lastH2 = line.slice(3).trim();
    for (const m of line.matchAll(/backend-tutor lab ([a-z0-9-]+)/g)) {
      if (!labIds.has(m[1]!)) out.push(at(i, `mentions unknown lab "${m[1]}"`, (m.index ?? 0) + 1));
    }
  });
  if (fenceLine >= 0) out.push(at(fenceLine, 'code fence is never closed'));
  if (h1.length !== 1) out.push(at(h1[1] ?? 0, `a lesson has exactly one # heading, found ${h1.length}`));
  if (lastH2 !== 'In the interview') out.push(at(0, 'the last ## section must be "## In the interview"'));
  return out;
}

export function compileContent(input: CompileInput): CompileResult {
  const problems: ContentProblem[] = [];
  const labIds = new Set(input.labIds);
  const lessons = new Map<string, CompiledLesson>();
  const banks = new Map<string, CompiledQuestion[]>();
  const catalog = input.custom ? customCatalog([...input.lessons, ...input.banks]) : builtinCatalog;
  for (const file of input.lessons) {
    const r = compileLesson(catalog, file, labIds, problems);
    if (!r) continue;
    if (lessons.has(r.topic.id)) problems.push({ file: file.path, line: 1, column: 1, message: `a second lesson for ${r.topic.id}` });
    else lessons.set(r.topic.id, r.lesson);
  }
  for (const file of input.banks) {
    const r = compileBank(catalog, file, problems);
    if (!r) continue;
    if (banks.has(r.topic.id)) problems.push({ file: file.path, line: 1, column: 1, message: `a second question bank for ${r.topic.id}` });
    else banks.set(r.topic.id, r.questions);
  }
  const topics: Record<string, TopicContent> = {};
  const lessonTokens: Record<string, MarkdownTokens> = {};
  const summaries: TopicSummary[] = catalog.list(lessons, banks).map((t) => {
    const lesson = lessons.get(t.id) ?? null;
    const questions = banks.get(t.id) ?? [];
    topics[t.id] = { lesson, questions, markdown: lexQuestions(questions) };
    if (lesson) lessonTokens[t.id] = lexMarkdown(lesson.body);
    return {
      ...t,
      written: lesson !== null,
      summary: lesson?.summary ?? null,
      minutes: lesson?.minutes ?? null,
      prerequisites: lesson?.prerequisites ?? [],
      labs: lesson?.labs ?? [],
      lessonWords: lesson?.words ?? 0,
      questions: questions.length,
    };
  });
  const drills = compileDrills(input.drills ?? [], lessons, problems);
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { index: { topics: summaries }, topics, lessonTokens, drills, problems };
}

export function formatProblem(p: ContentProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}
