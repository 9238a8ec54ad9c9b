/**
 * The review log: one JSON record per line, only ever appended to. Each append is fsynced before it returns,
 * so an answer whose result was shown survives a kill at any moment. A line cut short by a kill mid-append
 * is ignored when reading and trimmed before the next append.
 */
import { closeSync, fsyncSync, openSync, readSync, fstatSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import type { LogRecord } from '../srs/types.js';

const isGrade = (x: unknown) => x === 1 || x === 2 || x === 3 || x === 4;

function parseRecord(line: string): LogRecord | undefined {
  try {
    const r = JSON.parse(line) as Record<string, unknown>;
    if (typeof r.at !== 'string') return undefined;
    if (typeof r.reset === 'string') return r as unknown as LogRecord;
    if (typeof r.undo === 'string' && typeof r.card === 'string') return r as unknown as LogRecord;
    if (typeof r.card !== 'string' || !isGrade(r.rating)) return undefined;
    if (typeof r.id === 'string' || typeof r.amend === 'string') return r as unknown as LogRecord;
  } catch {
    // a damaged line: skipped, the rest of the log still counts
  }
  return undefined;
}

export class LogFile {
  constructor(readonly file: string) {}

  size(): number {
    try {
      return statSync(this.file).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  /** Records from byte `offset` to the last complete line; `end` is the byte after that line. */
  readFrom(offset: number): { records: LogRecord[]; end: number } {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], end: 0 };
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= offset) return { records: [], end: offset };
      const buf = Buffer.allocUnsafe(size - offset);
      let read = 0;
      while (read < buf.length) {
        const n = readSync(fd, buf, read, buf.length - read, offset + read);
        if (n === 0) break;
        read += n;
      }
      const last = buf.lastIndexOf(10, read - 1);
      if (last < 0) return { records: [], end: offset };
      const records: LogRecord[] = [];
      for (const line of buf.toString('utf8', 0, last).split('\n')) {
        if (!line) continue;
        const r = parseRecord(line);
        if (r) records.push(r);
      }
      return { records, end: offset + last + 1 };
    } finally {
      closeSync(fd);
    }
  }

  readAll(): LogRecord[] {
    return this.readFrom(0).records;
  }

  /** Append records durably (fsync); first trims a torn last line left by a killed writer. Returns the new size. */
  append(records: readonly LogRecord[]): number {
    const fd = openSync(this.file, 'a+');
    try {
      let size = fstatSync(fd).size;
      if (size > 0) {
        const tail = Buffer.alloc(Math.min(size, 64 * 1024));
        readSync(fd, tail, 0, tail.length, size - tail.length);
        if (tail[tail.length - 1] !== 10) {
          const nl = tail.lastIndexOf(10);
          size = nl < 0 ? Math.max(0, size - tail.length) : size - tail.length + nl + 1;
          ftruncateSync(fd, size);
        }
      }
      const data = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      writeSync(fd, data, 0, data.length, size);
      fsyncSync(fd);
      return size + data.length;
    } finally {
      closeSync(fd);
    }
  }
}
