/** `backend-tutor export`: the questions (and your card states) for Anki, a spreadsheet, or a script. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Marked } from 'marked';
import type { AppContext } from '../app/context.js';
import { questionsOf } from '../app/quiz-session.js';
import { resolveTopic } from '../app/topic-arg.js';
import { toAnki, toCsv, toJson } from '../content/export.js';
import { FileError, UsageError } from '../errors.js';
import { sanitize } from '../render/text.js';

const FORMATS = ['anki', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Markdown to HTML for Anki; raw HTML in the content is shown as text, never run by Anki. */
function htmlOf(markdown: string): string {
  const m = new Marked({ gfm: true, breaks: false });
  m.use({ renderer: { html: ({ text }) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') } });
  return (m.parse(sanitize(markdown)) as string).trim();
}

export async function run(ctx: AppContext, _args: readonly string[], opts: { format?: string; out?: string; topic?: readonly string[] }): Promise<number> {
  const format = (opts.format ?? 'anki') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format takes ${FORMATS.join(', ')}; "${opts.format}" is not one of them.`);
  const topics = opts.topic?.length ? opts.topic.map((q) => resolveTopic(ctx, q)) : ctx.content.index().topics.filter((t) => t.questions > 0);
  const questions = questionsOf(ctx, topics.map((t) => t.id));
  const doc = await ctx.store.read();
  const text = format === 'anki' ? toAnki(questions, htmlOf) : format === 'csv' ? toCsv(questions, doc.cards) : toJson(questions, doc.cards);
  if (!opts.out) {
    ctx.io.write(text);
    return 0;
  }
  const file = resolve(opts.out);
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new FileError(file, `Cannot write ${file}: ${(error as Error).message}`);
  }
  const { theme: t } = ctx;
  const how = format === 'anki' ? ' Import it in Anki with File › Import: the deck, note type and tags are set by the file.' : '';
  ctx.io.say(`${t.ok(t.symbols.ok)} Wrote ${questions.length} questions to ${file}.${how}`);
  return 0;
}
