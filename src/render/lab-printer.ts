/** Lab output: annotated text for people, or JSON lines (--json) for scripts and tests. */
import type { LabData, LabPrinter } from '../labs/types.js';
import { thousands } from './format.js';
import type { Theme } from './theme.js';
import { indented, padEnd, sanitize, visibleWidth, wrap } from './text.js';

export function textLabPrinter(write: (s: string) => void, theme: Theme, width: () => number): LabPrinter {
  const t = theme;
  const w = () => Math.min(100, Math.max(40, width()));
  const line = (s = '') => write(`${s}\n`);
  return {
    heading(title) {
      line();
      line(t.heading(title));
      line(t.dim('─'.repeat(Math.min(w(), visibleWidth(title)))));
    },
    say(text) {
      line(wrap(sanitize(text), w()).join('\n'));
    },
    code(text) {
      line(
        sanitize(text)
          .split('\n')
          .map((l) => `  ${t.dim('│')} ${t.code(l)}`)
          .join('\n'),
      );
    },
    step(what, why) {
      const head = `  ${t.accent(t.symbols.pointer)} ${what}`;
      line(head);
      line(indented(t.dim(why), w(), '      ').join('\n'));
    },
    figure(label, value, note) {
      const v = typeof value === 'number' ? thousands(value) : value;
      line(`  ${padEnd(`${label}:`, 34)} ${t.bold(String(v))}${note ? `  ${t.dim(note)}` : ''}`);
    },
    table(rows) {
      const cells = rows.map((r) => r.map((c) => String(c)));
      const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => visibleWidth(r[i] ?? '')))) ?? [];
      cells.forEach((r, ri) => {
        const text = `  ${r.map((c, i) => (i === 0 ? padEnd(c, widths[i]!) : ' '.repeat(widths[i]! - visibleWidth(c)) + c)).join('  ')}`;
        line(ri === 0 ? t.bold(text) : text);
      });
    },
    bars(rows, unit = '') {
      const labelWidth = Math.min(24, Math.max(...rows.map((r) => visibleWidth(r.label))));
      const max = Math.max(...rows.map((r) => r.value), 0);
      const fmt = (v: number) => `${Number.isInteger(v) ? thousands(v) : v.toFixed(1)}${unit ? ` ${unit}` : ''}`;
      const valueWidth = Math.max(...rows.map((r) => fmt(r.value).length));
      const barWidth = Math.max(10, w() - labelWidth - valueWidth - 6);
      for (const r of rows) {
        const n = r.value > 0 && max > 0 ? Math.max(1, Math.round((r.value / max) * barWidth)) : 0;
        line(`  ${padEnd(r.label, labelWidth)} ${t.accent(t.symbols.bar.repeat(n))}${' '.repeat(barWidth - n)} ${fmt(r.value).padStart(valueWidth)}`);
      }
    },
    takeaways(lines) {
      line();
      line(t.heading('Takeaways'));
      for (const l of lines) line(wrap(`${t.symbols.bullet} ${l}`, w() - 2, '  ').map((x) => `  ${x}`).join('\n'));
    },
  };
}

export function jsonLabPrinter(write: (s: string) => void, lab: string): LabPrinter {
  const emit = (type: string, data: Record<string, unknown>) => write(`${JSON.stringify({ lab, type, ...data })}\n`);
  return {
    heading: (title) => emit('heading', { title }),
    say: (text) => emit('say', { text }),
    code: (text) => emit('code', { text }),
    step: (what, why, data?: LabData) => emit('step', { what, why, ...(data ? { data } : {}) }),
    figure: (label, value, note) => emit('figure', { label, value, ...(note ? { note } : {}) }),
    table: (rows) => emit('table', { rows }),
    bars: (rows, unit) => emit('bars', { rows, ...(unit ? { unit } : {}) }),
    takeaways: (lines) => emit('takeaways', { lines }),
  };
}
