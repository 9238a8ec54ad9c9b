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

/** Whether an ISO time is at or before `now`: canonical toISOString() text compares as text, anything else is parsed. */
function dueBy(due: string, nowIso: string, now: number): boolean {
  return due.length === nowIso.length && due.endsWith('Z') ? due <= nowIso : Date.parse(due) <= now;
}

/** The `k` items with the lowest score, lowest first: a full sort only when most of them are wanted. */
export function lowest<T>(items: readonly T[], score: (x: T) => number, k: number): T[] {
  const scores = Float64Array.from(items, score);
  const order = Array.from(items.keys());
  if (k * 4 >= items.length) return order.sort((a, b) => scores[a]! - scores[b]! || a - b).slice(0, k).map((i) => items[i]!);
  // Keep the k best seen so far, sorted; most items lose to the current k-th and cost one comparison.
  const best: number[] = [];
  for (const i of order) {
    if (best.length === k && scores[i]! >= scores[best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && scores[best[at - 1]!]! > scores[i]!) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((i) => items[i]!);
}

export function buildSession(input: SessionInput): CompiledQuestion[] {
  const { cards } = input;
  const now = input.now.getTime();
  const nowIso = input.now.toISOString();
  // One pass over the scope: this runs over every card in a deck at the start of each session.
  const fresh: CompiledQuestion[] = [];
  const due: { q: CompiledQuestion; r: number }[] = [];
  const later: { q: CompiledQuestion; due: string }[] = [];
  for (const q of input.questions) {
    const c = cards[q.cardId];
    if (!c || c.state === 0) fresh.push(q);
    else if (dueBy(c.due, nowIso, now)) due.push({ q, r: input.retrievability(c) });
    else later.push({ q, due: c.due });
  }
  fresh.sort((a, b) => a.difficulty - b.difficulty);
  const cap = input.count;
  const limit = (n: number) => (cap === undefined ? Math.max(0, n) : cap);
  const mostDue = (k: number) => lowest(due, (x) => x.r, k).map((x) => x.q);

  switch (input.mode) {
    case 'new':
      return fresh.slice(0, limit(input.newLeft));
    case 'due':
      return mostDue(limit(input.reviewsLeft));
    case 'all': {
      // Practise ahead: everything in scope, soonest-due first, then what was never seen.
      const all = [...mostDue(due.length), ...lowest(later, (x) => Date.parse(x.due), later.length).map((x) => x.q), ...fresh];
      return cap === undefined ? all : all.slice(0, cap);
    }
    case 'default': {
      const mixed = interleave(mostDue(Math.max(0, input.reviewsLeft)), fresh.slice(0, Math.max(0, input.newLeft)));
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
