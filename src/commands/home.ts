/** `backend-tutor` alone: what is due, the streak, the next step; a menu in a terminal, a summary in a pipe. */
import type { AppContext } from '../app/context.js';
import { overview, type Overview } from '../app/overview.js';
import { COMMANDS } from './index.js';
import { LABS } from '../labs/registry.js';
import { countNoun } from '../render/format.js';
import { choicePrompt, menuPageSize } from '../render/prompts/choice.js';
import { guarded } from '../render/prompts/guard.js';
import { QUIT } from '../util/quit.js';

const MENU_HINT = '↑↓/digit move · Enter choose · q quit';
const menuPage = (ctx: AppContext) => menuPageSize(ctx.io.rows());

interface Step {
  readonly text: string;
  readonly command: string;
  readonly opts: Record<string, unknown>;
  readonly shell: string;
}

/** The one thing to do next: due reviews first, then the new questions of lessons read, then the next lesson. */
function nextStep(view: Overview): Step {
  if (view.due > 0) return { text: `Review the ${countNoun(view.due, 'card')} due`, command: 'quiz', opts: { due: true }, shell: 'backend-tutor quiz --due' };
  const u = view.unfinished;
  if (u) {
    return { text: `Answer ${u.topic.title}'s ${countNoun(u.total - u.seen, 'new question')}`, command: 'quiz', opts: { topic: [u.topic.id] }, shell: `backend-tutor quiz --topic ${u.topic.id}` };
  }
  if (view.nextLesson) return { text: `Read lesson ${view.nextLesson.order}, ${view.nextLesson.title}`, command: 'study', opts: {}, shell: 'backend-tutor study' };
  return { text: 'Practise ahead on everything', command: 'quiz', opts: { all: true }, shell: 'backend-tutor quiz --all' };
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
  const step = nextStep(view);
  io.say(`${t.bold('Next:')} ${step.text}: ${step.shell}`);
  if (!io.interactive) {
    io.say(t.dim('Commands: study, quiz, lesson, lab, interview, drill, topics, progress. `backend-tutor --help` for more.'));
    return 0;
  }
  const items = [
    { label: `${step.text} (recommended)`, act: () => runCommand(ctx, step.command, [], step.opts) },
    ...(step.command === 'study' ? [] : [{ label: view.nextLesson ? `Continue the lessons: ${view.nextLesson.order}. ${view.nextLesson.title}` : 'Study: every lesson is read, review instead', act: () => runCommand(ctx, 'study', []) }]),
    ...(step.opts.due ? [] : [{ label: `Review what is due (${view.due})`, act: () => runCommand(ctx, 'quiz', [], { due: true }) }]),
    { label: 'Quiz one topic…', act: () => pickTopic(ctx, view) },
    { label: 'Run a lab…', act: () => pickLab(ctx) },
    { label: 'Mock interview (30 minutes, weakest material first)', act: () => runCommand(ctx, 'interview', [], {}) },
    { label: 'Design drill…', act: () => runCommand(ctx, 'drill', [], {}) },
    { label: 'See progress', act: () => runCommand(ctx, 'progress', []) },
  ];
  io.write('\n');
  const picked = await guarded(choicePrompt({ options: items.map((i) => i.label), multi: false, width: io.columns(), theme: t, doneLabel: 'Chosen', hint: MENU_HINT }));
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
      hint: MENU_HINT,
      pageSize: menuPage(ctx),
    }),
  );
  if (picked === QUIT) return 0;
  return runCommand(ctx, 'quiz', [], { topic: [topics[picked[0]!]!.topic.id] });
}

async function pickLab(ctx: AppContext): Promise<number> {
  const picked = await guarded(
    choicePrompt({ options: LABS.map((l) => `${l.id}: ${l.title}`), multi: false, width: ctx.io.columns(), theme: ctx.theme, doneLabel: 'Lab', hint: MENU_HINT, pageSize: menuPage(ctx) }),
  );
  if (picked === QUIT) return 0;
  return runCommand(ctx, 'lab', [LABS[picked[0]!]!.id]);
}
