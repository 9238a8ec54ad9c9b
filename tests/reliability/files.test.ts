/**
 * Progress that cannot be read or written: a clear message naming the file, exit 1, and nothing overwritten
 * or silently reset.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schedulingApplier } from '../../src/app/context.js';
import { FileError } from '../../src/errors.js';
import { emptyDoc } from '../../src/store/document.js';
import { LOG_FILE, ProgressStore } from '../../src/store/progress-store.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

const flat = (s: string) => s.replace(/\s+/g, ' ');

function home(setup: (data: string) => void): string {
  const h = tempDir();
  const data = join(h, 'data');
  mkdirSync(data);
  setup(data);
  return h;
}

describe('progress that cannot be used', () => {
  it('a file from a newer version: named, exit 1, untouched', () => {
    const newer = JSON.stringify({ ...emptyDoc(), schemaVersion: 7 });
    const h = home((d) => writeFileSync(join(d, 'progress.json'), newer));
    const r = cli(['lab', 'token-bucket', '--json'], { home: h });
    expect(r.status).toBe(1);
    expect(flat(r.stderr)).toMatch(/progress\.json cannot be used: it was written by a newer backend-tutor \(schema 7; this version knows 2\)/);
    expect(readFileSync(join(h, 'data', 'progress.json'), 'utf8')).toBe(newer);
  });

  it('an unreadable progress file (here: a directory in its place): named, exit 1', () => {
    const h = home((d) => mkdirSync(join(d, 'progress.json')));
    for (const args of [['progress'], ['topics'], []]) {
      const r = cli(args, { home: h });
      expect(r.status, args.join(' ')).toBe(1);
      expect(flat(r.stderr)).toContain(`Cannot read your progress file ${join(h, 'data', 'progress.json')}`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('a data directory that cannot be created or written: named, with what to do, exit 1', () => {
    const h = tempDir();
    const r = cli(['lab', 'token-bucket', '--json', '--data-dir', '/sys/backend-tutor-test'], { home: h });
    expect(r.status).toBe(1);
    expect(flat(r.stderr)).toMatch(/Cannot create the data directory \/sys\/backend-tutor-test: .*--data-dir/);
  });

  it('a full disk: the answer is refused with a clear message and earlier progress is intact', async () => {
    const dir = tempDir();
    const store = new ProgressStore(dir, schedulingApplier());
    await store.append({ id: '1', card: 'c/x', rating: 3, at: '2026-03-01T10:00:00.000Z' });
    const before = readFileSync(store.file, 'utf8');
    // From now on every write to the log fails with ENOSPC, as on a full disk.
    unlinkSync(join(dir, LOG_FILE));
    symlinkSync('/dev/full', join(dir, LOG_FILE));
    const answer = { id: '2', card: 'c/x', rating: 3 as const, at: '2026-03-02T10:00:00.000Z' };
    await expect(store.append(answer)).rejects.toThrow(/disk is full/);
    await expect(store.append(answer)).rejects.toBeInstanceOf(FileError);
    expect(readFileSync(store.file, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });
});
