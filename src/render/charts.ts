/** Small terminal charts: a contribution-style heatmap and horizontal bars. Plain characters work in a pipe. */
import type { ForecastDay, HeatCell } from '../srs/dashboard.js';
import type { Theme } from './theme.js';
import { padEnd } from './text.js';

const SHADES = ['·', '░', '▒', '▓', '█'];
const ASCII_SHADES = ['.', ':', '+', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', '', 'Wed', '', 'Fri', '', 'Sun'];

/** Level 0–4 for a count: 0 only for none, the top level for the busiest days. */
function level(n: number, max: number): number {
  if (n <= 0 || max <= 0) return 0;
  return Math.min(4, 1 + Math.floor((n / max) * 3.999));
}

export function renderHeatmap(weeks: readonly (readonly HeatCell[])[], t: Theme, width: number): string[] {
  const shades = t.symbols.bar === '█' ? SHADES : ASCII_SHADES;
  // Two columns a week fit 26 weeks in 56; a narrow terminal shows the most recent weeks that fit.
  const cell = width >= 60 ? 2 : 1;
  const fit = Math.max(4, Math.floor((width - 5) / cell));
  const shown = weeks.slice(-fit);
  const max = Math.max(0, ...shown.flat().map((c) => c.reviews));
  const months = shown.map((w, i) => {
    const month = Number(w[0]?.date.slice(5, 7));
    const prev = i > 0 ? Number(shown[i - 1]![0]?.date.slice(5, 7)) : -1;
    return month !== prev && w[0] ? MONTHS[month - 1]! : '';
  });
  let header = '     ';
  months.forEach((m, i) => {
    if (m && header.length <= 5 + i * cell) header = padEnd(header, 5 + i * cell) + m;
  });
  const rows = [t.dim(header)];
  for (let d = 0; d < 7; d++) {
    const cells = shown.map((w) => {
      const c = w[d];
      if (!c) return ' '.repeat(cell);
      const l = level(c.reviews, max);
      const glyph = l === 0 ? t.dim('·') : shades[l]!;
      return (t.color && l > 0 ? t.ok(glyph) : glyph) + ' '.repeat(cell - 1);
    });
    rows.push(`${t.dim(padEnd(WEEKDAYS[d]!, 4))} ${cells.join('')}`.trimEnd());
  }
  rows.push(t.dim(`     less ${shades.slice(1).join('')} more${max ? ` (busiest day: ${max})` : ''}`));
  return rows;
}

export function renderForecast(days: readonly ForecastDay[], t: Theme, width: number): string[] {
  const max = Math.max(1, ...days.map((d) => d.due));
  const barWidth = Math.max(5, Math.min(40, width - 20));
  return days.map((d, i) => {
    const date = new Date(`${d.date}T12:00:00`);
    const label = i === 0 ? 'today' : i === 1 ? 'tomorrow' : `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][date.getDay()]} ${date.getDate()}`;
    const n = d.due > 0 ? Math.max(1, Math.round((d.due / max) * barWidth)) : 0;
    return `  ${padEnd(label, 9)} ${t.accent(t.symbols.bar.repeat(n))}${' '.repeat(barWidth - n)} ${String(d.due).padStart(4)}`;
  });
}
