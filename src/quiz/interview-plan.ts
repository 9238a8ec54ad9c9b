/**
 * Which questions a mock interview asks, in what order: the learner's weakest material first (leeches, then
 * low retrievability, then topics not yet studied whose prerequisites are known), spread across topics, and
 * mixed the way an interviewer moves from a quick check to "explain" to "what breaks when…".
 */
import type { CompiledQuestion } from '../content/types.js';
import { LEECH_LAPSES } from '../srs/dashboard.js';
import type { StoredCard } from '../srs/types.js';

export interface PlanTopic {
  readonly id: string;
  readonly prerequisites: readonly string[];
  readonly questions: readonly CompiledQuestion[];
}

export interface PlanInput {
  /** Topics in scope, in roadmap order. */
  readonly topics: readonly PlanTopic[];
  readonly cards: Readonly<Record<string, StoredCard>>;
  readonly retrievability: (card: StoredCard) => number;
  /** Time box in minutes: the plan holds a little more than fits, the clock decides where it ends. */
  readonly minutes: number;
  readonly rng: () => number;
}

/** Interview beats: a quick check, an explanation, then a harder "what happens / what breaks" question. */
export type Beat = 'check' | 'explain' | 'deep';
const BEATS: readonly Beat[] = ['check', 'explain', 'deep'];

export function beatOf(q: CompiledQuestion): Beat {
  if (q.kind === 'recall') return 'explain';
  if (q.difficulty === 3 || q.kind === 'output' || q.kind === 'order') return 'deep';
  return 'check';
}

/** Rough seconds a question takes in an interview, to size the plan to the time box. */
export function expectedSeconds(q: CompiledQuestion): number {
  switch (q.kind) {
    case 'recall':
      return 150;
    case 'output':
    case 'order':
    case 'multi':
      return 75;
    default:
      return 45;
  }
}

/** A topic counts as known once a third of its cards are seen and they are mostly remembered. */
const KNOWN_SEEN_SHARE = 1 / 3;
const KNOWN_RETRIEVABILITY = 0.7;
/** Weakness of a card never seen: below a card more likely forgotten than not, ordered by readiness. */
const UNSEEN = { ready: 0.6, started: 0.5, near: 0.35, later: 0.2 } as const;

export interface Scored {
  readonly question: CompiledQuestion;
  /** Higher is weaker: what the interview should probe first. */
  readonly weakness: number;
  readonly reason: 'leech' | 'forgetting' | 'unseen';
}

/**
 * Every question in scope, scored. Unseen material ranks by readiness: topics whose prerequisites are known
 * first, then those whose prerequisites are at least started, then the rest (a new learner still gets a
 * full interview).
 */
export function scoreQuestions(input: Pick<PlanInput, 'topics' | 'cards' | 'retrievability'>): Map<string, Scored[]> {
  const { cards } = input;
  const seen = (t: PlanTopic) => t.questions.filter((q) => (cards[q.cardId]?.state ?? 0) !== 0);
  const started = new Set(input.topics.filter((t) => seen(t).length > 0).map((t) => t.id));
  const known = new Set(
    input.topics
      .filter((t) => {
        const s = seen(t);
        if (!t.questions.length || s.length < t.questions.length * KNOWN_SEEN_SHARE) return false;
        return s.reduce((sum, q) => sum + input.retrievability(cards[q.cardId]!), 0) / s.length >= KNOWN_RETRIEVABILITY;
      })
      .map((t) => t.id),
  );
  // A prerequisite outside the scope (--topics) cannot be checked here: it does not hold a topic back.
  const inScope = new Set(input.topics.map((t) => t.id));
  const all = (t: PlanTopic, ok: ReadonlySet<string>) => t.prerequisites.every((p) => ok.has(p) || !inScope.has(p));
  const unseenWeakness = (t: PlanTopic) => (started.has(t.id) ? UNSEEN.started : all(t, known) ? UNSEEN.ready : all(t, started) ? UNSEEN.near : UNSEEN.later);
  const out = new Map<string, Scored[]>();
  for (const t of input.topics) {
    if (!t.questions.length) continue;
    const unseen = unseenWeakness(t);
    out.set(
      t.id,
      t.questions.map((question) => {
        const c = cards[question.cardId];
        if (!c || c.state === 0) return { question, weakness: unseen, reason: 'unseen' };
        const forgetting = 1 - input.retrievability(c) + 0.05 * Math.min(c.lapses, 5);
        if (c.lapses >= LEECH_LAPSES) return { question, weakness: 2 + forgetting, reason: 'leech' };
        return { question, weakness: forgetting, reason: 'forgetting' };
      }),
    );
  }
  return out;
}

/** How much each question already asked from a topic lowers that topic's next question: spreads the interview. */
const REPEAT_PENALTY = 0.25;

/**
 * The plan: at each step the weakest question anywhere, less a penalty for topics already asked (so the
 * interview spreads across topics), preferring the question that fits the next beat when it is nearly as weak.
 * Ties are broken by the seeded rng, so repeated interviews vary.
 */
export function planInterview(input: PlanInput): CompiledQuestion[] {
  const jitter = new Map<string, number>();
  const tie = (q: CompiledQuestion) => {
    if (!jitter.has(q.cardId)) jitter.set(q.cardId, input.rng() * 0.01);
    return jitter.get(q.cardId)!;
  };
  const pools = [...scoreQuestions(input).values()].map((scored) => [...scored].sort((a, b) => b.weakness + tie(b.question) - (a.weakness + tie(a.question))));
  const asked = pools.map(() => 0);
  const budget = input.minutes * 60 * 1.25;
  const plan: CompiledQuestion[] = [];
  let seconds = 0;
  while (seconds < budget) {
    const want = BEATS[plan.length % BEATS.length]!;
    let best: { pool: number; at: number; score: number } | undefined;
    pools.forEach((left, i) => {
      if (!left.length) return;
      const fit = left.findIndex((s) => beatOf(s.question) === want);
      const at = fit >= 0 && left[fit]!.weakness >= left[0]!.weakness - 0.3 ? fit : 0;
      const score = left[at]!.weakness + tie(left[at]!.question) - REPEAT_PENALTY * asked[i]!;
      if (!best || score > best.score) best = { pool: i, at, score };
    });
    if (!best) break;
    const { pool, at } = best;
    const [chosen] = pools[pool]!.splice(at, 1);
    asked[pool]!++;
    plan.push(chosen!.question);
    seconds += expectedSeconds(chosen!.question);
  }
  return plan;
}
