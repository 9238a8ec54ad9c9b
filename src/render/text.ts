/** Measuring and wrapping text that may hold ANSI colour codes, and neutralising what must not reach a terminal. */
export { sanitize } from '../util/sanitize.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

export function visibleWidth(s: string): number {
  return stripAnsi(s).length;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleWidth(s)));
}

/** Break a line longer than `width` at the width, keeping colour codes intact (for code that must not reflow). */
export function hardWrap(line: string, width: number): string[] {
  if (visibleWidth(line) <= width) return [line];
  const out: string[] = [];
  let cur = '';
  let n = 0;
  for (const part of line.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) {
      cur += part;
      continue;
    }
    for (const ch of part) {
      if (n === width) {
        out.push(cur);
        cur = '';
        n = 0;
      }
      cur += ch;
      n++;
    }
  }
  out.push(cur);
  return out;
}

/**
 * Word-wrap `text` (may contain ANSI and hard line breaks) to `width` columns. Every line after the first
 * starts with `indent`; words longer than a line are hard-broken.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  const indentWidth = visibleWidth(indent);
  let line = '';
  let len = 0;
  let atStart = true;
  const newLine = () => {
    out.push(line);
    line = indent;
    len = indentWidth;
    atStart = true;
  };
  text.split('\n').forEach((para, i) => {
    if (i > 0) newLine();
    for (const word of para.split(' ')) {
      if (word === '') continue;
      const w = visibleWidth(word);
      if (!atStart && len + 1 + w > width) newLine();
      if (w > width - len) {
        for (const piece of hardWrap(word, Math.max(1, width - indentWidth))) {
          if (!atStart) newLine();
          line += piece;
          len += visibleWidth(piece);
          atStart = false;
        }
        continue;
      }
      if (!atStart) {
        line += ' ';
        len++;
      }
      line += word;
      len += w;
      atStart = false;
    }
  });
  out.push(line);
  return out;
}

/** Cut to `width` visible columns with an ellipsis; colour codes are kept and closed. */
export function truncate(s: string, width: number): string {
  if (visibleWidth(s) <= width) return s;
  const hasAnsi = s !== stripAnsi(s);
  let visible = 0;
  let out = '';
  for (const part of s.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) {
      out += part;
      continue;
    }
    for (const ch of part) {
      if (visible === width - 1) return `${out}…${hasAnsi ? '\u001b[0m' : ''}`;
      out += ch;
      visible++;
    }
  }
  return out;
}

/** Wrap `text` into a block `width` wide whose every line starts with `pad`. */
export function indented(text: string, width: number, pad: string): string[] {
  return wrap(text, Math.max(10, width - visibleWidth(pad))).map((l) => pad + l);
}
