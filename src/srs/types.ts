/** Card and review shapes as persisted: plain JSON, dates as ISO strings. */

export type Grade = 1 | 2 | 3 | 4;
export const GRADE_NAMES: Readonly<Record<Grade, string>> = { 1: 'Again', 2: 'Hard', 3: 'Good', 4: 'Easy' };

/** ts-fsrs Card without the deprecated elapsed_days; dates as ISO strings. */
export interface StoredCard {
  readonly due: string;
  readonly stability: number;
  readonly difficulty: number;
  readonly scheduled_days: number;
  readonly learning_steps: number;
  readonly reps: number;
  readonly lapses: number;
  /** 0 New, 1 Learning, 2 Review, 3 Relearning (ts-fsrs State). */
  readonly state: 0 | 1 | 2 | 3;
  readonly last_review?: string;
}

/** One answer: the append-only log is the source of truth; card states are derived from it. */
export interface ReviewRecord {
  readonly id: string;
  /** `<topic>/<question-id>` */
  readonly card: string;
  readonly rating: Grade;
  /** ISO time of the answer. */
  readonly at: string;
  /** Time taken to answer, ms. */
  readonly ms?: number;
}

/** A later change of an answer's rating (Hard/Easy override): the log stays append-only. */
export interface AmendRecord {
  /** The id of the review being changed. */
  readonly amend: string;
  readonly card: string;
  readonly rating: Grade;
  readonly at: string;
}

/** Take an answer back (the learner pressed undo): as if it had never been given. */
export interface UndoRecord {
  readonly undo: string;
  readonly card: string;
  readonly at: string;
}

/** Forget every earlier answer to one topic's cards (backend-tutor reset --topic); day statistics stay. */
export interface ResetRecord {
  readonly reset: string;
  readonly at: string;
}

export type LogRecord = ReviewRecord | AmendRecord | ResetRecord | UndoRecord;

export const isAmend = (r: LogRecord): r is AmendRecord => 'amend' in r;
export const isReset = (r: LogRecord): r is ResetRecord => 'reset' in r;
export const isUndo = (r: LogRecord): r is UndoRecord => 'undo' in r;
export const isReview = (r: LogRecord): r is ReviewRecord => 'id' in r;

/** `<topic>/<question-id>` → topic. */
export const topicOfCard = (cardId: string): string => cardId.slice(0, cardId.indexOf('/'));

/** What happened on one local day: enough for streaks, limits, heatmaps and true retention without the log. */
export interface DayStats {
  /** Answers, and how many were not Again. */
  n: number;
  ok: number;
  /** Time spent answering, ms. */
  ms: number;
  /** First answers of cards never seen before (the daily new-card limit). */
  new: number;
  /** Answers to cards in review (the daily review limit); learning steps count for neither. */
  rev: number;
  /** Reviews of young (interval < 21 d) and mature cards: [answers, passed] — Anki's true retention. */
  young: [number, number];
  mature: [number, number];
}

export interface SchedulerSettings {
  readonly desiredRetention: number;
  /** FSRS parameters fitted to this learner by `backend-tutor optimize`; absent: FSRS's defaults. */
  readonly weights?: readonly number[];
  readonly learningSteps: readonly string[];
  readonly relearningSteps: readonly string[];
  readonly maximumIntervalDays: number;
}
