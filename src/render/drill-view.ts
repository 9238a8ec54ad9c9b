/** A design drill on screen: the prompt, what to clarify, the model walkthrough, the rubric and what was missed. */
import type { CompiledDrill } from '../content/types.js';
import type { DrillOutcome } from '../quiz/drill.js';
import { renderInline, renderMarkdown } from './markdown.js';
import type { Theme } from './theme.js';
import { wrap } from './text.js';

export interface DrillViewOptions {
  readonly theme: Theme;
  readonly width: number;
  readonly topicTitle: (id: string) => string;
}

const dots = (d: number) => '●'.repeat(d) + '○'.repeat(3 - d);

export function drillPromptLines(d: CompiledDrill, o: DrillViewOptions): string[] {
  const { theme: t } = o;
  return [
    t.bold(d.title),
    t.dim(`${d.minutes} minutes · ${dots(d.difficulty)} · spans ${d.topics.map(o.topicTitle).join(', ')}`),
    '',
    ...renderMarkdown(d.prompt, { width: o.width, theme: t }),
  ];
}

export function clarifyLines(d: CompiledDrill, o: DrillViewOptions): string[] {
  const { theme: t } = o;
  const out = [t.bold('Clarify first: what a strong candidate asks')];
  d.clarify.forEach((c, i) => {
    out.push(...wrap(`${i + 1}. ${renderInline(c.ask, t)}`, o.width, '   '));
    out.push(...wrap(t.dim(renderInline(c.why, t)), o.width - 3, '').map((l) => `   ${l}`));
  });
  return out;
}

export function walkthroughLines(d: CompiledDrill, o: DrillViewOptions): string[] {
  return renderMarkdown(`## Model walkthrough: ${d.title}\n\n${d.walkthrough}`, { width: o.width, theme: o.theme });
}

/** The rubric as a study sheet: every point, what a strong answer says, and where it is taught. */
export function rubricLines(d: CompiledDrill, o: DrillViewOptions): string[] {
  const { theme: t } = o;
  const out = [t.bold('Rubric')];
  d.rubric.forEach((r, i) => {
    out.push(...wrap(`${i + 1}. ${t.bold(renderInline(r.point, t))} ${t.dim(`(${o.topicTitle(r.topic)}: “${r.section}”)`)}`, o.width, '   '));
    out.push(...renderMarkdown(r.detail, { width: o.width - 3, theme: t }).map((l) => (l ? `   ${l}` : l)));
  });
  return out;
}

export function outcomeLines(r: DrillOutcome, o: DrillViewOptions): string[] {
  const { theme: t } = o;
  const share = r.covered / Math.max(1, r.of);
  const paint = share >= 0.8 ? t.ok : share >= 0.5 ? t.warn : t.bad;
  const out = [paint(t.bold(`You covered ${r.covered} of ${r.of} rubric points.`))];
  if (!r.missed.length) return [...out, t.ok('A complete answer: try a harder drill, or the same one faster.')];
  out.push('', t.bold('Missed, and where to learn it'));
  for (const m of r.missed) {
    out.push(...wrap(`${t.warn('•')} ${t.bold(renderInline(m.point, t))}`, o.width, '  '));
    out.push(...wrap(t.dim(`re-read “${m.section}” in ${o.topicTitle(m.topic)}: backend-tutor lesson ${m.topic}`), o.width - 2, '').map((l) => `  ${l}`));
  }
  return out;
}
