/**
 * A small built-in pager for lessons: space/b/arrows/g/G, q or Esc to finish, Ctrl-C to stop (exit 130).
 * Built in rather than spawning `less` so keys, Ctrl-C and terminal restoration behave the same everywhere.
 */
import { emitKeypressEvents } from 'node:readline';
import { Interrupted } from '../errors.js';
import type { Theme } from './theme.js';
import { stripAnsi, truncate } from './text.js';

export interface PagerIO {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
}

const ENTER_ALT = '\u001b[?1049h\u001b[?25l';
const LEAVE_ALT = '\u001b[?25h\u001b[?1049l';

interface Key {
  name?: string;
  ctrl?: boolean;
  sequence?: string;
}

/** Show `lines`; resolves when the learner finishes, rejects with Interrupted on Ctrl-C. */
export function page(lines: readonly string[], title: string, io: PagerIO, theme: Theme): Promise<void> {
  const { input, output } = io;
  const height = () => Math.max(3, (output.rows || 24) - 1);
  if (lines.length <= height()) {
    output.write(`${lines.join('\n')}\n`);
    return Promise.resolve();
  }
  let top = 0;
  const maxTop = () => Math.max(0, lines.length - height());
  const draw = () => {
    top = Math.min(top, maxTop());
    const h = height();
    const shown = lines.slice(top, top + h);
    const end = top + h >= lines.length;
    const pct = Math.round((Math.min(lines.length, top + h) / lines.length) * 100);
    // The status line must never wrap: a wrapped last line scrolls the whole page up by one.
    const status = truncate(` ${title} · ${end ? 'end' : `${pct}%`} · space/↓ more · b/↑ back · ${end ? 'q/space: done' : 'q: done'} `, (output.columns || 80) - 1);
    const bar = theme.color ? theme.c.inverse(status) : stripAnsi(status);
    output.write(`\u001b[H\u001b[2J${shown.map((l) => `${l}\u001b[0m`).join('\n')}${'\n'.repeat(h - shown.length + 1)}${bar}`);
  };
  return new Promise<void>((resolve, reject) => {
    const wasRaw = input.isRaw;
    const restore = () => {
      input.off('keypress', onKey);
      output.off('resize', draw);
      process.off('exit', restoreOnExit);
      if (input.isTTY) input.setRawMode(wasRaw);
      input.pause();
      output.write(LEAVE_ALT);
    };
    const restoreOnExit = () => output.write(LEAVE_ALT);
    const finish = (error?: Error) => {
      restore();
      if (error) reject(error);
      else resolve();
    };
    const onKey = (_: string | undefined, key: Key | undefined) => {
      const name = key?.sequence === 'G' ? 'G' : (key?.name ?? key?.sequence);
      const atEnd = top >= maxTop();
      if (key?.ctrl && name === 'c') return finish(new Interrupted());
      switch (name) {
        case 'q':
        case 'escape':
          return finish();
        case 'space':
        case 'pagedown':
        case 'f':
          if (atEnd) return finish();
          top += height() - 1;
          break;
        case 'b':
        case 'pageup':
          top = Math.max(0, top - (height() - 1));
          break;
        case 'down':
        case 'j':
        case 'return':
        case 'enter':
          if (atEnd && name !== 'down' && name !== 'j') return finish();
          top += 1;
          break;
        case 'up':
        case 'k':
          top = Math.max(0, top - 1);
          break;
        case 'g':
        case 'home':
          top = 0;
          break;
        case 'G':
        case 'end':
          top = maxTop();
          break;
        default:
          return;
      }
      draw();
    };
    emitKeypressEvents(input);
    if (input.isTTY) input.setRawMode(true);
    input.resume();
    output.write(ENTER_ALT);
    process.on('exit', restoreOnExit);
    input.on('keypress', onKey);
    output.on('resize', draw);
    draw();
  });
}
