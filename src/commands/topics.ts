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
  // 64 columns and up: id, title, lesson, questions, labs, mastery. Narrower: id, lesson and questions.
  const columns = ctx.io.columns();
  const wide = columns >= 64;
  const nameWidth = wide ? Math.min(44, columns - 34) : Math.max(8, columns - 18);
  const header = wide ? `${padEnd(' #  Topic', nameWidth + 4)}  Lesson  Qs  Labs  Mastery` : `${padEnd(' #  Topic', nameWidth + 4)}  Lesson  Qs`;
  ctx.io.write(`${t.bold(header)}\n`);
  for (const row of view.topics) {
    const { topic } = row;
    const name = wide ? `${topic.id} ${t.dim('·')} ${topic.title}` : topic.id;
    const lesson = topic.written ? `${(topic.lessonWords / 1000).toFixed(1)}k w`.padStart(6) : t.dim('  soon');
    const qs = topic.questions ? String(topic.questions).padStart(3) : t.dim('  –');
    const labs = row.labs.length ? String(row.labs.length).padStart(4) : t.dim('   –');
    const mastery = row.seen ? percent(row.mastery).padStart(7) : t.dim('      –');
    const cells = [String(topic.order).padStart(2), padEnd(truncate(name, nameWidth), nameWidth), lesson, qs, ...(wide ? [labs, mastery] : [])];
    const line = cells.join('  ');
    ctx.io.write(`${topic.written ? line : t.dim(line)}\n`);
  }
  const written = view.topics.filter((r) => r.topic.written).length;
  const footer = `${written} of ${view.topics.length} lessons written so far; "soon" marks the ones that are not. Read one: backend-tutor lesson <id>`;
  ctx.io.say(`\n${t.dim(footer)}`);
  return 0;
}
