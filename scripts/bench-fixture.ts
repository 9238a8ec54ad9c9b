// Bench fixture: a long-time learner's data directory — REVIEWS answers over the real cards, written as
// reviews.jsonl with the snapshot the store derives from it (run by scripts/bench.mjs).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { schedulingApplier } from '../src/app/context.js';
import { emptyDoc } from '../src/store/document.js';
import { LOG_FILE, stringifyDoc } from '../src/store/progress-store.js';
import { PROGRESS_FILE } from '../src/store/paths.js';
import type { Grade, ReviewRecord } from '../src/srs/types.js';

const [dir, countArg, cardsArg, startArg] = process.argv.slice(2);
const reviews = Number(countArg);
const cardIds = cardsArg!.split(',');
mkdirSync(dir!, { recursive: true });
const applier = schedulingApplier();
const doc = emptyDoc();
const lines: string[] = [];
// Two years of history ending now-ish by default; a few hundred answers a day.
const start = startArg ? Date.parse(startArg) : Date.parse('2024-01-01T08:00:00Z');
const span = startArg ? Date.now() - start : 2 * 365 * 86_400_000;
const step = span / reviews;
for (let i = 0; i < reviews; i++) {
  const rec: ReviewRecord = { id: `r${i}`, card: cardIds[i % cardIds.length]!, rating: (1 + ((i * 7) % 4)) as Grade, at: new Date(start + i * step).toISOString(), ms: 4000 };
  applier.apply(doc, rec, () => []);
  lines.push(JSON.stringify(rec));
}
const log = `${lines.join('\n')}\n`;
writeFileSync(join(dir!, LOG_FILE), log);
doc.logBytes = Buffer.byteLength(log);
writeFileSync(join(dir!, PROGRESS_FILE), stringifyDoc(doc));
