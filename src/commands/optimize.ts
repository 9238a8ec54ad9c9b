/** `backend-tutor optimize`: fit FSRS's parameters to the learner's own reviews; keep them only if they predict better. */
import type { AppContext } from '../app/context.js';
import { loadOptimizer } from '../app/fsrs-optimizer.js';
import { countNoun } from '../render/format.js';
import { weightsOf } from '../srs/scheduler.js';
import { evaluateWeights } from '../srs/evaluate.js';
import { longTermReviews, MIN_TRAINING_REVIEWS, optimize, trainingCards, type Evaluation } from '../srs/optimizer.js';
import { settingsOf, type FitRecord, type ProgressDoc } from '../store/document.js';

export interface OptimizeOptions {
  readonly force?: boolean;
  readonly revert?: boolean;
  readonly json?: boolean;
}

/** Days as FSRS counts them: local calendar days, as the learner lives them. */
function dayNumber(iso: string): number {
  const d = new Date(iso);
  return Math.floor(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000);
}

const same = (a: readonly number[] | null | undefined, b: readonly number[] | null | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export async function run(ctx: AppContext, _args: readonly string[], opts: OptimizeOptions): Promise<number> {
  if (opts.revert) return revert(ctx, opts);
  const { io, theme: t } = ctx;
  const doc = await ctx.store.read();
  const cards = trainingCards(ctx.store.readLog(), dayNumber);
  const usable = longTermReviews(cards);
  if (usable < MIN_TRAINING_REVIEWS && !opts.force) {
    const message = `The optimizer needs at least ${MIN_TRAINING_REVIEWS} reviews made a day or more after the card's previous one; you have ${usable}. Until then FSRS's defaults predict your memory as well as anything fitted. (--force runs it anyway.)`;
    if (opts.json) io.write(`${JSON.stringify({ ok: false, reviews: usable, needed: MIN_TRAINING_REVIEWS }, null, 2)}\n`);
    else io.say(message);
    return 1;
  }
  const optimizer = await loadOptimizer();
  if ('error' in optimizer) {
    io.error(`The FSRS optimizer (@open-spaced-repetition/binding) is not available on this machine: ${optimizer.error}\nYour scheduler keeps its current parameters.`);
    return 1;
  }
  const settings = settingsOf(doc);
  const current = weightsOf(settings);
  const showProgress = io.interactive && !opts.json;
  if (!opts.json) io.say(`Fitting FSRS to your reviews: ${countNoun(usable, 'review')} a day or more after the previous one, over ${countNoun(cards.length, 'card')}.`);
  const result = await optimize(cards, current, optimizer, evaluateWeights, showProgress ? (done, total) => io.write(`\r${t.dim(`training… ${Math.round((done / Math.max(1, total)) * 100)}%`)}`) : undefined);
  if (showProgress) io.write('\r\x1b[2K');
  const fit: FitRecord = {
    at: ctx.now().toISOString(),
    reviews: result.reviews,
    weights: result.fitted.weights,
    previous: settings.weights ?? null,
    before: result.current.evaluation,
    after: result.fitted.evaluation,
    kept: result.better,
  };
  const record = (d: ProgressDoc) => {
    d.fits = [...d.fits, fit].slice(-50);
  };
  if (result.better) {
    await ctx.store.rescheduleAll((d) => {
      record(d);
      d.settings = { ...d.settings, weights: result.fitted.weights };
    });
  } else await ctx.store.update(record);
  if (opts.json) {
    io.write(`${JSON.stringify({ ok: true, ...fit }, null, 2)}\n`);
    return 0;
  }
  const row = (label: string, e: Evaluation) => `  ${label.padEnd(22)}${e.logLoss.toFixed(4).padStart(9)}${`${(e.rmseBins * 100).toFixed(1)}%`.padStart(14)}`;
  io.write(`${t.bold(`  ${'parameters'.padEnd(22)}${'log loss'.padStart(9)}${'calibration'.padStart(14)}`)}\n`);
  io.write(`${row(settings.weights ? 'current (yours)' : 'current (defaults)', result.current.evaluation)}\n`);
  io.write(`${row('fitted', result.fitted.evaluation)}\n`);
  io.say(t.dim('Log loss: how surprised each set is by what you actually recalled. Calibration: RMSE between predicted and actual recall over groups of reviews with similar predictions. Lower is better for both.'));
  if (result.better) {
    io.say(`${t.ok(t.symbols.ok)} The fitted parameters predict your history better: they now schedule your cards, and every card's state was recomputed from your log. Go back with ${t.bold('backend-tutor optimize --revert')}.`);
  } else {
    io.say(`${t.symbols.bullet} The fitted parameters predict your history no better than the current ones: nothing changed. Try again after more reviews.`);
  }
  return 0;
}

async function revert(ctx: AppContext, opts: OptimizeOptions): Promise<number> {
  const { io, theme: t } = ctx;
  const doc = await ctx.store.read();
  const current = settingsOf(doc).weights;
  if (!current) {
    io.say('You are using FSRS’s default parameters: there is nothing to go back from.');
    return 0;
  }
  const fit = [...doc.fits].reverse().find((f) => f.kept && same(f.weights, current));
  const previous = fit?.previous ?? null;
  await ctx.store.rescheduleAll((d) => {
    const { weights: _dropped, ...rest } = d.settings;
    d.settings = previous ? { ...rest, weights: previous } : rest;
  });
  if (opts.json) io.write(`${JSON.stringify({ ok: true, weights: previous }, null, 2)}\n`);
  else io.say(`${t.ok(t.symbols.ok)} Back to ${previous ? 'your previous fitted parameters' : 'FSRS’s default parameters'}; every card's state was recomputed from your log.`);
  return 0;
}
