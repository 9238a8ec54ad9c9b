/** `backend-tutor` alone: what is due, the streak, the next step; a menu in a terminal, a summary in a pipe. */
import type { AppContext } from '../app/context.js';
import { overview, type Overview } from '../app/overview.js';
import { COMMANDS } from './index.js';
import { LABS } from '../labs/registry.js';
import { countNoun } from '../render/format.js';
import { choicePrompt } from '../render/prompts/choice.js';
import { guarded } from '../render/prompts/guard.js';
import { QUIT } from '../util/quit.js';

function nextStep(view: Overview): string {
  if (view.due > 0) return `review the ${countNoun(view.due, 'card')} due: backend-tutor quiz --due`;
  if (view.nextLesson) return `read lesson ${view.nextLesson.order}, ${view.nextLesson.title}: backend-tutor study`;
  return 'practise ahead: backend-tutor quiz --all, or run a lab: backend-tutor lab --list';
}

async function runCommand(ctx: AppContext, name: string, args: string[], opts: Record<string, unknown> = {}): Promise<number> {
  const spec = COMMANDS.find((c) => c.name === name)!;
  return (await spec.load()).run(ctx, args, opts);
}

export async function run(ctx: AppContext): Promise<number> {
  const { theme: t, io } = ctx;
  const view = overview(ctx, await ctx.store.read(), ctx.now());
  const written = view.topics.filter((r) => r.topic.written).length;
  io.write(`${t.heading('backend-tutor')} ${t.dim('· backend interview prep')}\n`);
  io.say(`${countNoun(view.due, 'card')} due · streak ${countNoun(view.streak, 'day')} · ${countNoun(view.reviews, 'review')} so far · ${written}/31 lessons written`);
  io.say(`${t.bold('Next:')} ${nextStep(view)}`);
  if (!io.interactive) {
    io.say(t.dim('Commands: study, quiz, lesson, lab, topics, progress, validate. `backend-tutor --help` for more.'));
    return 0;
  }
  const items = [
    { label: view.nextLesson ? `Continue studying: ${view.nextLesson.order}. ${view.nextLesson.title}` : 'Study: all lessons read, review instead', act: () => runCommand(ctx, 'study', []) },
    { label: `Review what is due (${view.due})`, act: () => runCommand(ctx, 'quiz', [], { due: true }) },
    { label: 'Quiz one topic…', act: () => pickTopic(ctx, view) },
    { label: 'Run a lab…', act: () => pickLab(ctx) },
    { label: 'See progress', act: () => runCommand(ctx, 'progress', []) },
  ];
  io.write('\n');
  const picked = await guarded(choicePrompt({ options: items.map((i) => i.label), multi: false, width: io.columns(), theme: t, doneLabel: 'Chosen' }));
  if (picked === QUIT) return 0;
  return items[picked[0]!]!.act();
}

async function pickTopic(ctx: AppContext, view: Overview): Promise<number> {
  const topics = view.topics.filter((r) => r.total > 0);
  const picked = await guarded(
    choicePrompt({
      options: topics.map((r) => `${r.topic.title} (${r.seen}/${r.total} seen, ${r.due} due)`),
      multi: false,
      width: ctx.io.columns(),
      theme: ctx.theme,
      doneLabel: 'Topic',
    }),
  );
  if (picked === QUIT) return 0;
  return runCommand(ctx, 'quiz', [], { topic: [topics[picked[0]!]!.topic.id] });
}

async function pickLab(ctx: AppContext): Promise<number> {
  const picked = await guarded(
    choicePrompt({ options: LABS.map((l) => `${l.id}: ${l.title}`), multi: false, width: ctx.io.columns(), theme: ctx.theme, doneLabel: 'Lab' }),
  );
  if (picked === QUIT) return 0;
  return runCommand(ctx, 'lab', [LABS[picked[0]!]!.id]);
}
