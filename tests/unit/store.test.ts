import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { schedulingApplier } from '../../src/app/context.js';
import { FileError } from '../../src/errors.js';
import { resolveHistory } from '../../src/srs/apply.js';
import { createScheduler } from '../../src/srs/scheduler.js';
import { totalAnswers } from '../../src/srs/stats.js';
import { DEFAULT_SETTINGS, emptyDoc } from '../../src/store/document.js';
import { LOG_FILE, ProgressStore, stringifyDoc } from '../../src/store/progress-store.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const review = (id: string, at = '2026-03-01T10:00:00.000Z', card = 'caching/x') => ({ id, card, rating: 3 as const, at });
const open = (dir = tempDir()) => new ProgressStore(dir, schedulingApplier());
const logLines = (store: ProgressStore) => readFileSync(store.log.file, 'utf8').split('\n').filter(Boolean);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('ProgressStore', () => {
  it('reads empty progress when there are no files, and creates both on the first answer', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = open(dir);
    expect(await store.read()).toEqual(emptyDoc());
    const applied = await store.append(review('1'));
    expect(applied?.before).toBeUndefined();
    const saved = JSON.parse(readFileSync(store.file, 'utf8'));
    expect(saved).toMatchObject({ schemaVersion: 2, logBytes: readFileSync(store.log.file).length });
    expect(saved.cards['caching/x']).toEqual(applied?.after);
    expect(saved.days['2026-03-01']).toMatchObject({ n: 1, new: 1 });
    expect(logLines(store).map((l) => JSON.parse(l))).toEqual([review('1')]);
    expect(existsSync(`${store.file}.lock`)).toBe(false);
  });

  it('writes one card or day per line', () => {
    const doc = { ...emptyDoc(), cards: { a: createScheduler(DEFAULT_SETTINGS).next(undefined, 3, new Date()) } };
    const text = stringifyDoc(doc);
    expect(JSON.parse(text)).toEqual(doc);
    expect(text.split('\n').filter((l) => l.startsWith('"a":'))).toHaveLength(1);
  });

  it('refuses a corrupt snapshot, names it, and leaves it untouched', async () => {
    const store = open();
    writeFileSync(store.file, '{"schemaVersion":2,"cards":{');
    await expect(store.read()).rejects.toThrow(FileError);
    await expect(store.append(review('1'))).rejects.toThrow(new RegExp(escape(store.file)));
    expect(readFileSync(store.file, 'utf8')).toBe('{"schemaVersion":2,"cards":{');
    expect(existsSync(store.log.file)).toBe(false);
  });

  it('refuses a file from a newer version without touching it', async () => {
    const store = open();
    const newer = JSON.stringify({ ...emptyDoc(), schemaVersion: 99 });
    writeFileSync(store.file, newer);
    await expect(store.update(() => undefined)).rejects.toThrow(/newer backend-tutor/);
    expect(readFileSync(store.file, 'utf8')).toBe(newer);
  });

  it('refuses a file of the wrong shape', async () => {
    const store = open();
    writeFileSync(store.file, '[1,2,3]');
    await expect(store.read()).rejects.toThrow(/JSON object/);
    writeFileSync(store.file, JSON.stringify({ schemaVersion: 2, cards: {}, days: {}, logBytes: 'x' }));
    await expect(store.read()).rejects.toThrow(/"logBytes" is not a byte count/);
  });

  it('serialises concurrent answers in one process', async () => {
    const store = open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(review(String(i), `2026-03-01T10:00:${String(i).padStart(2, '0')}.000Z`))));
    expect(logLines(store)).toHaveLength(20);
    expect(totalAnswers((await store.read()).days)).toBe(20);
  });

  it('recovers answers the snapshot missed (killed between log and snapshot)', async () => {
    const store = open();
    await store.append(review('1'));
    const snapshot = readFileSync(store.file, 'utf8');
    // What a kill after the fsynced log append, before the snapshot write, leaves behind:
    appendFileSync(store.log.file, `${JSON.stringify(review('2', '2026-03-02T10:00:00.000Z'))}\n`);
    const doc = await store.read();
    expect(totalAnswers(doc.days)).toBe(2);
    expect(readFileSync(store.file, 'utf8')).toBe(snapshot);
    await store.update(() => undefined);
    expect(JSON.parse(readFileSync(store.file, 'utf8')).logBytes).toBe(readFileSync(store.log.file).length);
  });

  it('ignores a torn last line and trims it before the next answer', async () => {
    const store = open();
    await store.append(review('1'));
    appendFileSync(store.log.file, '{"id":"2","card":"cach');
    expect(totalAnswers((await store.read()).days)).toBe(1);
    await store.append(review('3', '2026-03-03T10:00:00.000Z'));
    expect(logLines(store).map((l) => JSON.parse(l).id)).toEqual(['1', '3']);
  });

  it('keeps the snapshot when the log is removed by hand', async () => {
    const store = open();
    await store.append(review('1'));
    truncateSync(store.log.file, 0);
    expect(totalAnswers((await store.read()).days)).toBe(1);
    await store.append(review('2', '2026-03-02T10:00:00.000Z'));
    expect(totalAnswers((await store.read()).days)).toBe(2);
  });

  it('upgrades a version-1 file: a backup of the old one, its reviews moved into the log', async () => {
    const store = open();
    const v1 = { schemaVersion: 1, cards: {}, reviews: [review('2', '2026-03-02T10:00:00.000Z'), review('1')], lessonsRead: { http: '2026-03-01T09:00:00.000Z' }, labsRun: {}, settings: {} };
    writeFileSync(store.file, JSON.stringify(v1));
    const doc = await store.read();
    expect(totalAnswers(doc.days)).toBe(2);
    expect(doc.lessonsRead).toEqual(v1.lessonsRead);
    await store.append(review('3', '2026-03-03T10:00:00.000Z'));
    expect(JSON.parse(readFileSync(`${store.file}.v1-backup`, 'utf8'))).toEqual(v1);
    expect(logLines(store).map((l) => JSON.parse(l).id)).toEqual(['1', '2', '3']);
    const after = await store.read();
    expect(after.schemaVersion).toBe(2);
    expect(after.cards['caching/x']).toEqual(createScheduler(DEFAULT_SETTINGS).replay(resolveHistory(store.readLog(), 'caching/x')));
  });

  it('loses nothing when three processes answer at once', async () => {
    const dir = tempDir();
    const entry = join(dir, 'writer.ts');
    writeFileSync(
      entry,
      `import { ProgressStore } from ${JSON.stringify(join(ROOT, 'src/store/progress-store.ts'))};
       import { schedulingApplier } from ${JSON.stringify(join(ROOT, 'src/app/context.ts'))};
       const store = new ProgressStore(process.argv[2], schedulingApplier());
       for (let i = 0; i < 40; i++) await store.append({ id: process.argv[3] + i, card: 'c/' + (i % 5), rating: 1 + (i % 4), at: new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString() });`,
    );
    const bundle = join(dir, 'writer.mjs');
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    const run = (tag: string) =>
      new Promise<number>((resolve) => {
        spawn(process.execPath, [bundle, join(dir, 'data'), tag], { stdio: 'inherit' }).on('exit', (code) => resolve(code ?? 1));
      });
    expect(await Promise.all([run('a'), run('b'), run('c')])).toEqual([0, 0, 0]);
    const store = open(join(dir, 'data'));
    const ids = store.readLog().map((r) => ('id' in r ? r.id : ''));
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(totalAnswers((await store.read()).days)).toBe(120);
    expect(readFileSync(join(dir, 'data', LOG_FILE), 'utf8').length).toBe(JSON.parse(readFileSync(store.file, 'utf8')).logBytes);
  });

  it('takes over a lock left by a process that died', async () => {
    const store = open();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(`${store.file}.lock`, `${dead}:abc`);
    await store.append(review('after-crash'));
    expect(store.readLog()).toHaveLength(1);
    expect(existsSync(`${store.file}.lock`)).toBe(false);
  });
});

describe('resetting', () => {
  it('one topic: its cards go, after a backup; other topics, answers and days stay', async () => {
    const dir = tempDir();
    const store = open(dir);
    await store.append(review('1', '2026-03-01T10:00:00.000Z', 'caching/x'));
    await store.append(review('2', '2026-03-01T10:01:00.000Z', 'http/y'));
    await store.update((doc) => void (doc.lessonsRead.caching = '2026-03-01T09:00:00.000Z'));
    const backup = await store.resetTopic('caching', '2026-03-02T10:00:00.000Z');
    const doc = await store.read();
    expect(Object.keys(doc.cards)).toEqual(['http/y']);
    expect(doc.lessonsRead).toEqual({});
    expect(totalAnswers(doc.days)).toBe(2);
    expect(JSON.parse(readFileSync(join(backup!, 'progress.json'), 'utf8')).cards['caching/x']).toBeTruthy();
    // The reset is in the log: rebuilding from it agrees, and later answers start the card afresh.
    await store.append(review('3', '2026-03-03T10:00:00.000Z', 'caching/x'));
    const s = createScheduler(DEFAULT_SETTINGS);
    expect((await store.read()).cards['caching/x']).toEqual(s.replay(resolveHistory(store.readLog(), 'caching/x')));
    expect(resolveHistory(store.readLog(), 'caching/x').map((r) => r.id)).toEqual(['3']);
  });

  it('everything: progress and log go after a backup, settings stay', async () => {
    const dir = tempDir();
    const store = open(dir);
    await store.append(review('1'));
    await store.update((doc) => void (doc.settings = { newPerDay: 5 }));
    const backup = await store.resetAll();
    const doc = await store.read();
    expect(doc.cards).toEqual({});
    expect(doc.days).toEqual({});
    expect(doc.settings).toEqual({ newPerDay: 5 });
    expect(store.readLog()).toEqual([]);
    expect(readFileSync(join(backup!, LOG_FILE), 'utf8')).toContain('"id":"1"');
  });
});
