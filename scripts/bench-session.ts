// In-process scale figure: building a session over a synthetic 50,000-card deck (run by scripts/bench.mjs).
import type { CompiledQuestion } from '../src/content/types.js';
import { buildSession } from '../src/quiz/session.js';
import { createScheduler } from '../src/srs/scheduler.js';
import type { StoredCard } from '../src/srs/types.js';
import { DEFAULT_SETTINGS } from '../src/store/document.js';

const N = 50_000;
const now = new Date('2026-06-01T12:00:00Z');
const questions: CompiledQuestion[] = [];
const cards: Record<string, StoredCard> = {};
for (let i = 0; i < N; i++) {
  const cardId = `t${i % 31}/q${i}`;
  questions.push({ id: `q${i}`, kind: 'boolean', prompt: 'p', explanation: 'e', difficulty: ((i % 3) + 1) as 1 | 2 | 3, tags: [], answer: true, why: 'w', topic: `t${i % 31}`, cardId });
  if (i % 5 !== 0) {
    const due = new Date(now.getTime() + ((i % 40) - 20) * 86_400_000);
    cards[cardId] = { due: due.toISOString(), stability: 1 + (i % 60), difficulty: 5, scheduled_days: 10, learning_steps: 0, reps: 4, lapses: 0, state: 2, last_review: new Date(due.getTime() - 10 * 86_400_000).toISOString() };
  }
}
const s = createScheduler(DEFAULT_SETTINGS);
const times: number[] = [];
let size = 0;
const RUNS = 31;
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  size = buildSession({ questions, cards, now, mode: 'default', newLeft: 20, reviewsLeft: 200, retrievability: (c) => s.retrievability(c, now) }).length;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ cards: N, sessionSize: size, medianMs: times[(RUNS - 1) / 2], minMs: times[0], maxMs: times[RUNS - 1] }));
