/** `backend-tutor validate`: the content checker the build and the tests run too. */
import type { AppContext } from '../app/context.js';
import { formatProblem } from '../content/compile.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileSources } from '../content/write-index.js';
import { UsageError } from '../errors.js';

export async function run(ctx: AppContext, args: readonly string[], opts: { json?: boolean }): Promise<number> {
  // No folder: the built-in course. A folder: a custom deck (content/ and questions/ inside it).
  const deck = args[0] ? resolve(args[0]) : undefined;
  if (deck && !existsSync(deck)) throw new UsageError(`There is no folder ${deck} to validate.`);
  const result = deck ? compileSources(deck, true) : compileSources(ctx.root);
  const topics = result.index.topics;
  if (deck && topics.length === 0 && result.problems.length === 0) {
    ctx.io.say(`No lessons or question banks found in ${deck}: a deck keeps lessons in content/<topic>.md and questions in questions/<topic>.yaml.`);
    return 1;
  }
  const summary = {
    lessons: topics.filter((t) => t.written).length,
    banks: topics.filter((t) => t.questions > 0).length,
    questions: topics.reduce((n, t) => n + t.questions, 0),
    drills: result.drills.length,
  };
  if (opts.json) {
    ctx.io.write(`${JSON.stringify({ ok: result.problems.length === 0, ...summary, problems: result.problems }, null, 2)}\n`);
    return result.problems.length ? 1 : 0;
  }
  const { theme: t } = ctx;
  for (const p of result.problems) ctx.io.write(`${t.bad(formatProblem(p))}\n`);
  const drills = summary.drills ? `, ${summary.drills} design drills` : '';
  const line = `${summary.lessons} lessons, ${summary.banks} question banks, ${summary.questions} questions${drills} checked${deck ? ` in ${deck}` : ''}`;
  if (result.problems.length) {
    ctx.io.say(`\n${t.bad(`${result.problems.length} problem(s)`)} in ${line}.`);
    return 1;
  }
  ctx.io.say(`${t.ok(t.symbols.ok)} ${line}: no problems.`);
  return 0;
}
