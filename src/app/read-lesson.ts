/** Showing a lesson: paged in a terminal (then marked read), printed plainly in a pipe. Shared by lesson and study. */
import type { TopicSummary } from '../content/types.js';
import { renderTokens } from '../render/markdown-blocks.js';
import { page } from '../render/pager.js';
import { sanitize, wrap } from '../render/text.js';
import type { AppContext } from './context.js';

/** Lessons read best at a book-like measure, even in a wide terminal. */
const MAX_WIDTH = 100;

export function lessonLines(ctx: AppContext, topic: TopicSummary): string[] {
  const lesson = ctx.content.topic(topic.id).lesson;
  if (!lesson) return [];
  const width = Math.min(MAX_WIDTH, ctx.io.columns()) - 2;
  const meta = wrap(ctx.theme.dim(`Topic ${topic.order} of ${ctx.content.index().topics.length} · about ${lesson.minutes} minutes · ${sanitize(lesson.summary)}`), width);
  return [...meta, '', ...renderTokens(ctx.content.lessonTokens(topic.id), { width, theme: ctx.theme })].map((l) => (l ? ` ${l}` : ''));
}

/** Show the lesson; returns true when the learner read it in the pager (and it was marked read). */
export async function showLesson(ctx: AppContext, topic: TopicSummary): Promise<boolean> {
  const lines = lessonLines(ctx, topic);
  if (!ctx.io.interactive) {
    ctx.io.write(`${lines.join('\n')}\n`);
    return false;
  }
  await page(lines, `${topic.order}. ${topic.title}`, { input: ctx.io.stdin, output: ctx.io.stdout }, ctx.theme);
  const at = ctx.now().toISOString();
  await ctx.store.update((doc) => {
    doc.lessonsRead[topic.id] = at;
    delete doc.lessonsSkipped[topic.id];
  });
  return true;
}

export function notWrittenMessage(topic: TopicSummary): string {
  return `The lesson for ${topic.order}. ${topic.title} (${topic.id}) is not written yet. \`backend-tutor topics\` shows which lessons are.`;
}
