/** `backend-tutor lab [id]`: list the labs, or run one for real and annotate what happened. */
import type { AppContext } from '../app/context.js';
import { didYouMean, lookupByName } from '../util/lookup.js';
import { UsageError } from '../errors.js';
import { LABS, paramFlag, type LabInfo } from '../labs/registry.js';
import { runLab } from '../labs/runner.js';
import { terminalLabPrompts } from '../render/lab-prompts.js';
import { jsonLabPrinter, textLabPrinter } from '../render/lab-printer.js';
import { renderInline } from '../render/markdown.js';
import { indented, padEnd, truncate, visibleWidth } from '../render/text.js';

type LabOptions = { list?: boolean; json?: boolean; seed?: number } & Record<string, unknown>;

function findLab(id: string): LabInfo {
  const found = lookupByName(LABS, (l) => l.id, id);
  if (found.item) return found.item;
  throw new UsageError(`Unknown lab "${id}".${didYouMean(found)} \`backend-tutor lab --list\` shows them all.`);
}

/** Lab parameters given on the command line, checked against the chosen lab. */
function paramsFor(lab: LabInfo, opts: LabOptions): Record<string, number> {
  const out: Record<string, number> = {};
  for (const other of LABS.flatMap((l) => l.params ?? [])) {
    const value = opts[other.name];
    if (value === undefined || other.name in out) continue;
    const mine = lab.params?.find((p) => p.name === other.name);
    if (!mine) throw new UsageError(`${paramFlag(other.name)} is not an option of the ${lab.id} lab.`);
    const n = value as number;
    if (n < mine.min || n > mine.max || (!mine.decimal && !Number.isInteger(n))) {
      throw new UsageError(`${paramFlag(mine.name)} must be ${mine.decimal ? 'a number' : 'a whole number'} from ${mine.min} to ${mine.max} for the ${lab.id} lab (got ${n}).`);
    }
    out[other.name] = n;
  }
  return out;
}

function list(ctx: AppContext, json: boolean): number {
  if (json) {
    ctx.io.write(`${JSON.stringify(LABS.map(({ id, title, topic, summary }) => ({ id, title, topic, summary })), null, 2)}\n`);
    return 0;
  }
  const { theme: t } = ctx;
  const width = Math.min(100, ctx.io.columns());
  for (const l of LABS) {
    const head = `${t.bold(padEnd(l.id, 17))} ${l.title} ${t.dim(`(${l.topic})`)}`;
    // Narrow terminals: the title goes under the id instead of beside it.
    ctx.io.write(visibleWidth(head) <= width ? `${head}\n` : `${t.bold(l.id)}\n${indented(`${l.title} ${t.dim(`(${l.topic})`)}`, width, ' '.repeat(18)).join('\n')}\n`);
    ctx.io.write(`${indented(t.dim(l.summary), width, ' '.repeat(Math.min(18, Math.floor(width / 4)))).join('\n')}\n`);
  }
  ctx.io.say(`\nRun one: ${t.bold('backend-tutor lab <id>')} (add --json for machine-readable events, --seed n to repeat a run)`);
  return 0;
}

export async function run(ctx: AppContext, args: readonly string[], opts: LabOptions): Promise<number> {
  if (opts.list || !args[0]) return list(ctx, opts.json === true);
  const lab = findLab(args[0]);
  const params = paramsFor(lab, opts);
  const seed = opts.seed ?? ctx.randomSeed() % 100_000;
  const { theme: t, io } = ctx;
  const json = opts.json === true;
  const out = json ? jsonLabPrinter(io.write, lab.id) : textLabPrinter(io.write, t, io.columns);
  if (!json) {
    io.say(`${t.heading(`Lab: ${lab.title}`)} ${t.dim(`(${lab.topic})`)}\n${t.dim(lab.summary)}`);
    io.say(t.dim(`seed ${seed}: \`backend-tutor lab ${lab.id} --seed ${seed}\` repeats this run`));
  }
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let observations;
  try {
    observations = await runLab(lab, {
      out,
      seed,
      params,
      signal: interrupt.signal,
      ...(io.interactive && !json ? { prompts: terminalLabPrompts(io.write, t, io.columns) } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const at = ctx.now().toISOString();
  await ctx.store.update((doc) => {
    doc.labsRun[lab.id] = { count: (doc.labsRun[lab.id]?.count ?? 0) + 1, last: at };
  });
  if (json) {
    io.write(`${JSON.stringify({ lab: lab.id, type: 'result', seed, observations })}\n`);
    return 0;
  }
  related(ctx, lab);
  return 0;
}

function related(ctx: AppContext, lab: LabInfo): void {
  const { theme: t, io } = ctx;
  const topic = ctx.content.index().topics.find((x) => x.id === lab.topic);
  io.write(`\n${t.heading('Related questions')}\n`);
  if (!topic || topic.questions === 0) {
    io.say(`${t.dim(`The ${lab.topic} question bank is not written yet.`)}`);
    return;
  }
  const qs = ctx.content.topic(topic.id).questions.filter((q) => q.tags.some((tag) => lab.tags.includes(tag)));
  for (const q of qs.slice(0, 4)) {
    io.write(`  ${t.symbols.bullet} ${truncate(renderInline(q.prompt, t), io.columns() - 4)}\n`);
  }
  io.say(`Practise: ${t.bold(`backend-tutor quiz --topic ${topic.id}`)}${qs.length ? t.dim(` (${qs.length} questions on this mechanism, ${topic.questions} in the topic)`) : ''}`);
}
