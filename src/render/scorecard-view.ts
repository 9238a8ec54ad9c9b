/** The interview scorecard as a screen: overall score, per topic, time per question, missed points, what next. */
import type { Scorecard } from '../quiz/scorecard.js';
import { bar, percent } from './format.js';
import type { Theme } from './theme.js';
import { truncate, wrap } from './text.js';

export interface ScorecardViewOptions {
  readonly theme: Theme;
  readonly width: number;
  readonly topicTitle: (id: string) => string;
  /** The question's prompt, for the per-question lines. */
  readonly promptOf: (cardId: string) => string;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const minutesSeconds = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}`;

export function renderScorecard(card: Scorecard, o: ScorecardViewOptions): string[] {
  const { theme: t } = o;
  const w = Math.min(100, o.width);
  const out: string[] = [];
  const answered = card.asked - card.skipped;
  const why = card.ended === 'time' ? 'time is up' : card.ended === 'quit' ? 'you stopped early' : 'every planned question was asked';
  out.push(t.bold(`Interview scorecard: ${percent(card.score)}`) + t.dim(` · ${card.asked} questions in ${minutesSeconds(card.elapsedMs)} (${why})`));
  out.push(t.dim(`${answered} answered, ${card.skipped} skipped; every answer was also saved as a review.`));
  out.push('');
  out.push(t.bold('By topic'));
  const nameWidth = Math.min(28, Math.max(...card.topics.map((x) => o.topicTitle(x.topic).length), 5));
  for (const s of card.topics) {
    const paint = s.score >= 0.8 ? t.ok : s.score >= 0.5 ? t.warn : t.bad;
    out.push(`  ${truncate(o.topicTitle(s.topic), nameWidth).padEnd(nameWidth)} ${paint(bar(s.score, 12, '█', '░'))} ${percent(s.score).padStart(4)}  ${t.dim(`${s.asked} asked`)}`);
  }
  out.push('');
  out.push(t.bold('Question by question'));
  const mark = { right: t.ok(t.symbols.ok), wrong: t.bad(t.symbols.bad), skipped: t.dim('–') };
  card.entries.forEach((e, i) => {
    const credit = e.kind === 'recall' && e.outcome !== 'skipped' ? ` ${percent(e.credit)}` : '';
    const head = `  ${mark[e.outcome]} ${String(i + 1).padStart(2)}. ${seconds(e.ms).padStart(5)}${credit.padEnd(5)} `;
    out.push(head + truncate(o.promptOf(e.cardId).replace(/\s+/g, ' '), Math.max(10, w - head.length)));
    for (const m of e.missed ?? []) out.push(...wrap(`${t.warn('missed:')} ${m}`, w - 8, '        ').map((l) => `        ${l}`));
  });
  const byKind = new Map<string, number[]>();
  for (const e of card.entries) byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e.ms]);
  const avg = [...byKind.entries()].map(([k, ms]) => `${k} ${seconds(ms.reduce((a, b) => a + b, 0) / ms.length)}`);
  if (avg.length) out.push(t.dim(`  Average time: ${avg.join(' · ')}`));
  out.push('');
  if (card.studyNext.length) {
    out.push(t.bold('Study next'));
    card.studyNext.forEach((s, i) => {
      out.push(`  ${i + 1}. ${t.bold(o.topicTitle(s.topic))} ${t.dim(`(${percent(s.score)} here) — backend-tutor lesson ${s.topic}`)}`);
      for (const sec of s.sections.slice(0, 3)) out.push(`       re-read: ${t.accent(`“${sec}”`)}`);
    });
  } else if (card.asked) out.push(t.ok('Nothing missed: widen the scope, or try a design drill (backend-tutor drill).'));
  return out;
}
