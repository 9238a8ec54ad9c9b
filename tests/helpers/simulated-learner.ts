import { createEmptyCard, default_w, fsrs, generatorParameters, type Card, type Grade as FsrsGrade } from 'ts-fsrs';
import type { Grade, LogRecord } from '../../src/srs/types.js';
import { createRng } from '../../src/util/random.js';

const DAY = 86_400_000;

/**
 * A learner whose memory follows FSRS with parameters that are not the defaults (initial stabilities four times
 * larger, a steeper forgetting curve), scheduled by the default parameters for a year. Each answer is drawn from
 * the true model's recall probability, so the log carries the truth for the optimizer to find.
 */
export function simulatedLog(seed: number, cards: number): { records: LogRecord[]; truth: number[] } {
  const truth = [...default_w];
  for (let i = 0; i < 4; i++) truth[i] = default_w[i]! * 4;
  truth[20] = 0.4;
  const real = fsrs(generatorParameters({ w: truth, enable_fuzz: false, enable_short_term: false }));
  const scheduler = fsrs(generatorParameters({ enable_fuzz: false, enable_short_term: false }));
  const rng = createRng(seed);
  const records: LogRecord[] = [];
  const start = Date.parse('2025-01-01T09:00:00Z');
  for (let c = 0; c < cards; c++) {
    const first = new Date(start + Math.floor(rng() * 60) * DAY);
    let memory: Card = createEmptyCard(first);
    let schedule: Card = createEmptyCard(first);
    let at = first;
    for (let n = 0; at.getTime() < start + 365 * DAY; n++) {
      const recalled = n === 0 ? rng() < 0.7 : rng() < real.get_retrievability(memory, at, false);
      const rating: Grade = recalled ? (rng() < 0.15 ? 4 : 3) : 1;
      records.push({ id: `${c}-${n}`, card: `t/q${c}`, rating, at: at.toISOString() });
      memory = real.next(memory, at, rating as FsrsGrade).card;
      schedule = scheduler.next(schedule, at, rating as FsrsGrade).card;
      at = new Date(Math.max(schedule.due.getTime(), at.getTime() + DAY));
    }
  }
  return { records, truth };
}
