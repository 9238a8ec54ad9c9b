/** `backend-tutor study [topic]`: the guided path — a lesson, then its questions with the reviews that are due. */
import type { AppContext } from '../app/context.js';
import { overview } from '../app/overview.js';
import { dueQuestions, questionsOf, runQuizSession } from '../app/quiz-session.js';
import { notWrittenMessage, showLesson } from '../app/read-lesson.js';
import { requireTerminal, resolveTopic } from '../app/topic-arg.js';
import type { CompiledQuestion, TopicSummary } from '../content/types.js';
import { guarded } from '../render/prompts/guard.js';
import { keyPrompt, type KeyChoice } from '../render/prompts/keypress.js';
import { choicePrompt, menuPageSize } from '../render/prompts/choice.js';
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
  const picked = await choose(ctx, topic);
  if (!picked) return 0;
  const { topic: studied, action: start } = picked;
  if (start === 'read') await showLesson(ctx, studied);

  const scope = mergeScope(questionsOf(ctx, [studied.id]), dueQuestions(ctx, await ctx.store.read(), ctx.now()));
  if (scope.length) {
    io.say(`\n${t.bold(`Now the questions for ${studied.title}`)}${t.dim(', mixed with your reviews that are due.')}`);
    const result = await runQuizSession(ctx, { scope, mode: 'default' });
    if (!result) io.say(`${t.dim('Nothing to ask today: the day’s new cards are done and nothing is due.')}`);
    else if (result.left) return 0;
  }
  const after = overview(ctx, await ctx.store.read(), ctx.now()).nextLesson;
  io.say(`\n${nextStep(ctx, after)}`);
  return 0;
}

type Action = 'read' | 'questions';

/**
 * Offer a lesson: read it, go straight to its questions, skip it for now (the path moves on and remembers),
 * go back to the previous lesson, or pick any topic. Returns what to study, or undefined if the learner left.
 */
async function choose(ctx: AppContext, first: TopicSummary): Promise<{ topic: TopicSummary; action: Action } | undefined> {
  const { theme: t, io } = ctx;
  const written = ctx.content.index().topics.filter((x) => x.written);
  let topic = first;
  for (;;) {
    io.say(`\n${t.heading(`Lesson ${topic.order} of ${ctx.content.index().topics.length}: ${topic.title}`)} ${t.dim(`· about ${topic.minutes} minutes`)}\n${sanitize(topic.summary ?? '')}`);
    const i = written.findIndex((x) => x.id === topic.id);
    const choices: KeyChoice<Action | 'skip' | 'back' | 'pick'>[] = [
      { key: 'enter', label: 'read the lesson', value: 'read' },
      { key: 'a', label: 'answer its questions', value: 'questions' },
      ...(i < written.length - 1 ? [{ key: 'n', label: 'skip to the next lesson', value: 'skip' as const }] : []),
      ...(i > 0 ? [{ key: 'p', label: 'previous lesson', value: 'back' as const }] : []),
      { key: 't', label: 'another topic…', value: 'pick' },
    ];
    const action = await guarded(keyPrompt({ message: '', choices, theme: t, quit: true }));
    if (action === QUIT) return undefined;
    if (action === 'read' || action === 'questions') return { topic, action };
    if (action === 'skip') {
      const at = ctx.now().toISOString();
      const id = topic.id;
      await ctx.store.update((doc) => void (doc.lessonsSkipped[id] = at));
      topic = written[i + 1]!;
    } else if (action === 'back') topic = written[i - 1]!;
    else {
      const pickedTopic = await guarded(
        choicePrompt({ options: written.map((x) => `${x.order}. ${x.title}`), multi: false, width: io.columns(), theme: t, doneLabel: 'Topic', hint: '↑↓/digit move · Enter choose · q back', pageSize: menuPageSize(io.rows()) }),
      );
      if (pickedTopic !== QUIT) topic = written[pickedTopic[0]!]!;
    }
  }
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
