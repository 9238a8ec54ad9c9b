/** `backend-tutor topics`: the roadmap, what is written, and the learner's mastery per topic. */
import type { AppContext } from '../app/context.js';
import { overview } from '../app/overview.js';
import { percent } from '../render/format.js';
import { padEnd, truncate } from '../render/text.js';

export async function run(ctx: AppContext, _args: readonly string[], opts: { json?: boolean }): Promise<number> {
  const doc = await ctx.store.read();
  const view = overview(ctx, doc, ctx.now());
  if (opts.json) {
    const rows = view.topics.map((t) => ({
      id: t.topic.id,
      order: t.topic.order,
      title: t.topic.title,
      written: t.topic.written,
      lessonWords: t.topic.lessonWords,
      questions: t.topic.questions,
      labs: t.labs,
    }));
    ctx.io.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const { theme: t } = ctx;
  const titleWidth = Math.max(20, Math.min(44, ctx.io.columns() - 36));
  ctx.io.write(`${t.bold(`${padEnd(' #  Topic', titleWidth + 4)}  Lesson  Qs  Labs  Mastery`)}\n`);
  for (const row of view.topics) {
    const { topic } = row;
    const name = `${topic.id} ${t.dim('·')} ${topic.title}`;
    const lesson = topic.written ? `${(topic.lessonWords / 1000).toFixed(1)}k w`.padStart(6) : t.dim('  soon');
    const qs = topic.questions ? String(topic.questions).padStart(3) : t.dim('  –');
    const labs = row.labs.length ? String(row.labs.length).padStart(4) : t.dim('   –');
    const mastery = row.seen ? percent(row.mastery).padStart(7) : t.dim('      –');
    const line = `${String(topic.order).padStart(2)}  ${padEnd(truncate(name, titleWidth), titleWidth)}  ${lesson}  ${qs}  ${labs}  ${mastery}`;
    ctx.io.write(`${topic.written ? line : t.dim(line)}\n`);
  }
  const written = view.topics.filter((r) => r.topic.written).length;
  const footer = `${written} of ${view.topics.length} lessons written so far; "soon" marks the ones that are not. Read one: backend-tutor lesson <id>`;
  ctx.io.say(`\n${t.dim(footer)}`);
  return 0;
}
