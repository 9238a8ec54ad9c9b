/** `backend-tutor config [name] [value]`: list, read or change a setting, each value checked before it is saved. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppContext } from '../app/context.js';
import { defaultOf, SETTINGS, type SettingSpec } from '../app/settings-spec.js';
import { didYouMean, lookupByName } from '../util/lookup.js';
import { UsageError } from '../errors.js';
import { indented, padEnd } from '../render/text.js';
import { settingsOf, type ProgressDoc, type Settings } from '../store/document.js';
import { bar, countNoun } from '../render/format.js';
import { createScheduler } from '../srs/scheduler.js';
import { reviewsPerDay } from '../srs/retention-cost.js';
import { createRng } from '../util/random.js';

function findSetting(name: string): SettingSpec {
  const s = SETTINGS.find((x) => x.name === name);
  if (s) return s;
  throw new UsageError(`There is no setting "${name}".${didYouMean(lookupByName(SETTINGS, (x) => x.name, name))} \`backend-tutor config\` lists them.`);
}

/** Retention levels whose cost is shown: the usual range, where the cost curve bends. */
const LEVELS = [0.8, 0.85, 0.9, 0.95, 0.97];

function showRetentionCost(ctx: AppContext, doc: ProgressDoc): void {
  const { io, theme: t } = ctx;
  const cards = Object.values(doc.cards).filter((c) => c.state !== 0);
  if (!cards.length) {
    io.say(t.dim('Once you have answered some questions, this shows what each retention level would cost you in reviews a day.'));
    return;
  }
  const settings = settingsOf(doc);
  const now = ctx.now();
  const perDay = LEVELS.map((r) => ({ r, n: reviewsPerDay(cards, createScheduler({ ...settings, desiredRetention: r }), now, createRng(1)) }));
  const max = Math.max(...perDay.map((x) => x.n));
  io.say(`\nReviews a day over the next 30 days for your ${countNoun(cards.length, 'card')} (new cards not counted), simulated with FSRS:`);
  for (const { r, n } of perDay) {
    const mark = Math.abs(r - settings.desiredRetention) < 1e-9 ? t.accent(' ← yours') : '';
    io.write(`  ${r.toFixed(2)}  ${n.toFixed(1).padStart(6)}  ${t.accent(bar(n / max, 24, t.symbols.bar, ' '))}${mark}\n`);
  }
  io.say(t.dim('Higher retention means fewer lapses but more reviews, and the cost climbs steeply above 0.90.'));
}

/** A custom-deck folder must exist: store it absolute, so it works from any directory. */
function checkedContentDir(value: string): string {
  if (!value) return value;
  const dir = resolve(value);
  try {
    if (statSync(dir).isDirectory()) return dir;
  } catch {
    // reported below
  }
  throw new UsageError(`content-dir must be an existing folder; ${dir} is not one.`);
}

export async function run(ctx: AppContext, args: readonly string[], opts: { json?: boolean; reset?: boolean }): Promise<number> {
  const [name, value] = args;
  const { theme: t, io } = ctx;
  if (!name) {
    const settings = settingsOf(await ctx.store.read());
    if (opts.json) {
      io.write(`${JSON.stringify(Object.fromEntries(SETTINGS.map((s) => [s.name, settings[s.key]])), null, 2)}\n`);
      return 0;
    }
    for (const s of SETTINGS) {
      const current = s.show(settings[s.key] as never);
      const changed = current !== defaultOf(s);
      io.write(`${t.bold(padEnd(s.name, 20))} ${changed ? t.accent(current) : current}${changed ? t.dim(` (default ${defaultOf(s)})`) : ''}\n`);
      io.write(`${indented(t.dim(s.description), Math.min(100, io.columns()), ' '.repeat(21)).join('\n')}\n`);
    }
    io.say(t.dim('\nChange one: backend-tutor config <name> <value> · back to the default: backend-tutor config <name> --reset'));
    return 0;
  }
  const spec = findSetting(name);
  if (value === undefined && !opts.reset) {
    const doc = await ctx.store.read();
    const settings = settingsOf(doc);
    io.write(`${spec.show(settings[spec.key] as never)}\n`);
    if (spec.key === 'desiredRetention' && io.interactive) showRetentionCost(ctx, doc);
    return 0;
  }
  let stored: Settings[keyof Settings] | undefined;
  if (!opts.reset) {
    const parsed = spec.parse(value!);
    if ('error' in parsed) throw new UsageError(parsed.error);
    stored = spec.key === 'contentDir' ? checkedContentDir(parsed.value as string) : parsed.value;
  }
  await ctx.store.update((doc) => {
    const next: Record<string, unknown> = { ...doc.settings };
    if (stored === undefined) delete next[spec.key];
    else next[spec.key] = stored;
    doc.settings = next as typeof doc.settings;
  });
  const shown = stored === undefined ? defaultOf(spec) : spec.show(stored as never);
  io.write(`${t.ok(t.symbols.ok)} ${spec.name} is now ${t.bold(shown)}${stored === undefined ? t.dim(' (the default)') : ''}.\n`);
  return 0;
}
