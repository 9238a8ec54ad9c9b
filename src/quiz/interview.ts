/**
 * A mock interview, independent of the terminal: questions asked once each against a clock; every answer is
 * recorded as a review before the next question, a skip is not (nothing was recalled).
 */
import type { CompiledQuestion } from '../content/types.js';
import type { Grade } from '../srs/types.js';
import { QUIT, SKIP, type Quit, type Skip } from '../util/quit.js';
import type { Recorder } from './drive.js';
import { grade, type Graded, type Response } from './grade.js';
import { present, type Presented } from './present.js';

export interface InterviewAsk {
  readonly question: CompiledQuestion;
  readonly presented: Presented;
  readonly number: number;
  /** When time is up (the question in progress may still be answered). */
  readonly deadline: Date;
}

export interface InterviewUI {
  ask(item: InterviewAsk): Promise<Response | Skip | Quit>;
  /** A one-line verdict; no explanation until the scorecard, as in an interview. */
  verdict(item: InterviewAsk, graded: Graded): void;
}

export interface InterviewEntry {
  readonly cardId: string;
  readonly topic: string;
  readonly kind: CompiledQuestion['kind'];
  readonly outcome: 'right' | 'wrong' | 'skipped';
  /** Credit 0..1: recall earns the share of key points covered. */
  readonly credit: number;
  readonly rating?: Grade;
  readonly ms: number;
  /** Recall: the key points the answer did not cover. */
  readonly missed?: readonly string[];
}

export interface InterviewRun {
  readonly entries: readonly InterviewEntry[];
  readonly ended: 'time' | 'done' | 'quit';
  readonly elapsedMs: number;
}

export interface InterviewDeps {
  readonly ui: InterviewUI;
  readonly recorder: Pick<Recorder, 'record'>;
  readonly clock: () => Date;
  readonly seed: number;
  readonly minutes: number;
}

function credit(graded: Graded): number {
  return graded.covered ? graded.covered.hit / Math.max(1, graded.covered.of) : graded.correct ? 1 : 0;
}

export async function runInterview(plan: readonly CompiledQuestion[], deps: InterviewDeps): Promise<InterviewRun> {
  const { ui, clock } = deps;
  const start = clock();
  const deadline = new Date(start.getTime() + deps.minutes * 60_000);
  const entries: InterviewEntry[] = [];
  const done = (ended: InterviewRun['ended']): InterviewRun => ({ entries, ended, elapsedMs: clock().getTime() - start.getTime() });
  for (const question of plan) {
    if (clock() >= deadline) return done('time');
    const presented = present(question, deps.seed);
    const item: InterviewAsk = { question, presented, number: entries.length + 1, deadline };
    const asked = clock();
    const response = await ui.ask(item);
    if (response === QUIT) return done('quit');
    const at = clock();
    const ms = at.getTime() - asked.getTime();
    const base = { cardId: question.cardId, topic: question.topic, kind: question.kind, ms };
    if (response === SKIP) {
      entries.push({ ...base, outcome: 'skipped', credit: 0 });
      continue;
    }
    const graded = grade(presented, response);
    await deps.recorder.record(question.cardId, graded.rating, at, ms);
    const missed = presented.kind === 'recall' && response.kind === 'recall' ? presented.points.filter((_, i) => !response.covered.includes(i)) : undefined;
    entries.push({ ...base, outcome: graded.correct ? 'right' : 'wrong', credit: credit(graded), rating: graded.rating, ...(missed?.length ? { missed } : {}) });
    ui.verdict(item, graded);
  }
  return done(clock() >= deadline ? 'time' : 'done');
}
