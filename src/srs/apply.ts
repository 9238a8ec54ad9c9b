/**
 * The one way a log record changes derived state (card states and day statistics): used live, when a session
 * records an answer, and on recovery, when a log tail that never reached the snapshot is replayed.
 */
import { countAnswer, recountAnswer, uncountAnswer, type Days } from './days.js';
import type { Scheduler } from './scheduler.js';
import { isAmend, isReset, isUndo, topicOfCard, type AmendRecord, type Grade, type LogRecord, type ReviewRecord, type StoredCard, type UndoRecord } from './types.js';

export interface DerivedState {
  cards: Record<string, StoredCard>;
  days: Days;
}

export interface Applied {
  readonly before: StoredCard | undefined;
  readonly after: StoredCard;
}

/** What a live session knows about the answer it amends, so the common case needs no log scan. */
export interface AmendHint {
  readonly before: StoredCard | undefined;
  readonly after: StoredCard;
  readonly rating: Grade;
  readonly reviewedAt: string;
  /** Time the answer took, to take it back out of the day's total on undo. */
  readonly ms?: number;
}

/**
 * Every card's reviews in time order, with resets, undos and amends among `records` applied. `only` limits
 * the work to the cards it accepts (one card, when rebuilding it).
 */
export function resolveAll(records: readonly LogRecord[], only: (card: string) => boolean = () => true): Map<string, ReviewRecord[]> {
  const byCard = new Map<string, Map<string, ReviewRecord>>();
  for (const r of records) {
    if (isReset(r)) {
      for (const card of byCard.keys()) if (topicOfCard(card) === r.reset) byCard.delete(card);
      continue;
    }
    if (!only(r.card)) continue;
    let reviews = byCard.get(r.card);
    if (!reviews) byCard.set(r.card, (reviews = new Map()));
    if (isUndo(r)) reviews.delete(r.undo);
    else if (!isAmend(r)) reviews.set(r.id, r);
    else {
      const target = reviews.get(r.amend);
      if (target) reviews.set(r.amend, { ...target, rating: r.rating });
    }
  }
  const out = new Map<string, ReviewRecord[]>();
  for (const [card, reviews] of byCard) if (reviews.size) out.set(card, [...reviews.values()].sort((a, b) => a.at.localeCompare(b.at)));
  return out;
}

/** One card's reviews in time order, with the amends among `records` applied. */
export function resolveHistory(records: readonly LogRecord[], card: string): ReviewRecord[] {
  return resolveAll(records, (c) => c === card).get(card) ?? [];
}

const sameCard = (a: StoredCard | undefined, b: StoredCard) => a !== undefined && a.reps === b.reps && a.due === b.due && a.last_review === b.last_review && a.stability === b.stability;

function applyAmend(state: DerivedState, rec: AmendRecord, s: Scheduler, history: () => readonly LogRecord[], hint?: AmendHint): Applied | undefined {
  if (hint && sameCard(state.cards[rec.card], hint.after)) {
    // Nothing touched the card since the answer: re-answer it from the state before.
    const after = s.next(hint.before, rec.rating, new Date(hint.reviewedAt));
    state.cards[rec.card] = after;
    recountAnswer(state.days, hint.before, hint.rating, rec.rating, new Date(hint.reviewedAt));
    return { before: hint.before, after };
  }
  // Someone else answered the card meanwhile (another session), or this is recovery: rebuild from the log.
  const records = history();
  const self = records.findIndex((r) => isAmend(r) && r.amend === rec.amend && r.at === rec.at);
  const prior = resolveHistory(self >= 0 ? records.slice(0, self) : records, rec.card);
  const i = prior.findIndex((r) => r.id === rec.amend);
  if (i < 0) return undefined;
  const before = s.replay(prior.slice(0, i));
  const reviews = prior.map((r, j) => (j === i ? { ...r, rating: rec.rating } : r));
  const after = s.replay(reviews)!;
  state.cards[rec.card] = after;
  recountAnswer(state.days, before, prior[i]!.rating, rec.rating, new Date(prior[i]!.at));
  return { before, after };
}

function applyUndo(state: DerivedState, rec: UndoRecord, s: Scheduler, history: () => readonly LogRecord[], hint?: AmendHint): Applied | undefined {
  const setCard = (card: StoredCard | undefined) => {
    if (card) state.cards[rec.card] = card;
    else delete state.cards[rec.card];
  };
  if (hint && sameCard(state.cards[rec.card], hint.after)) {
    setCard(hint.before);
    uncountAnswer(state.days, hint.before, hint.rating, new Date(hint.reviewedAt), hint.ms);
    return undefined;
  }
  const records = history();
  const self = records.findIndex((r) => isUndo(r) && r.undo === rec.undo && r.at === rec.at);
  const prior = resolveHistory(self >= 0 ? records.slice(0, self) : records, rec.card);
  const i = prior.findIndex((r) => r.id === rec.undo);
  if (i < 0) return undefined;
  const before = s.replay(prior.slice(0, i));
  uncountAnswer(state.days, before, prior[i]!.rating, new Date(prior[i]!.at), prior[i]!.ms);
  setCard(s.replay(prior.filter((_, j) => j !== i)));
  return undefined;
}

/**
 * Apply one record. `history` returns the log's records (only needed, and only called, to rebuild a card
 * whose amend cannot be applied from `hint`). Returns the card before and after, or undefined for an amend
 * of a review the log does not hold.
 */
export function applyRecord(state: DerivedState, rec: LogRecord, s: Scheduler, history: () => readonly LogRecord[], hint?: AmendHint): Applied | undefined {
  if (isReset(rec)) {
    const prefix = `${rec.reset}/`;
    for (const id of Object.keys(state.cards)) if (id.startsWith(prefix)) delete state.cards[id];
    return undefined;
  }
  if (isAmend(rec)) return applyAmend(state, rec, s, history, hint);
  if (isUndo(rec)) return applyUndo(state, rec, s, history, hint);
  const before = state.cards[rec.card];
  const at = new Date(rec.at);
  const after = s.next(before, rec.rating, at);
  state.cards[rec.card] = after;
  countAnswer(state.days, before, rec.rating, at, rec.ms);
  return { before, after };
}
