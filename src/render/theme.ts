/** Colours and symbols in one place. Colour off means plain text: pipes, NO_COLOR, --no-color, TERM=dumb. */
import chalk, { Chalk, type ChalkInstance } from 'chalk';

export interface Theme {
  readonly color: boolean;
  readonly c: ChalkInstance;
  readonly ok: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly accent: (s: string) => string;
  readonly code: (s: string) => string;
  readonly heading: (s: string) => string;
  readonly symbols: { readonly ok: string; readonly bad: string; readonly bullet: string; readonly pointer: string; readonly bar: string; readonly barEmpty: string };
}

/**
 * Whether to colour this stream: --no-color and NO_COLOR (no-color.org; chalk 5 itself ignores it) say no,
 * FORCE_COLOR says yes, otherwise a real terminal that is not TERM=dumb.
 */
export function wantsColor(flag: boolean | undefined, stream: { isTTY?: boolean }): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return chalk.level > 0 && stream.isTTY === true && process.env.TERM !== 'dumb';
}

export function createTheme(color: boolean): Theme {
  const c = new Chalk({ level: color ? Math.max(chalk.level, 1) as 1 | 2 | 3 : 0 });
  const unicode = process.platform !== 'win32' || Boolean(process.env.WT_SESSION);
  return {
    color,
    c,
    ok: c.green,
    bad: c.red,
    warn: c.yellow,
    dim: c.dim,
    bold: c.bold,
    accent: c.cyan,
    code: c.yellow,
    heading: c.bold.cyan,
    symbols: unicode
      ? { ok: '✔', bad: '✘', bullet: '•', pointer: '❯', bar: '█', barEmpty: '░' }
      : { ok: 'v', bad: 'x', bullet: '*', pointer: '>', bar: '#', barEmpty: '.' },
  };
}
