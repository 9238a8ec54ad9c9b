/** Wires the quiz driver to the progress store, the scheduler and the terminal view; shared by quiz and study. */
import type { CompiledQuestion } from '../content/types.js';
import { drive, type Recorder, type SessionResult } from '../quiz/drive.js';
import { buildSession, type SessionMode } from '../quiz/session.js';
import { createQuizView } from '../render/quiz-view.js';
import { formatInterval, percent } from '../render/format.js';
import { createScheduler, type Scheduler } from '../srs/scheduler.js';
import { isDue, todayCounts } from '../srs/stats.js';
import { settingsOf, type ProgressDoc } from '../store/document.js';
import type { Grade, StoredCard } from '../srs/types.js';
import type { AppContext } from './context.js';
import { createRng, shuffled } from '../util/random.js';
import { Interrupted } from '../errors.js';

/** Every question of the given topics, in roadmap then bank order. */
export function questionsOf(ctx: AppContext, topicIds: readonly string[]): CompiledQuestion[] {
  return topicIds.flatMap((id) => ctx.content.topic(id).questions);
}

/** Questions whose cards are due now, from any topic (loads only the topics that have some). */
export function dueQuestions(ctx: AppContext, doc: ProgressDoc, now: Date): CompiledQuestion[] {
  const topics = new Set<string>();
  for (const [id, card] of Object.entries(doc.cards)) if (isDue(card, now)) topics.add(id.split('/')[0]!);
  const order = ctx.content.index().topics.filter((t) => topics.has(t.id)).map((t) => t.id);
  return questionsOf(ctx, order).filter((q) => {
    const c = doc.cards[q.cardId];
    return c !== undefined && isDue(c, now);
  });
}

export interface QuizRun {
  readonly scope: readonly CompiledQuestion[];
  readonly mode: SessionMode;
  readonly count?: number;
  readonly seed?: number;
}

export function createRecorder(ctx: AppContext, scheduler: Scheduler): Recorder {
  const answered = new Map<string, { readonly before: StoredCard | undefined; readonly after: StoredCard; readonly rating: Grade; readonly at: string; readonly ms?: number }>();
  return {
    async record(cardId, rating, at, ms) {
      const { randomBytes } = await import('node:crypto');
      const id = `${at.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
      const applied = await ctx.store.append({ id, card: cardId, rating, at: at.toISOString(), ms });
      if (!applied) throw new Error(`the answer to ${cardId} was not recorded`);
      answered.set(id, { ...applied, rating, at: at.toISOString(), ms });
      const preview = scheduler.preview(applied.before, at);
      return { reviewId: id, before: applied.before, after: applied.after, preview };
    },
    async amend(reviewId, cardId, rating) {
      const was = answered.get(reviewId);
      const hint = was && { before: was.before, after: was.after, rating: was.rating, reviewedAt: was.at };
      const applied = await ctx.store.append({ amend: reviewId, card: cardId, rating, at: ctx.now().toISOString() }, hint);
      if (!applied) throw new Error(`review ${reviewId} of ${cardId} is not in the log`);
      answered.set(reviewId, { before: applied.before, after: applied.after, rating, at: was?.at ?? ctx.now().toISOString() });
      return applied.after;
    },
    async undo(reviewId, cardId) {
      const was = answered.get(reviewId);
      const hint = was && { before: was.before, after: was.after, rating: was.rating, reviewedAt: was.at, ...(was.ms === undefined ? {} : { ms: was.ms }) };
      await ctx.store.append({ undo: reviewId, card: cardId, at: ctx.now().toISOString() }, hint);
      answered.delete(reviewId);
    },
  };
}

/** Build the session and run it; returns undefined when there was nothing to ask. */
export async function runQuizSession(ctx: AppContext, run: QuizRun): Promise<SessionResult | undefined> {
  const doc = await ctx.store.read();
  const settings = settingsOf(doc);
  const scheduler = createScheduler(settings);
  const now = ctx.now();
  const today = todayCounts(doc.days, now);
  const seed = run.seed ?? ctx.randomSeed();
  const built = buildSession({
    questions: run.scope,
    cards: doc.cards,
    now,
    mode: run.mode,
    newLeft: settings.newPerDay - today.newCards,
    reviewsLeft: settings.maxReviewsPerDay - today.reviews,
    ...(run.count === undefined ? {} : { count: run.count }),
    retrievability: (c) => scheduler.retrievability(c, now),
  });
  const queue = settings.shuffle ? shuffled(built, createRng(seed)) : built;
  if (!queue.length) return undefined;
  const titles = new Map(ctx.content.index().topics.map((t) => [t.id, t.title]));
  const ui = createQuizView({
    theme: ctx.theme,
    width: ctx.io.columns,
    write: ctx.io.write,
    topicTitle: (id) => titles.get(id) ?? id,
    lexicon: ctx.content.lexicon(),
  });
  const { theme: t } = ctx;
  const intro = `${queue.length} question${queue.length === 1 ? '' : 's'} in this session. Leave any time with q or Esc: every answer is saved as you go.`;
  ctx.io.say(t.dim(intro));
  let result: SessionResult;
  try {
    result = await drive(queue, { ui, recorder: createRecorder(ctx, scheduler), clock: ctx.now, seed });
  } catch (error) {
    if (error instanceof Interrupted) throw new Interrupted('Interrupted. Every answer you gave is saved.');
    throw error;
  }
  ctx.io.say(`\n${sessionSummary(ctx, result)}`);
  return result;
}

function sessionSummary(ctx: AppContext, r: SessionResult): string {
  const { theme: t } = ctx;
  const n = r.answered.length;
  if (n === 0) return t.dim('No answers this time.');
  const right = r.answered.filter((a) => a.correct).length;
  const lines = [t.bold(`${r.left ? 'Session paused' : 'Session complete'}: ${n} answered, ${right} right (${percent(right / n)}).`)];
  const now = ctx.now().getTime();
  const last = new Map(r.answered.map((a) => [a.cardId, a.card]));
  const dues = [...last.values()].map((c) => Date.parse(c.due) - now).sort((a, b) => a - b);
  if (r.pending) lines.push(r.pending === 1 ? '1 card is still being learnt: it comes back in a few minutes.' : `${r.pending} cards are still being learnt: they come back in a few minutes.`);
  const firstLater = dues.find((d) => d > 20 * 60_000);
  if (firstLater !== undefined) lines.push(t.dim(`The first of today's cards comes back in ${formatInterval(firstLater)}.`));
  return lines.join('\n');
}
