/**
 * Durability: a session killed with SIGKILL at a random moment never leaves progress that fails to load,
 * and never loses an answer whose result was already acknowledged.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schedulingApplier } from '../../src/app/context.js';
import { resolveHistory } from '../../src/srs/apply.js';
import { createScheduler } from '../../src/srs/scheduler.js';
import { totalAnswers } from '../../src/srs/stats.js';
import { isReview } from '../../src/srs/types.js';
import { DEFAULT_SETTINGS } from '../../src/store/document.js';
import { ProgressStore } from '../../src/store/progress-store.js';
import { bundleScript } from '../helpers/bundle.js';
import { tempDir } from '../helpers/fixtures.js';

const KILLS = 200;

/** A scripted session: answers as fast as it can, sometimes amends; prints "ack <id>" once an answer is saved. */
const driver = bundleScript(
  'kill-driver',
  `import { writeSync } from 'node:fs';
   import { ProgressStore } from '@src/store/progress-store.ts';
   import { schedulingApplier } from '@src/app/context.ts';
   const [dir, tag] = process.argv.slice(2);
   const store = new ProgressStore(dir, schedulingApplier());
   let t = Date.UTC(2026, 0, 1) + Number(tag) * 3_600_000;
   for (let i = 0; ; i++) {
     const id = tag + '-' + i;
     const card = 'kill/q' + (i % 7);
     t += 61_000;
     const at = new Date(t).toISOString();
     const applied = await store.append({ id, card, rating: 1 + (i % 4), at, ms: 1000 });
     writeSync(1, 'ack ' + id + '\\n');
     if (i % 3 === 0) {
       await store.append({ amend: id, card, rating: 4, at }, { before: applied.before, after: applied.after, rating: 1 + (i % 4), reviewedAt: at });
       writeSync(1, 'amended ' + id + '\\n');
     }
   }`,
);

/** Start a session and kill it `afterMs` after its first saved answer, mid-stream. */
function runAndKill(dir: string, tag: number, afterMs: number): Promise<{ acked: string[]; amended: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [driver, dir, String(tag)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      timer ??= setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      const lines = out.split('\n');
      resolve({
        acked: lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4)),
        amended: lines.filter((l) => l.startsWith('amended ')).map((l) => l.slice(8)),
      });
    });
  });
}

describe('SIGKILL at random moments', () => {
  it(`keeps every acknowledged answer and a loadable file across ${KILLS} kills`, async () => {
    const dir = join(tempDir(), 'data');
    const acked = new Set<string>();
    const amended = new Set<string>();
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < KILLS; k++) {
      const r = await runAndKill(dir, k, Math.floor(rand() * 60));
      for (const id of r.acked) acked.add(id);
      for (const id of r.amended) amended.add(id);
      // Every kill leaves progress that loads, with every acknowledged answer in it.
      const store = new ProgressStore(dir, schedulingApplier());
      const doc = await store.read();
      const log = store.readLog();
      const ids = new Set(log.filter(isReview).map((x) => x.id));
      for (const id of r.acked) expect(ids.has(id), `acknowledged ${id} lost after kill ${k}`).toBe(true);
      expect(totalAnswers(doc.days)).toBe(ids.size);
    }
    expect(acked.size).toBeGreaterThan(KILLS);
    // Derived state equals a replay of the log from scratch: nothing double-counted, no amend lost.
    const store = new ProgressStore(dir, schedulingApplier());
    const doc = await store.read();
    const log = store.readLog();
    const s = createScheduler(DEFAULT_SETTINGS);
    for (let q = 0; q < 7; q++) expect(doc.cards[`kill/q${q}`]).toEqual(s.replay(resolveHistory(log, `kill/q${q}`)));
    for (const id of amended) {
      const card = log.filter(isReview).find((x) => x.id === id)!.card;
      expect(resolveHistory(log, card).find((x) => x.id === id)?.rating, id).toBe(4);
    }
  }, 240_000);
});
