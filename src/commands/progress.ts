/** `backend-tutor progress`: mastery per topic, the review heatmap, the coming reviews, streaks and retention. */
import type { AppContext } from '../app/context.js';
import { overview, type TopicOverview } from '../app/overview.js';
import { sectionFor } from '../content/sections.js';
import { renderForecast, renderHeatmap } from '../render/charts.js';
import { bar, countNoun, percent } from '../render/format.js';
import { padEnd, truncate } from '../render/text.js';
import { forecast, heatmap, leeches, longestStreak, timeStudiedMs, trueRetention, type Retention } from '../srs/dashboard.js';

/** The topics to point at: seen ones with the lowest mastery, then the most due. */
function weakest(rows: readonly TopicOverview[]): Set<string> {
  const seen = rows.filter((r) => r.seen > 0 && r.mastery < 1);
  return new Set(
    [...seen]
      .sort((a, b) => a.mastery - b.mastery || b.due / b.seen - a.due / a.seen)
      .slice(0, Math.min(3, Math.max(0, seen.length - 1)))
      .map((r) => r.id),
  );
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Weak spots listed on the screen; --json lists every one. */
const LEECHES_SHOWN = 8;

const rate = (r: Retention) => (r.rate === null ? '–' : `${percent(r.rate)} (${r.passed}/${r.reviews})`);

export async function run(ctx: AppContext, _args: readonly string[], opts: { json?: boolean }): Promise<number> {
  const doc = await ctx.store.read();
  const now = ctx.now();
  const view = overview(ctx, doc, now);
  const weeks = heatmap(doc.days, now);
  const coming = forecast(doc.cards, now);
  const retention = { young: trueRetention(doc.days, now, 'young'), mature: trueRetention(doc.days, now, 'mature') };
  // Anki's true-retention table: pass rates of young and mature cards over the last day, week and month.
  const windows = { day: 1, week: 7, month: 30 } as const;
  const retentionTable = Object.fromEntries(
    (['young', 'mature'] as const).map((b) => [b, Object.fromEntries(Object.entries(windows).map(([k, n]) => [k, trueRetention(doc.days, now, b, n)]))]),
  ) as Record<'young' | 'mature', Record<keyof typeof windows, Retention>>;
  const interviews = doc.interviews.map((i) => ({ at: i.at, minutes: i.minutes, asked: i.asked, score: Number(i.score.toFixed(4)) }));
  const drills = Object.entries(doc.drills).map(([id, attempts]) => ({ id, attempts: attempts.length, lastScore: Number((attempts.at(-1)!.covered.length / attempts.at(-1)!.of).toFixed(4)) }));
  // The lesson section is looked up only for the leeches shown (all of them in --json): it scans lesson text.
  const weak = leeches(doc.cards)
    .slice(0, opts.json ? undefined : LEECHES_SHOWN)
    .map((l) => {
      const topicId = l.cardId.slice(0, l.cardId.indexOf('/'));
      const content = view.topics.some((t) => t.id === topicId && t.total > 0) ? ctx.content.topic(topicId) : undefined;
      const q = content?.questions.find((x) => x.cardId === l.cardId);
      const section = q && content?.lesson ? sectionFor(q, content.lesson.body) : undefined;
      return { ...l, topic: topicId, section: section ?? null };
    });
  const stats = {
    reviews: view.reviews,
    streak: view.streak,
    longestStreak: longestStreak(doc.days),
    due: view.due,
    timeStudiedMs: timeStudiedMs(doc.days),
    retention30d: retention,
  };
  if (opts.json) {
    const data = {
      ...stats,
      topics: view.topics.map((r) => ({ id: r.id, seen: r.seen, total: r.total, due: r.due, mastery: Number(r.mastery.toFixed(4)) })),
      heatmap: weeks.flat(),
      forecast: coming,
      leeches: weak,
      retention: retentionTable,
      interviews,
      drills,
    };
    ctx.io.write(`${JSON.stringify(data, null, 2)}\n`);
    return 0;
  }

  const { theme: t, io } = ctx;
  const width = Math.min(100, io.columns());
  io.say(`${t.heading('Progress')}  ${countNoun(stats.reviews, 'review')} · ${duration(stats.timeStudiedMs)} studied · ${countNoun(stats.due, 'card')} due now`);
  io.say(`Streak ${countNoun(stats.streak, 'day')} (longest ${stats.longestStreak})`);
  io.write('\n');
  // Three columns after the label; counts are dropped before the columns get too narrow for them.
  const col = Math.max(6, Math.min(20, Math.floor((width - 16) / 3)));
  const label = col >= 14 ? 16 : 10;
  const cellOf = (r: Retention) => (col >= 14 ? rate(r) : r.rate === null ? '–' : percent(r.rate));
  const heads = col >= 14 ? ['today', 'last 7 days', 'last 30 days'] : ['1 d', '7 d', '30 d'];
  io.write(`${t.bold(`${padEnd(col >= 14 ? 'True retention' : 'Retention', label)}${heads.map((h) => padEnd(h, col)).join('')}`.trimEnd())}\n`);
  for (const b of ['young', 'mature'] as const) {
    io.write(`${padEnd(`  ${b}`, label)}${(['day', 'week', 'month'] as const).map((w) => padEnd(cellOf(retentionTable[b][w]), col)).join('').trimEnd()}\n`);
  }
  io.say(t.dim('Share of reviews answered right: young cards (interval under 21 days) and mature ones, as Anki reports it.'));
  io.write('\n');

  const rows = view.topics.filter((r) => r.total > 0);
  if (!rows.length) {
    io.write('No questions are written yet.\n');
    return 0;
  }
  const marked = weakest(rows);
  // Name, seen, due, bar, percent, mark: the bar gives way first on a narrow terminal.
  const available = width - 29;
  const nameWidth = Math.max(8, Math.min(17, available - 5));
  const barWidth = Math.max(5, Math.min(20, available - nameWidth));
  io.write(t.bold(`${padEnd('Topic', nameWidth)}  ${'Seen'.padStart(7)}  ${'Due'.padStart(4)}  Mastery\n`));
  for (const r of rows) {
    const seen = `${r.seen}/${r.total}`.padStart(7);
    const due = r.due ? t.warn(String(r.due).padStart(4)) : t.dim('0'.padStart(4));
    const mastered = bar(r.mastery, barWidth, t.symbols.bar, t.symbols.barEmpty);
    const name = padEnd(truncate(r.topic.id, nameWidth), nameWidth);
    const mark = marked.has(r.id) ? ` ${t.warn('◀ weak')}` : '';
    io.write(`${marked.has(r.id) ? t.warn(name) : name}  ${seen}  ${due}  ${t.ok(mastered)} ${percent(r.mastery).padStart(4)}${mark}\n`);
  }
  const unwritten = view.topics.length - rows.length;
  io.say(t.dim(`Mastery: share of a topic's cards FSRS expects you to remember for 21+ days.${unwritten ? ` ${unwritten} topics have no questions yet.` : ''}`));

  io.write(`\n${t.bold('Reviews, last 26 weeks')}\n${renderHeatmap(weeks, t, width).join('\n')}\n`);
  io.write(`\n${t.bold('Reviews due, next 14 days')}\n${renderForecast(coming, t, width).join('\n')}\n`);

  if (weak.length) {
    io.write(`\n${t.bold('Weak spots')} ${t.dim(`(cards forgotten 8 or more times: re-read, then re-try)`)}\n`);
    for (const l of weak) {
      const where = l.section ? `re-read "${l.section}" in \`backend-tutor lesson ${l.topic}\`` : `see \`backend-tutor lesson ${l.topic}\``;
      io.say(`  ${t.warn(t.symbols.bullet)} ${l.cardId} ${t.dim(`(forgotten ${l.lapses} times)`)}: ${where}`);
    }
  }
  if (interviews.length) {
    io.write(`\n${t.bold('Mock interviews')} ${t.dim(`(${interviews.length}; the last ${Math.min(8, interviews.length)})`)}\n`);
    for (const i of interviews.slice(-8)) {
      io.write(`  ${i.at.slice(0, 10)}  ${t.accent(bar(i.score, 20, t.symbols.bar, t.symbols.barEmpty))} ${percent(i.score).padStart(4)}  ${t.dim(`${i.asked} questions, ${i.minutes} min`)}\n`);
    }
  }
  if (drills.length) {
    const list = drills.map((d) => `${d.id} ${percent(d.lastScore)}`).join(' · ');
    io.say(`\n${t.bold('Design drills')} ${t.dim(`(last score)`)}: ${list}`);
  }
  if (view.due) io.say(`\nReview what is due: ${t.bold('backend-tutor quiz --due')}`);
  return 0;
}
