/** `backend-tutor interview`: a timed mock interview over the learner's weakest material, ending with a scorecard. */
import type { AppContext } from '../app/context.js';
import { createRecorder } from '../app/quiz-session.js';
import { runDrill } from '../app/run-drill.js';
import { nextDrill } from '../quiz/drill.js';
import { requireTerminal, resolveTopic } from '../app/topic-arg.js';
import type { CompiledQuestion } from '../content/types.js';
import { sectionFor } from '../content/sections.js';
import { UsageError, Interrupted } from '../errors.js';
import { planInterview } from '../quiz/interview-plan.js';
import { runInterview } from '../quiz/interview.js';
import { buildScorecard, type Scorecard } from '../quiz/scorecard.js';
import { createInterviewView } from '../render/interview-view.js';
import { renderScorecard } from '../render/scorecard-view.js';
import { createScheduler } from '../srs/scheduler.js';
import { settingsOf } from '../store/document.js';
import { createRng } from '../util/random.js';

export interface InterviewOptions {
  readonly minutes?: number;
  readonly topics?: readonly string[];
  readonly seed?: number;
  readonly json?: boolean;
  readonly last?: boolean;
  readonly drill?: boolean;
}

/** Interviews kept in the progress file: enough for a long trend, small enough to load on every start. */
const KEEP = 200;

export async function run(ctx: AppContext, _args: readonly string[], opts: InterviewOptions): Promise<number> {
  const topics = (opts.topics ?? []).map((q) => resolveTopic(ctx, q));
  if (opts.last) return showLast(ctx, opts);
  requireTerminal(ctx, 'A mock interview', 'In a pipe, `backend-tutor interview --last --json` prints the last scorecard.');
  const minutes = opts.minutes ?? 30;
  const index = ctx.content.index().topics;
  const scope = (topics.length ? topics : index).filter((t) => t.questions > 0);
  if (!scope.length) throw new UsageError('None of those topics has questions yet: `backend-tutor topics` shows which do.');

  const doc = await ctx.store.read();
  const scheduler = createScheduler(settingsOf(doc));
  const now = ctx.now();
  const seed = opts.seed ?? ctx.randomSeed();
  const plan = planInterview({
    topics: scope.map((t) => ({ id: t.id, prerequisites: t.prerequisites, questions: ctx.content.topic(t.id).questions })),
    cards: doc.cards,
    retrievability: (c) => scheduler.retrievability(c, now),
    minutes,
    rng: createRng(seed),
  });
  const titles = new Map(index.map((t) => [t.id, t.title]));
  const topicTitle = (id: string) => titles.get(id) ?? id;
  const { theme: t, io } = ctx;
  io.say(t.bold(`Mock interview: ${minutes} minute${minutes === 1 ? '' : 's'}, your weakest material first.`));
  io.say(t.dim('No explanations until the end, as in the real thing. Tab skips a question; q or Esc ends the interview early. Every answer also counts as a review.'));

  const ui = createInterviewView({ theme: t, width: io.columns, write: io.write, topicTitle, lexicon: ctx.content.lexicon(), now: ctx.now });
  let result;
  try {
    result = await runInterview(plan, { ui, recorder: createRecorder(ctx, scheduler), clock: ctx.now, seed, minutes });
  } catch (error) {
    if (error instanceof Interrupted) throw new Interrupted('Interrupted. Every answer you gave is saved as a review; this interview has no scorecard.');
    throw error;
  }
  if (!result.entries.length) {
    io.say(t.dim('No questions answered: no scorecard this time.'));
    return 0;
  }
  const byId = new Map(plan.map((q) => [q.cardId, q]));
  const card = buildScorecard({
    run: result,
    at: now,
    minutes,
    question: (id) => byId.get(id),
    sectionOf: (q: CompiledQuestion) => {
      const body = ctx.content.topic(q.topic).lesson?.body;
      return body ? sectionFor(q, body) : undefined;
    },
  });
  await ctx.store.update((d) => {
    d.interviews = [...d.interviews, card].slice(-KEEP);
  });
  if (opts.json) {
    io.write(`${JSON.stringify(card, null, 2)}\n`);
    return 0;
  }
  io.write('\n');
  io.write(`${renderScorecard(card, { theme: t, width: io.columns(), topicTitle, promptOf: (id) => byId.get(id)?.prompt ?? id }).join('\n')}\n`);
  if (opts.drill) await endWithDrill(ctx);
  return 0;
}

async function endWithDrill(ctx: AppContext): Promise<void> {
  const doc = await ctx.store.read();
  const drill = nextDrill(ctx.content.drills(), doc.drills);
  if (!drill) return;
  ctx.io.say(`\n${ctx.theme.bold('And now the design round.')}`);
  await runDrill(ctx, drill);
}

async function showLast(ctx: AppContext, opts: InterviewOptions): Promise<number> {
  const doc = await ctx.store.read();
  const last: Scorecard | undefined = doc.interviews.at(-1);
  if (!last) {
    ctx.io.error('No mock interview yet: run `backend-tutor interview` in a terminal.');
    return 1;
  }
  if (opts.json) {
    ctx.io.write(`${JSON.stringify(last, null, 2)}\n`);
    return 0;
  }
  const titles = new Map(ctx.content.index().topics.map((t) => [t.id, t.title]));
  const promptOf = (cardId: string) => {
    const topic = cardId.slice(0, cardId.indexOf('/'));
    return ctx.content.topic(topic).questions.find((q) => q.cardId === cardId)?.prompt ?? cardId;
  };
  ctx.io.write(`${renderScorecard(last, { theme: ctx.theme, width: ctx.io.columns(), topicTitle: (id) => titles.get(id) ?? id, promptOf }).join('\n')}\n`);
  return 0;
}
