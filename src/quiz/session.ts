/**
 * Which questions a session asks, in what order: due cards first by lowest retrievability, new cards up to
 * the day's limit, interleaved; cards failed during the session come back a few questions later.
 */
import type { CompiledQuestion } from '../content/types.js';
import type { StoredCard } from '../srs/types.js';

export type SessionMode = 'default' | 'new' | 'due' | 'all';

export interface SessionInput {
  /** Every question in scope (selected topics), in roadmap then bank order. */
  readonly questions: readonly CompiledQuestion[];
  readonly cards: Readonly<Record<string, StoredCard>>;
  readonly now: Date;
  readonly mode: SessionMode;
  /** New cards still allowed today, reviews still allowed today. */
  readonly newLeft: number;
  readonly reviewsLeft: number;
  /** Cap on the session's length, overriding the daily limits when given. */
  readonly count?: number;
  readonly retrievability: (card: StoredCard) => number;
}

/** Spread `b` evenly through `a`: one new card every few reviews, as Anki does. */
export function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  if (!a.length || !b.length) return [...a, ...b];
  const out: T[] = [];
  const step = (a.length + b.length) / b.length;
  let ai = 0;
  let bi = 0;
  for (let i = 0; i < a.length + b.length; i++) {
    const bDue = bi < b.length && (ai >= a.length || i + 1 >= Math.round((bi + 1) * step));
    out.push(bDue ? b[bi++]! : a[ai++]!);
  }
  return out;
}

export function buildSession(input: SessionInput): CompiledQuestion[] {
  const { cards } = input;
  const now = input.now.getTime();
  // One pass over the scope: this runs over every card in a deck at the start of each session.
  const fresh: CompiledQuestion[] = [];
  const dueScored: { q: CompiledQuestion; r: number }[] = [];
  const later: { q: CompiledQuestion; due: number }[] = [];
  for (const q of input.questions) {
    const c = cards[q.cardId];
    if (!c || c.state === 0) {
      fresh.push(q);
      continue;
    }
    const due = Date.parse(c.due);
    if (due <= now) dueScored.push({ q, r: input.retrievability(c) });
    else later.push({ q, due });
  }
  fresh.sort((a, b) => a.difficulty - b.difficulty);
  const due = dueScored.sort((a, b) => a.r - b.r).map((x) => x.q);
  const cap = input.count;
  const limit = (n: number) => (cap === undefined ? Math.max(0, n) : cap);

  switch (input.mode) {
    case 'new':
      return fresh.slice(0, limit(input.newLeft));
    case 'due':
      return due.slice(0, limit(input.reviewsLeft));
    case 'all': {
      // Practise ahead: everything in scope, soonest-due first, then what was never seen.
      const all = [...due, ...later.sort((a, b) => a.due - b.due).map((x) => x.q), ...fresh];
      return cap === undefined ? all : all.slice(0, cap);
    }
    case 'default': {
      const mixed = interleave(due.slice(0, Math.max(0, input.reviewsLeft)), fresh.slice(0, Math.max(0, input.newLeft)));
      return cap === undefined ? mixed : mixed.slice(0, cap);
    }
  }
}

/** Minutes ahead within which a learning card is asked again in the same session (Anki's learn-ahead limit). */
export const LEARN_AHEAD_MINUTES = 20;
/** Questions asked in between before a failed card returns. */
export const REQUEUE_GAP = 3;

/** Where (index into the remaining queue) a just-answered card goes back, or -1 if it is done for today. */
export function requeuePosition(card: StoredCard, now: Date, remaining: number): number {
  const aheadMs = Date.parse(card.due) - now.getTime();
  if (aheadMs > LEARN_AHEAD_MINUTES * 60_000) return -1;
  return Math.min(REQUEUE_GAP, remaining);
}
