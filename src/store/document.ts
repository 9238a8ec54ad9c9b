/**
 * The progress snapshot: card states, per-day statistics, lessons read, labs run and settings. The review log
 * beside it (reviews.jsonl) is the source of truth; the snapshot says how much of the log it reflects.
 */
import type { DrillAttempt } from '../quiz/drill.js';
import type { Scorecard } from '../quiz/scorecard.js';
import type { Evaluation } from '../srs/optimizer.js';
import type { DayStats, ReviewRecord, SchedulerSettings, StoredCard } from '../srs/types.js';

export const SCHEMA_VERSION = 2;

export interface Settings extends SchedulerSettings {
  readonly newPerDay: number;
  readonly maxReviewsPerDay: number;
  /** Mix the session's questions in random order instead of due-by-urgency and new-by-difficulty. */
  readonly shuffle: boolean;
  /** A folder of extra lessons and question banks (custom decks), or '' for none. */
  readonly contentDir: string;
}

/** Anki's defaults, except one 10-minute learning step: a question answered right first time is not asked twice. */
export const DEFAULT_SETTINGS: Settings = {
  newPerDay: 20,
  maxReviewsPerDay: 200,
  desiredRetention: 0.9,
  learningSteps: ['10m'],
  relearningSteps: ['10m'],
  maximumIntervalDays: 36500,
  shuffle: false,
  contentDir: '',
};

export interface LabRun {
  readonly count: number;
  readonly last: string;
}

/** One run of `backend-tutor optimize`: what was fitted, how well each set predicted the learner's history. */
export interface FitRecord {
  readonly at: string;
  readonly reviews: number;
  readonly weights: readonly number[];
  /** The parameters in use before (null: FSRS's defaults), to go back to. */
  readonly previous: readonly number[] | null;
  readonly before: Evaluation;
  readonly after: Evaluation;
  readonly kept: boolean;
}

export interface ProgressDoc {
  schemaVersion: number;
  /** Bytes of the review log already reflected in `cards` and `days`. */
  logBytes: number;
  cards: Record<string, StoredCard>;
  /** Local day (YYYY-MM-DD) → what was answered that day. */
  days: Record<string, DayStats>;
  /** topic id → ISO time the lesson was last read to the end. */
  lessonsRead: Record<string, string>;
  /** topic id → ISO time the learner chose to skip the lesson on the guided path. */
  lessonsSkipped: Record<string, string>;
  labsRun: Record<string, LabRun>;
  /** Mock interviews, oldest first. */
  interviews: Scorecard[];
  /** drill id → attempts, oldest first. */
  drills: Record<string, DrillAttempt[]>;
  /** Optimizer runs, oldest first. */
  fits: FitRecord[];
  settings: Partial<Settings>;
}

export function emptyDoc(): ProgressDoc {
  return { schemaVersion: SCHEMA_VERSION, logBytes: 0, cards: {}, days: {}, lessonsRead: {}, lessonsSkipped: {}, labsRun: {}, interviews: [], drills: {}, fits: [], settings: {} };
}

/** Version 1 kept the review log inside the document. */
export interface ProgressDocV1 {
  schemaVersion: 1;
  cards: Record<string, StoredCard>;
  reviews: ReviewRecord[];
  lessonsRead?: Record<string, string>;
  labsRun?: Record<string, LabRun>;
  settings?: Partial<Settings>;
}

export function settingsOf(doc: ProgressDoc): Settings {
  return { ...DEFAULT_SETTINGS, ...doc.settings };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Why `data` is not a progress document we may write back, or undefined if it is one. A check of the
 * shape, not of each of a million reviews: start-up must stay fast.
 */
export function problemWith(data: unknown): string | undefined {
  if (!isRecord(data)) return 'it does not hold a JSON object';
  const v = data.schemaVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return 'it has no valid schemaVersion';
  if (v > SCHEMA_VERSION) return `it was written by a newer backend-tutor (schema ${v}; this version knows ${SCHEMA_VERSION}). Upgrade backend-tutor`;
  if (!isRecord(data.cards)) return '"cards" is not an object';
  if (v === 1 && !Array.isArray(data.reviews)) return '"reviews" is not an array';
  if (v >= 2 && (typeof data.logBytes !== 'number' || data.logBytes < 0)) return '"logBytes" is not a byte count';
  if (v >= 2 && !isRecord(data.days)) return '"days" is not an object';
  for (const key of ['lessonsRead', 'lessonsSkipped', 'labsRun', 'drills', 'settings']) {
    if (data[key] !== undefined && !isRecord(data[key])) return `"${key}" is not an object`;
  }
  for (const key of ['interviews', 'fits']) {
    if (data[key] !== undefined && !Array.isArray(data[key])) return `"${key}" is not an array`;
  }
  return undefined;
}

/** Fill fields a valid hand-edited document may lack. */
export function normalise(data: Record<string, unknown>): ProgressDoc {
  return { ...emptyDoc(), ...(data as Partial<ProgressDoc>) } as ProgressDoc;
}

export const isV1 = (data: Record<string, unknown>): boolean => data.schemaVersion === 1;
