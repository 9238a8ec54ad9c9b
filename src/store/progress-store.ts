/**
 * The only module that touches the progress file. Every change is a locked read-modify-write of the
 * current file (so two sessions merge instead of overwriting each other), written atomically (temp file +
 * rename, via lowdb/steno). A file we cannot understand is never written: the learner is told its name.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { FileError } from '../errors.js';
import { acquireLock } from './lock.js';
import { emptyDoc, normalise, problemWith, type ProgressDoc } from './document.js';
import { PROGRESS_FILE } from './paths.js';

/** One card or review per line: readable and diffable, without pretty-printing a million reviews. */
export function stringifyDoc(doc: ProgressDoc): string {
  const entries = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const block = (items: string[], open: string, close: string) => (items.length ? `${open}\n${items.join(',\n')}\n${close}` : `${open}${close}`);
  const { cards, reviews, ...rest } = doc;
  const head = entries(rest);
  return `{${[...head, `"cards":${block(entries(cards), '{', '}')}`, `"reviews":${block(reviews.map((r) => JSON.stringify(r)), '[', ']')}`].join(',\n')}}\n`;
}

export class ProgressStore {
  readonly file: string;
  private readonly db: Low<ProgressDoc | null>;
  /** Updates from this process run one after another; the lock file orders them against other processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.file = join(dir, PROGRESS_FILE);
    const file = this.file;
    const adapter = new DataFile<ProgressDoc | null>(file, {
      parse: (text) => {
        let data: unknown;
        try {
          data = JSON.parse(text);
        } catch (error) {
          throw this.unusable(`it is not valid JSON (${(error as Error).message})`);
        }
        const problem = problemWith(data);
        if (problem) throw this.unusable(problem);
        return normalise(data as Record<string, unknown>);
      },
      stringify: (doc) => stringifyDoc(doc!),
    });
    this.db = new Low(adapter, null);
  }

  private unusable(why: string): FileError {
    return new FileError(
      this.file,
      `Your progress file ${this.file} cannot be used: ${why}.\nIt was left untouched. To keep it, copy it somewhere safe; to start afresh, move it aside (mv "${this.file}" "${this.file}.broken").`,
    );
  }

  /** The current document (an empty one if there is no file yet). */
  async read(): Promise<ProgressDoc> {
    try {
      await this.db.read();
    } catch (error) {
      if (error instanceof FileError) throw error;
      throw new FileError(this.file, `Cannot read your progress file ${this.file}: ${(error as Error).message}`);
    }
    return this.db.data ?? emptyDoc();
  }

  /** Apply `change` to the freshest document under the lock and save it before returning. */
  update<T>(change: (doc: ProgressDoc) => T): Promise<T> {
    const next = this.queue.then(() => this.lockedUpdate(change));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async lockedUpdate<T>(change: (doc: ProgressDoc) => T): Promise<T> {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      throw new FileError(this.dir, `Cannot create the data directory ${this.dir}: ${(error as Error).message}`);
    }
    const release = await acquireLock(`${this.file}.lock`);
    try {
      const doc = await this.read();
      const result = change(doc);
      this.db.data = doc;
      try {
        await this.db.write();
      } catch (error) {
        throw new FileError(this.file, `Cannot save your progress to ${this.file}: ${(error as Error).message}. Your previous progress is intact.`);
      }
      return result;
    } finally {
      release();
    }
  }
}
