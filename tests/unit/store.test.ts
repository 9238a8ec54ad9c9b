import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileError } from '../../src/errors.js';
import { emptyDoc } from '../../src/store/document.js';
import { ProgressStore, stringifyDoc } from '../../src/store/progress-store.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const review = (id: string) => ({ id, card: 'caching/x', rating: 3 as const, at: '2026-03-01T10:00:00.000Z' });

describe('ProgressStore', () => {
  it('reads an empty document when there is no file, and creates it on the first update', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = new ProgressStore(dir);
    expect(await store.read()).toEqual(emptyDoc());
    await store.update((doc) => void doc.reviews.push(review('1')));
    const saved = JSON.parse(readFileSync(store.file, 'utf8'));
    expect(saved.reviews).toEqual([review('1')]);
    expect(saved.schemaVersion).toBe(1);
    expect(existsSync(`${store.file}.lock`)).toBe(false);
  });

  it('writes one card or review per line', () => {
    const doc = { ...emptyDoc(), reviews: [review('1'), review('2')] };
    const text = stringifyDoc(doc);
    expect(JSON.parse(text)).toEqual(doc);
    expect(text.split('\n').filter((l) => l.includes('"id"'))).toHaveLength(2);
  });

  it('refuses a corrupt file, names it, and leaves it untouched', async () => {
    const dir = tempDir();
    const store = new ProgressStore(dir);
    writeFileSync(store.file, '{"schemaVersion":1,"cards":{');
    await expect(store.read()).rejects.toThrow(FileError);
    await expect(store.update(() => undefined)).rejects.toThrow(new RegExp(store.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    expect(readFileSync(store.file, 'utf8')).toBe('{"schemaVersion":1,"cards":{');
  });

  it('refuses a file from a newer version without touching it', async () => {
    const store = new ProgressStore(tempDir());
    const newer = JSON.stringify({ ...emptyDoc(), schemaVersion: 99 });
    writeFileSync(store.file, newer);
    await expect(store.update(() => undefined)).rejects.toThrow(/newer backend-tutor/);
    expect(readFileSync(store.file, 'utf8')).toBe(newer);
  });

  it('refuses a file of the wrong shape', async () => {
    const store = new ProgressStore(tempDir());
    writeFileSync(store.file, '[1,2,3]');
    await expect(store.read()).rejects.toThrow(/JSON object/);
    writeFileSync(store.file, JSON.stringify({ schemaVersion: 1, cards: {}, reviews: 'no' }));
    await expect(store.read()).rejects.toThrow(/"reviews" is not an array/);
  });

  it('serialises concurrent updates in one process', async () => {
    const store = new ProgressStore(tempDir());
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((doc) => void doc.reviews.push(review(String(i))))));
    expect((await store.read()).reviews).toHaveLength(20);
  });

  it('loses nothing when two processes update at once', async () => {
    const dir = tempDir();
    // Bundle a tiny writer so a plain `node` child can run the real store.
    const entry = join(dir, 'writer.ts');
    writeFileSync(
      entry,
      `import { ProgressStore } from ${JSON.stringify(join(ROOT, 'src/store/progress-store.ts'))};
       const store = new ProgressStore(process.argv[2]);
       for (let i = 0; i < 40; i++) await store.update((doc) => void doc.reviews.push({ id: process.argv[3] + i, card: 'c/x', rating: 3, at: new Date().toISOString() }));`,
    );
    const bundle = join(dir, 'writer.mjs');
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    const run = (tag: string) =>
      new Promise<number>((resolve) => {
        spawn(process.execPath, [bundle, join(dir, 'data'), tag], { stdio: 'inherit' }).on('exit', (code) => resolve(code ?? 1));
      });
    expect(await Promise.all([run('a'), run('b'), run('c')])).toEqual([0, 0, 0]);
    const ids = (await new ProgressStore(join(dir, 'data')).read()).reviews.map((r) => r.id);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
  });

  it('takes over a lock left by a process that died', async () => {
    const store = new ProgressStore(tempDir());
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(`${store.file}.lock`, `${dead}:abc`);
    await store.update((doc) => void doc.reviews.push(review('after-crash')));
    expect((await store.read()).reviews.map((r) => r.id)).toEqual(['after-crash']);
    expect(existsSync(`${store.file}.lock`)).toBe(false);
  });
});
