/**
 * The only module that touches the progress files: `progress.json`, a snapshot small enough to read on every
 * start-up, and `reviews.jsonl`, the append-only review log it is derived from.
 *
 * Every change is a locked read-modify-write (so two sessions merge instead of overwriting each other). An
 * answer is appended to the log and fsynced before the snapshot is rewritten (atomically, temp file + rename
 * via lowdb/steno, loaded only to write: most commands only read); if a process dies in between, the next
 * reader replays the log tail the snapshot missed.
 * A file we cannot understand is never written: the learner is told its name.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DataFile } from 'lowdb/node';
import { FileError } from '../errors.js';
import type { AmendHint, Applied } from '../srs/apply.js';
import type { LogRecord } from '../srs/types.js';
import { acquireLock } from './lock.js';
import { emptyDoc, isV1, normalise, problemWith, type ProgressDoc, type ProgressDocV1 } from './document.js';
import { LogFile } from './log-file.js';
import { PROGRESS_FILE } from './paths.js';

export const LOG_FILE = 'reviews.jsonl';

/** How a log record changes the snapshot: supplied by the caller (the scheduler lives in srs/, not here). */
export interface Applier {
  apply(doc: ProgressDoc, rec: LogRecord, history: () => readonly LogRecord[], hint?: AmendHint): Applied | undefined;
}

/** One card or day per line: readable and diffable without pretty-printing thousands of cards. */
export function stringifyDoc(doc: ProgressDoc): string {
  const entries = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const block = (items: string[]) => (items.length ? `{\n${items.join(',\n')}\n}` : '{}');
  const { cards, days, ...rest } = doc;
  return `{${[...entries(rest), `"days":${block(entries(days))}`, `"cards":${block(entries(cards))}`].join(',\n')}}\n`;
}

interface Loaded {
  doc: ProgressDoc;
  /** Set when the file on disk is version 1: its reviews still have to be moved into the log. */
  migration?: { records: LogRecord[] };
}

export class ProgressStore {
  readonly file: string;
  readonly log: LogFile;
  private writer: DataFile<ProgressDoc> | undefined;
  /** Updates from this process run one after another; the lock file orders them against other processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly applier: Applier,
  ) {
    this.file = join(dir, PROGRESS_FILE);
    this.log = new LogFile(join(dir, LOG_FILE));
  }

  /** The stored snapshot, null when there is none yet. */
  private readStored(): ProgressDoc | ProgressDocV1 | null {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw this.unusable(`it is not valid JSON (${(error as Error).message})`);
    }
    const problem = problemWith(data);
    if (problem) throw this.unusable(problem);
    const record = data as Record<string, unknown>;
    return isV1(record) ? (record as unknown as ProgressDocV1) : normalise(record);
  }

  /** Atomic write (temp file, then rename) by lowdb's DataFile. */
  private async writeStored(doc: ProgressDoc): Promise<void> {
    if (!this.writer) {
      const { DataFile } = await import('lowdb/node');
      this.writer = new DataFile<ProgressDoc>(this.file, { parse: JSON.parse, stringify: stringifyDoc });
    }
    await this.writer.write(doc);
  }

  private unusable(why: string): FileError {
    return new FileError(
      this.file,
      `Your progress file ${this.file} cannot be used: ${why}.\nIt was left untouched. To keep it, copy it somewhere safe; to start afresh, move it aside (mv "${this.file}" "${this.file}.broken").`,
    );
  }

  private fail(action: string, error: unknown): FileError {
    if (error instanceof FileError) return error;
    const e = error as NodeJS.ErrnoException;
    const hint =
      e.code === 'ENOSPC'
        ? ' The disk is full: free some space and try again.'
        : e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS'
          ? ` Check that you may write to ${this.dir} (or choose another place with --data-dir).`
          : '';
    return new FileError(this.file, `Cannot ${action}: ${e.message}.${hint} Your progress saved so far is intact.`);
  }

  /** The snapshot as stored, brought up to date with any log tail it missed (in memory). */
  private async load(): Promise<Loaded> {
    let stored: ProgressDoc | ProgressDocV1 | null;
    try {
      stored = this.readStored();
    } catch (error) {
      throw this.fail(`read your progress file ${this.file}`, error);
    }
    const history = () => this.log.readAll();
    if (stored && isV1(stored as unknown as Record<string, unknown>)) {
      const v1 = stored as ProgressDocV1;
      const doc: ProgressDoc = { ...emptyDoc(), lessonsRead: v1.lessonsRead ?? {}, labsRun: v1.labsRun ?? {}, settings: v1.settings ?? {} };
      const records = [...v1.reviews].sort((a, b) => a.at.localeCompare(b.at));
      for (const r of records) this.applier.apply(doc, r, () => records);
      return { doc, migration: { records } };
    }
    const doc = (stored as ProgressDoc | null) ?? emptyDoc();
    let size: number;
    try {
      size = this.log.size();
    } catch (error) {
      throw this.fail(`read your review log ${this.log.file}`, error);
    }
    if (size > doc.logBytes) {
      const tail = this.log.readFrom(doc.logBytes);
      for (const r of tail.records) this.applier.apply(doc, r, history);
      doc.logBytes = tail.end;
    } else if (size < doc.logBytes) {
      // The log was truncated or removed by hand: the snapshot stays the truth from here on.
      doc.logBytes = size;
    }
    return { doc };
  }

  /** The current progress (empty if there is none yet). */
  async read(): Promise<ProgressDoc> {
    return (await this.load()).doc;
  }

  /** Every record in the review log, in order (export, optimiser, rebuilding a card). */
  readLog(): LogRecord[] {
    return this.log.readAll();
  }

  private exclusive<T>(work: (loaded: Loaded) => T): Promise<T> {
    const next = this.queue.then(async () => {
      try {
        mkdirSync(this.dir, { recursive: true });
      } catch (error) {
        throw this.fail(`create the data directory ${this.dir}`, error);
      }
      const release = await acquireLock(`${this.file}.lock`);
      try {
        const loaded = await this.load();
        if (loaded.migration) this.migrate(loaded);
        const result = work(loaded);
        try {
          await this.writeStored(loaded.doc);
        } catch (error) {
          throw this.fail(`save your progress to ${this.file}`, error);
        }
        return result;
      } finally {
        release();
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Version 1 → 2: keep a copy of the old file, move its reviews into the log. */
  private migrate(loaded: Loaded): void {
    const backup = `${this.file}.v1-backup`;
    try {
      copyFileSync(this.file, backup);
      // A log already beside a version-1 file (put there by hand) is kept, never replayed twice.
      const existing = this.log.size();
      loaded.doc.logBytes = existing === 0 ? this.log.append(loaded.migration!.records) : existing;
    } catch (error) {
      throw this.fail(`upgrade your progress file (a copy of the old one is at ${backup})`, error);
    }
  }

  /** Copy the progress files into backups/<time>/ and return that folder (nothing to copy: undefined). */
  private backup(): string | undefined {
    const files = [this.file, this.log.file].filter((f) => existsSync(f));
    if (!files.length) return undefined;
    const dir = join(this.dir, 'backups', new Date().toISOString().replace(/[:.]/g, '-'));
    try {
      mkdirSync(dir, { recursive: true });
      for (const f of files) copyFileSync(f, join(dir, f.slice(this.dir.length + 1)));
    } catch (error) {
      throw this.fail(`back up your progress to ${dir} (nothing was reset)`, error);
    }
    return dir;
  }

  /** Forget everything but the settings, after a backup. Returns the backup folder. */
  resetAll(): Promise<string | undefined> {
    return this.exclusive(({ doc }) => {
      const saved = this.backup();
      try {
        rmSync(this.log.file, { force: true });
      } catch (error) {
        throw this.fail(`remove ${this.log.file}`, error);
      }
      Object.assign(doc, { ...emptyDoc(), settings: doc.settings });
      return saved;
    });
  }

  /** Forget one topic's cards (its answers stay in the log and the day statistics), after a backup. */
  resetTopic(topic: string, at: string): Promise<string | undefined> {
    return this.exclusive(({ doc }) => {
      const saved = this.backup();
      try {
        doc.logBytes = this.log.append([{ reset: topic, at }]);
      } catch (error) {
        throw this.fail(`save the reset to ${this.log.file}`, error);
      }
      this.applier.apply(doc, { reset: topic, at }, () => this.log.readAll());
      delete doc.lessonsRead[topic];
      return saved;
    });
  }

  /**
   * Change the snapshot, then recompute every card from the log under the new settings: new FSRS parameters
   * change every card's memory state, not only future answers.
   */
  rescheduleAll(change: (doc: ProgressDoc) => void): Promise<void> {
    return this.exclusive(({ doc }) => {
      change(doc);
      let records: LogRecord[];
      try {
        records = this.log.readAll();
      } catch (error) {
        throw this.fail(`read your review log ${this.log.file}`, error);
      }
      const fresh: ProgressDoc = { ...emptyDoc(), settings: doc.settings };
      for (const r of records) this.applier.apply(fresh, r, () => records);
      doc.cards = fresh.cards;
    });
  }

  /** Change the snapshot (lessons read, labs run, settings) under the lock and save it before returning. */
  update<T>(change: (doc: ProgressDoc) => T): Promise<T> {
    return this.exclusive(({ doc }) => change(doc));
  }

  /**
   * Append one record to the log (durably), apply it to the snapshot and save. Returns the card before and
   * after, as the applier computed them.
   */
  append(record: LogRecord, hint?: AmendHint): Promise<Applied | undefined> {
    return this.exclusive(({ doc }) => {
      try {
        doc.logBytes = this.log.append([record]);
      } catch (error) {
        throw this.fail(`save your answer to ${this.log.file}`, error);
      }
      return this.applier.apply(doc, record, () => this.log.readAll(), hint);
    });
  }
}
