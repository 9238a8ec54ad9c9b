import type { Drill, LessonFrontMatter, Question } from './schema.js';
import type { TopicInfo } from './topics.js';
import type { LexedTexts } from './markdown-tokens.js';

/** A question as compiled into the index: its topic and card id attached. */
export type CompiledQuestion = Question & { readonly topic: string; readonly cardId: string };

export interface CompiledLesson extends LessonFrontMatter {
  /** Markdown body, front-matter removed. */
  readonly body: string;
  /** Words of prose, fenced code excluded. */
  readonly words: number;
}

/** Per-topic summary kept in the small index that every command loads. */
export interface TopicSummary extends TopicInfo {
  readonly written: boolean;
  readonly summary: string | null;
  readonly minutes: number | null;
  readonly prerequisites: readonly string[];
  readonly labs: readonly string[];
  readonly lessonWords: number;
  readonly questions: number;
}

export interface ContentIndex {
  readonly topics: readonly TopicSummary[];
}

/** Everything one topic needs to be studied; loaded only when that topic is. */
export interface TopicContent {
  readonly lesson: CompiledLesson | null;
  readonly questions: readonly CompiledQuestion[];
  /** The questions' Markdown, lexed (see markdown-tokens.ts). */
  readonly markdown: LexedTexts;
}

/** One problem found in a content file, with the position a learner or author can jump to. */
export interface ContentProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A drill as compiled: the topics its rubric spans, in roadmap order. */
export type CompiledDrill = Drill & { readonly topics: readonly string[] };
