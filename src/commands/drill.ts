/** `backend-tutor drill`: a system-design drill (prompt, clarify, answer, model walkthrough, rubric). */
import type { AppContext } from '../app/context.js';
import { drillViewOptions, runDrill } from '../app/run-drill.js';
import { requireTerminal } from '../app/topic-arg.js';
import type { CompiledDrill } from '../content/types.js';
import { didYouMean, lookupByName } from '../util/lookup.js';
import { UsageError } from '../errors.js';
import { lastScore, nextDrill } from '../quiz/drill.js';
import { clarifyLines, drillPromptLines, rubricLines, walkthroughLines } from '../render/drill-view.js';
import { percent } from '../render/format.js';
import { choicePrompt } from '../render/prompts/choice.js';
import { guarded } from '../render/prompts/guard.js';
import { QUIT } from '../util/quit.js';

export interface DrillOptions {
  readonly list?: boolean;
  readonly json?: boolean;
}

function find(drills: readonly CompiledDrill[], id: string): CompiledDrill {
  const found = lookupByName(drills, (d) => d.id, id);
  if (found.item) return found.item;
  throw new UsageError(`There is no drill "${id}".${didYouMean(found)} Run \`backend-tutor drill --list\` to see them.`);
}

export async function run(ctx: AppContext, args: readonly string[], opts: DrillOptions): Promise<number> {
  const drills = ctx.content.drills();
  const { io, theme: t } = ctx;
  if (opts.list || (!args[0] && !io.interactive)) {
    const doc = await ctx.store.read();
    if (opts.json) {
      const rows = drills.map((d) => ({ id: d.id, title: d.title, minutes: d.minutes, difficulty: d.difficulty, topics: d.topics, attempts: doc.drills[d.id]?.length ?? 0, lastScore: lastScore(doc.drills[d.id]) ?? null }));
      io.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    for (const d of drills) {
      const last = lastScore(doc.drills[d.id]);
      io.write(`${t.bold(d.id.padEnd(22))} ${d.title} ${t.dim(`· ${d.minutes} min${last === undefined ? '' : ` · last ${percent(last)}`}`)}\n`);
    }
    io.say(t.dim('Run one with `backend-tutor drill <id>` in a terminal; in a pipe it prints the drill as a study sheet.'));
    return 0;
  }
  let drill = args[0] ? find(drills, args[0]) : undefined;
  if (!io.interactive) {
    // A pipe: the whole drill as a study sheet.
    const o = drillViewOptions(ctx);
    const d = drill!;
    io.write(`${[...drillPromptLines(d, o), '', ...clarifyLines(d, o), '', ...walkthroughLines(d, o), '', ...rubricLines(d, o)].join('\n')}\n`);
    return 0;
  }
  requireTerminal(ctx, 'A drill');
  if (!drill) {
    const doc = await ctx.store.read();
    const suggested = nextDrill(drills, doc.drills);
    const options = drills.map((d) => {
      const last = lastScore(doc.drills[d.id]);
      return `${d.title} ${t.dim(`· ${d.minutes} min${last === undefined ? '' : ` · last ${percent(last)}`}${d === suggested ? ' · suggested' : ''}`)}`;
    });
    const picked = await guarded(choicePrompt({ options, multi: false, width: io.columns(), theme: t, doneLabel: 'Drill', hint: '↑↓/digit choose · Enter start · q back' }));
    if (picked === QUIT) return 0;
    drill = drills[picked[0]!]!;
  }
  await runDrill(ctx, drill);
  return 0;
}
