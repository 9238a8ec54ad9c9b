/** `backend-tutor lesson <topic>`: read one lesson. */
import type { AppContext } from '../app/context.js';
import { notWrittenMessage, showLesson } from '../app/read-lesson.js';
import { resolveTopic } from '../app/topic-arg.js';

export async function run(ctx: AppContext, args: readonly string[]): Promise<number> {
  const topic = resolveTopic(ctx, args[0] ?? '');
  if (!topic.written) {
    ctx.io.error(`${notWrittenMessage(topic)}\n`);
    return 1;
  }
  const read = await showLesson(ctx, topic);
  if (read) {
    const { theme: t } = ctx;
    const qs = topic.questions ? `Test yourself: ${t.bold(`backend-tutor quiz --topic ${topic.id}`)} (${topic.questions} questions).` : '';
    ctx.io.say(`${t.ok(t.symbols.ok)} Read ${topic.title}. ${qs}`);
  }
  return 0;
}
