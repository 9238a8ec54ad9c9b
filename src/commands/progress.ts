/** `backend-tutor progress`: per-topic seen / due / mastery, streak and total reviews. */
import type { AppContext } from '../app/context.js';
import { overview } from '../app/overview.js';
import { bar, countNoun, percent } from '../render/format.js';
import { padEnd, truncate } from '../render/text.js';

export async function run(ctx: AppContext, _args: readonly string[], opts: { json?: boolean }): Promise<number> {
  const doc = await ctx.store.read();
  const view = overview(ctx, doc, ctx.now());
  if (opts.json) {
    const data = {
      reviews: view.reviews,
      streak: view.streak,
      due: view.due,
      topics: view.topics.map((r) => ({ id: r.id, seen: r.seen, total: r.total, due: r.due, mastery: Number(r.mastery.toFixed(4)) })),
    };
    ctx.io.write(`${JSON.stringify(data, null, 2)}\n`);
    return 0;
  }
  const { theme: t, io } = ctx;
  io.say(`${t.bold('Progress')}  ${countNoun(view.reviews, 'review')} · streak ${countNoun(view.streak, 'day')} · ${countNoun(view.due, 'card')} due now\n`);
  const rows = view.topics.filter((r) => r.total > 0);
  if (!rows.length) {
    io.write('No questions are written yet.\n');
    return 0;
  }
  // Name, seen, due, bar, percent: the bar gives way first on a narrow terminal.
  const available = io.columns() - 22;
  const nameWidth = Math.max(8, Math.min(17, available - 5));
  const barWidth = Math.max(5, Math.min(20, available - nameWidth));
  io.write(t.bold(`${padEnd('Topic', nameWidth)}  ${'Seen'.padStart(7)}  ${'Due'.padStart(4)}  Mastery\n`));
  for (const r of rows) {
    const seen = `${r.seen}/${r.total}`.padStart(7);
    const due = r.due ? t.warn(String(r.due).padStart(4)) : t.dim('0'.padStart(4));
    const mastered = bar(r.mastery, barWidth, t.symbols.bar, t.symbols.barEmpty);
    io.write(`${padEnd(truncate(r.topic.id, nameWidth), nameWidth)}  ${seen}  ${due}  ${t.ok(mastered)} ${percent(r.mastery).padStart(4)}\n`);
  }
  const unwritten = view.topics.length - rows.length;
  io.say(`\n${t.dim(`Mastery: share of a topic's cards that FSRS expects you to remember for 21+ days.${unwritten ? ` ${unwritten} topics have no questions yet.` : ''}`)}`);
  if (view.due) io.write(`Review them: ${t.bold('backend-tutor quiz --due')}\n`);
  return 0;
}
