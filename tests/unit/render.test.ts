import { describe, expect, it } from 'vitest';
import { formatInterval, shortInterval, thousands } from '../../src/render/format.js';
import { renderInline, renderMarkdown } from '../../src/render/markdown.js';
import { createTheme } from '../../src/render/theme.js';
import { sanitize, stripAnsi, truncate, visibleWidth, wrap } from '../../src/render/text.js';

const plain = createTheme(false);
const color = createTheme(true);

describe('wrap', () => {
  it('never exceeds the width and keeps every word', () => {
    const text = 'The quick brown fox jumps over the lazy dog '.repeat(20) + 'supercalifragilisticexpialidocious'.repeat(3);
    for (const width of [10, 23, 40, 80]) {
      const lines = wrap(text, width, '  ');
      for (const l of lines) expect(visibleWidth(l)).toBeLessThanOrEqual(width);
      expect(lines.join(' ').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    }
  });
  it('measures text with colour codes by what is visible', () => {
    const lines = wrap(color.bold('aaaa bbbb cccc'), 9);
    expect(lines.map(stripAnsi)).toEqual(['aaaa bbbb', 'cccc']);
  });
});

describe('renderMarkdown', () => {
  const md = `# Title

A paragraph with \`code\`, **bold** and a
soft break that joins lines.

\`\`\`js
const x = 1;
\`\`\`

- one
- two

| a | b |
|---|---|
| 1 | 2 |
`;
  it('renders plain text with no escape codes when colour is off', () => {
    const out = renderMarkdown(md, { width: 100, theme: plain }).join('\n');
    expect(out).not.toMatch(/\u001b/);
    expect(out).toContain('A paragraph with `code`, bold and a soft break that joins lines.');
    expect(out).toContain('│ const x = 1;');
    expect(out).toMatch(/• one\n• two/);
    expect(out).toMatch(/a │ b/);
  });
  it('colours in a terminal and drops the backticks there', () => {
    const out = renderMarkdown(md, { width: 60, theme: color }).join('\n');
    expect(out).toMatch(/\u001b\[/);
    expect(stripAnsi(out)).toContain('A paragraph with code, bold');
  });
  it('fits the width, stacking a table that is too wide', () => {
    const wide = `| column one is long | column two is longer still | three |\n|---|---|---|\n| ${'x'.repeat(30)} | y | z |\n`;
    const lines = renderMarkdown(`${md}\n${wide}`, { width: 40, theme: plain });
    for (const l of lines) expect(visibleWidth(l)).toBeLessThanOrEqual(40);
    expect(lines.join('\n')).toContain('column two is longer still: y');
  });
  it('neutralises terminal escape sequences in content', () => {
    const hostile = 'Click \u001b]8;;http://evil\u0007here\u001b]8;;\u0007 and \u001b[2J clear \u009b31m';
    const out = renderMarkdown(hostile, { width: 80, theme: plain }).join('\n');
    expect(out).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(out).toContain('Click here and clear');
    expect(sanitize('a\r\nb\tc\u0000')).toBe('a\nb  c');
    expect(renderInline('**x** `y`', plain)).toBe('x `y`');
  });
});

describe('formatting', () => {
  it('separates thousands exactly as en-US does, without Intl for safe integers', () => {
    for (const n of [0, -0, 7, 999, 1000, -1234, 1_000_000, 2 ** 53 - 1, 1.5, -3.14159, 12345.678, 1e21]) expect(thousands(n), String(n)).toBe(n.toLocaleString('en-US'));
  });

  it('words intervals like Anki', () => {
    expect(formatInterval(30_000)).toBe('less than a minute');
    expect(formatInterval(10 * 60_000)).toBe('10 minutes');
    expect(formatInterval(60_000)).toBe('1 minute');
    expect(formatInterval(3 * 3_600_000)).toBe('3 hours');
    expect(formatInterval(4 * 86_400_000)).toBe('4 days');
    expect(formatInterval(75 * 86_400_000)).toBe('2.5 months');
    expect(formatInterval(400 * 86_400_000)).toBe('1.1 years');
    expect(shortInterval(15 * 60_000)).toBe('15m');
    expect(shortInterval(2 * 86_400_000)).toBe('2d');
  });
  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
