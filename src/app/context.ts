/** Everything a command needs, passed in: paths, clock, terminal, theme, content and progress. No singletons. */
import { ContentStore } from '../content/index-file.js';
import { ProgressStore, type Applier } from '../store/progress-store.js';
import { applyRecord } from '../srs/apply.js';
import { createScheduler, type Scheduler } from '../srs/scheduler.js';
import { settingsOf } from '../store/document.js';
import { resolveDataDir } from '../store/paths.js';
import { createTheme, wantsColor, type Theme } from '../render/theme.js';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { wrap } from '../render/text.js';

export interface Io {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Both ends are a terminal that can move its cursor: prompts, pager and predictions are allowed. */
  readonly interactive: boolean;
  /** A terminal, but TERM=dumb: output is plain, as in a pipe. */
  readonly dumb: boolean;
  /** Usable width for text. */
  readonly columns: () => number;
  readonly rows: () => number;
  write(text: string): void;
  /** A line of prose, word-wrapped to the terminal (80 columns in a pipe). */
  say(text: string): void;
  error(text: string): void;
}

export interface AppContext {
  readonly root: string;
  readonly now: () => Date;
  readonly io: Io;
  readonly theme: Theme;
  readonly content: ContentStore;
  readonly store: ProgressStore;
  /** A fresh seed for a session's shuffles, unless one was given. */
  readonly randomSeed: () => number;
}

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly color?: boolean;
}

/** Log records applied with the scheduler the learner's settings describe (one per settings, not per record). */
export function schedulingApplier(): Applier {
  let key = '';
  let scheduler: Scheduler | undefined;
  return {
    apply(doc, rec, history, hint) {
      const settings = settingsOf(doc);
      const k = JSON.stringify(settings);
      if (k !== key || !scheduler) [key, scheduler] = [k, createScheduler(settings)];
      return applyRecord(doc, rec, scheduler, history, hint);
    },
  };
}

export function createContext(root: string, opts: GlobalOptions): AppContext {
  const { stdout, stderr } = process;
  const io: Io = {
    // process.stdin is created on first use, and for a pipe or file that loads Node's stream machinery:
    // commands that never read input should not pay for it.
    get stdin() {
      return process.stdin;
    },
    stdout,
    stderr,
    interactive: isatty(0) && Boolean(stdout.isTTY) && process.env.TERM !== 'dumb',
    dumb: Boolean(stdout.isTTY) && process.env.TERM === 'dumb',
    // One column short of the edge: a line that fills the last column makes some terminals wrap early.
    columns: () => (stdout.isTTY ? (stdout.columns || 80) - 1 : 80),
    rows: () => (stdout.isTTY ? stdout.rows || 24 : 24),
    write: (text) => void stdout.write(text),
    say: (text) => void stdout.write(`${wrap(text, Math.min(100, io.columns())).join('\n')}\n`),
    error: (text) => void stderr.write(`${wrap(text.replace(/\n$/, ''), Math.min(100, stderr.isTTY ? (stderr.columns || 80) - 1 : 80)).join('\n')}\n`),
  };
  return {
    root,
    now: () => new Date(),
    io,
    theme: createTheme(wantsColor(opts.color, stdout)),
    content: new ContentStore(join(root, 'dist', 'content')),
    store: new ProgressStore(resolveDataDir(opts.dataDir), schedulingApplier()),
    randomSeed: () => Math.floor(Math.random() * 2 ** 31),
  };
}
