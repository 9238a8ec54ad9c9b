/**
 * One quiz session, independent of the terminal: the UI, the recorder (progress store) and the clock are
 * passed in. Each answer is recorded before its feedback is shown, so leaving at any point loses nothing.
 */
import type { CompiledQuestion } from '../content/types.js';
import type { Grade, StoredCard } from '../srs/types.js';
import { QUIT, SKIP, type Quit, type Skip } from '../util/quit.js';
import { grade, type Graded, type Response } from './grade.js';
import { present, type Presented } from './present.js';
import { requeuePosition } from './session.js';

export interface AskItem {
  readonly question: CompiledQuestion;
  readonly presented: Presented;
  /** 1-based number of this question in the session. */
  readonly number: number;
  /** Questions still queued after this one. */
  readonly remaining: number;
  /** Asked before in this session (failed earlier). */
  readonly again: boolean;
}

export interface FeedbackItem extends AskItem {
  readonly response: Response;
  readonly graded: Graded;
  /** First time this card was ever answered. */
  readonly isNew: boolean;
  /** The card after the recorded answer, and what each rating would have given (for override hints). */
  readonly card: StoredCard;
  readonly preview: Readonly<Record<Grade, StoredCard>>;
  readonly now: Date;
  /** The card will be asked again later in this session. */
  readonly comesBack: boolean;
}

export interface FeedbackChoice {
  /** A rating other than the earned one, chosen by the learner (Hard/Easy, or any for recall). */
  readonly override?: Grade;
  /** Take the answer back and ask the question again (a misclick, as Anki's undo). */
  readonly undo?: boolean;
  readonly quit: boolean;
}

export interface QuizUI {
  /** SKIP: the learner passes; nothing is recorded and the card stays as it was. */
  ask(item: AskItem): Promise<Response | Quit | Skip>;
  feedback(item: FeedbackItem): Promise<FeedbackChoice>;
}

export interface Recorded {
  readonly reviewId: string;
  readonly before: StoredCard | undefined;
  readonly after: StoredCard;
  readonly preview: Readonly<Record<Grade, StoredCard>>;
}

export interface Recorder {
  record(cardId: string, rating: Grade, at: Date, ms: number): Promise<Recorded>;
  /** Replace the rating of a recorded answer; returns the card recomputed from its log. */
  amend(reviewId: string, cardId: string, rating: Grade): Promise<StoredCard>;
  /** Take a recorded answer back: the card returns to its state before it. */
  undo(reviewId: string, cardId: string): Promise<void>;
}

export interface DriveDeps {
  readonly ui: QuizUI;
  readonly recorder: Recorder;
  readonly clock: () => Date;
  readonly seed: number;
}

export interface Answered {
  readonly cardId: string;
  readonly correct: boolean;
  readonly rating: Grade;
  readonly card: StoredCard;
}

export interface SessionResult {
  readonly answered: readonly Answered[];
  /** Left with q/Esc before the queue was empty. */
  readonly left: boolean;
  /** Cards still in learning that will come back within minutes. */
  readonly pending: number;
}

export async function drive(queue: readonly CompiledQuestion[], deps: DriveDeps): Promise<SessionResult> {
  const { ui, recorder, clock } = deps;
  const todo = [...queue];
  const asked = new Map<string, number>();
  const answered: Answered[] = [];
  const result = (left: boolean): SessionResult => {
    const last = new Map(answered.map((a) => [a.cardId, a.card]));
    const pending = [...last.values()].filter((c) => c.state === 1 || c.state === 3).length;
    return { answered, left, pending };
  };
  while (todo.length) {
    const question = todo.shift()!;
    const times = asked.get(question.cardId) ?? 0;
    asked.set(question.cardId, times + 1);
    // A fresh shuffle when a failed card returns, so the answer is not remembered by position.
    const presented = present(question, deps.seed + times);
    const item: AskItem = { question, presented, number: answered.length + 1, remaining: todo.length, again: times > 0 };
    const started = clock();
    const response = await ui.ask(item);
    if (response === QUIT) return result(true);
    if (response === SKIP) continue;
    const graded = grade(presented, response);
    const at = clock();
    const saved = await recorder.record(question.cardId, graded.rating, at, at.getTime() - started.getTime());
    const pos = requeuePosition(saved.after, at, todo.length);
    const choice = await ui.feedback({ ...item, isNew: saved.before === undefined, response, graded, card: saved.after, preview: saved.preview, now: at, comesBack: pos >= 0 });
    if (choice.undo) {
      await recorder.undo(saved.reviewId, question.cardId);
      asked.set(question.cardId, times);
      todo.unshift(question);
      continue;
    }
    let card = saved.after;
    let rating = graded.rating;
    if (choice.override !== undefined && choice.override !== graded.rating) {
      card = await recorder.amend(saved.reviewId, question.cardId, choice.override);
      rating = choice.override;
    }
    answered.push({ cardId: question.cardId, correct: graded.correct, rating, card });
    if (choice.quit) return result(true);
    const back = requeuePosition(card, at, todo.length);
    if (back >= 0) todo.splice(back, 0, question);
  }
  return result(false);
}
