/** One design drill in a terminal: prompt, clarify, answer against the clock, the model walkthrough, tick the rubric. */
import type { CompiledDrill } from '../content/types.js';
import { drillOutcome } from '../quiz/drill.js';
import { clarifyLines, drillPromptLines, outcomeLines, walkthroughLines, type DrillViewOptions } from '../render/drill-view.js';
import { clockText } from '../render/interview-view.js';
import { page } from '../render/pager.js';
import { choicePrompt } from '../render/prompts/choice.js';
import { guarded } from '../render/prompts/guard.js';
import { keyPrompt } from '../render/prompts/keypress.js';
import { askText } from '../render/prompts/text.js';
import { renderInline } from '../render/markdown.js';
import { QUIT } from '../util/quit.js';
import type { AppContext } from './context.js';

export function drillViewOptions(ctx: AppContext): DrillViewOptions {
  const titles = new Map(ctx.content.index().topics.map((t) => [t.id, t.title]));
  return { theme: ctx.theme, width: Math.min(100, ctx.io.columns()), topicTitle: (id) => titles.get(id) ?? id };
}

/** Returns false when the learner left before ticking the rubric (nothing is saved then). */
export async function runDrill(ctx: AppContext, drill: CompiledDrill): Promise<boolean> {
  const { io, theme: t } = ctx;
  const o = drillViewOptions(ctx);
  const show = (lines: readonly string[]) => io.write(`${lines.join('\n')}\n`);
  show(['', ...drillPromptLines(drill, o), '']);
  io.say(t.dim('Before designing anything, think about what you would ask the interviewer.'));
  const next = await guarded(keyPrompt({ message: '', choices: [{ key: 'enter', label: 'show the clarifying questions', value: true }], theme: t, quit: true }));
  if (next === QUIT) return false;
  show(['', ...clarifyLines(drill, o), '']);
  const started = ctx.now().getTime();
  const deadline = started + drill.minutes * 60_000;
  const notes = await askText({
    message: t.bold('Your design:'),
    theme: t,
    hint: 'Talk it through, sketch on paper or type notes · Enter shows the model walkthrough · Esc quit',
    clock: () => clockText(deadline - ctx.now().getTime()),
    maxLength: 20_000,
  });
  if (notes.value === QUIT) return false;
  await page(walkthroughLines(drill, o), drill.title, { input: io.stdin, output: io.stdout }, t);
  io.write('\n');
  io.say(t.bold('Which rubric points did your answer cover?'));
  const covered = await guarded(
    choicePrompt({ options: drill.rubric.map((r) => renderInline(r.point, t)), multi: true, width: o.width, theme: t, doneLabel: 'Points covered', hint: 'space/digit tick · Enter done · q quit' }),
  );
  if (covered === QUIT) return false;
  const ms = ctx.now().getTime() - started;
  await ctx.store.update((doc) => {
    doc.drills[drill.id] = [...(doc.drills[drill.id] ?? []), { at: ctx.now().toISOString(), covered: [...covered], of: drill.rubric.length, ms }];
  });
  show(['', ...outcomeLines(drillOutcome(drill, covered), o)]);
  return true;
}
