/** `backend-tutor study [topic]`: the guided path — a lesson, then its questions with the reviews that are due. */
import type { AppContext } from '../app/context.js';
import { overview } from '../app/overview.js';
import { dueQuestions, questionsOf, runQuizSession } from '../app/quiz-session.js';
import { notWrittenMessage, showLesson } from '../app/read-lesson.js';
import { requireTerminal, resolveTopic } from '../app/topic-arg.js';
import type { CompiledQuestion, TopicSummary } from '../content/types.js';
import { guarded } from '../render/prompts/guard.js';
import { keyPrompt } from '../render/prompts/keypress.js';
import { QUIT } from '../util/quit.js';
import { sanitize } from '../render/text.js';

export async function run(ctx: AppContext, args: readonly string[]): Promise<number> {
  const chosen = args[0] ? resolveTopic(ctx, args[0]) : undefined;
  requireTerminal(ctx, 'Studying', 'To print a lesson instead: `backend-tutor lesson <topic>`.');
  const { theme: t, io } = ctx;
  const doc = await ctx.store.read();
  const view = overview(ctx, doc, ctx.now());
  const topic = chosen ?? view.nextLesson;

  if (!topic) {
    io.say(`${t.ok(t.symbols.ok)} You have read every lesson written so far. Time for reviews.`);
    const result = await runQuizSession(ctx, { scope: dueQuestions(ctx, doc, ctx.now()), mode: 'default' });
    if (!result) io.say(`Nothing is due right now. Practise ahead: ${t.bold('backend-tutor quiz --all')}`);
    return 0;
  }
  if (!topic.written) {
    io.error(`${notWrittenMessage(topic)}\n`);
    return 1;
  }
  if (!chosen) {
    const skipped = view.topics.filter((r) => r.topic.order < topic.order && !r.topic.written).map((r) => r.topic.order);
    if (skipped.length) io.say(t.dim(`Lessons ${skipped.join(', ')} are not written yet, so the path starts further on.`));
  }
  io.say(`\n${t.heading(`Lesson ${topic.order} of 31: ${topic.title}`)} ${t.dim(`· about ${topic.minutes} minutes`)}\n${sanitize(topic.summary ?? '')}`);
  const start = await guarded(
    keyPrompt({
      message: '',
      choices: [
        { key: 'enter', label: 'read the lesson', value: 'read' as const },
        { key: 's', label: 'skip to its questions', value: 'skip' as const },
      ],
      theme: t,
      quit: true,
    }),
  );
  if (start === QUIT) return 0;
  if (start === 'read') await showLesson(ctx, topic);

  const scope = mergeScope(questionsOf(ctx, [topic.id]), dueQuestions(ctx, await ctx.store.read(), ctx.now()));
  if (scope.length) {
    io.say(`\n${t.bold(`Now the questions for ${topic.title}`)}${t.dim(', mixed with your reviews that are due.')}`);
    const result = await runQuizSession(ctx, { scope, mode: 'default' });
    if (!result) io.say(`${t.dim('Nothing to ask today: the day’s new cards are done and nothing is due.')}`);
    else if (result.left) return 0;
  }
  const after = overview(ctx, await ctx.store.read(), ctx.now()).nextLesson;
  io.say(`\n${nextStep(ctx, after)}`);
  return 0;
}

/** The lesson's questions plus every due card elsewhere, without duplicates. */
function mergeScope(topicQuestions: readonly CompiledQuestion[], due: readonly CompiledQuestion[]): CompiledQuestion[] {
  const ids = new Set(topicQuestions.map((q) => q.cardId));
  return [...topicQuestions, ...due.filter((q) => !ids.has(q.cardId))];
}

function nextStep(ctx: AppContext, next: TopicSummary | undefined): string {
  const { theme: t } = ctx;
  if (!next) return `That was the last lesson written so far. Keep reviewing with ${t.bold('backend-tutor quiz')}.`;
  return `Next: lesson ${next.order}, ${t.bold(next.title)}. Continue with ${t.bold('backend-tutor study')}.`;
}
