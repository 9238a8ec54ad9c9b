/** `backend-tutor validate`: the content checker the build and the tests run too. */
import type { AppContext } from '../app/context.js';
import { formatProblem } from '../content/compile.js';
import { compileSources } from '../content/write-index.js';

export async function run(ctx: AppContext, _args: readonly string[], opts: { json?: boolean }): Promise<number> {
  const result = compileSources(ctx.root);
  const topics = result.index.topics;
  const summary = {
    lessons: topics.filter((t) => t.written).length,
    banks: topics.filter((t) => t.questions > 0).length,
    questions: topics.reduce((n, t) => n + t.questions, 0),
  };
  if (opts.json) {
    ctx.io.write(`${JSON.stringify({ ok: result.problems.length === 0, ...summary, problems: result.problems }, null, 2)}\n`);
    return result.problems.length ? 1 : 0;
  }
  const { theme: t } = ctx;
  for (const p of result.problems) ctx.io.write(`${t.bad(formatProblem(p))}\n`);
  const line = `${summary.lessons} lessons, ${summary.banks} question banks, ${summary.questions} questions checked`;
  if (result.problems.length) {
    ctx.io.say(`\n${t.bad(`${result.problems.length} problem(s)`)} in ${line}.`);
    return 1;
  }
  ctx.io.say(`${t.ok(t.symbols.ok)} ${line}: no problems.`);
  return 0;
}
