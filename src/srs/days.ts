/** Per-day statistics, kept up to date answer by answer so nothing has to re-read the review log. */
import { dayKey, MASTERY_STABILITY_DAYS } from './stats.js';
import type { DayStats, Grade, StoredCard } from './types.js';

export type Days = Record<string, DayStats>;

const empty = (): DayStats => ({ n: 0, ok: 0, ms: 0, new: 0, rev: 0, young: [0, 0], mature: [0, 0] });

const passed = (rating: Grade) => (rating > 1 ? 1 : 0);

/** Which retention bucket an answer falls in, judged by the card before it: Anki's young/mature split. */
function bucket(before: StoredCard | undefined): 'young' | 'mature' | undefined {
  if (!before || (before.state !== 2 && before.state !== 3)) return undefined;
  return before.scheduled_days >= MASTERY_STABILITY_DAYS ? 'mature' : 'young';
}

export function countAnswer(days: Days, before: StoredCard | undefined, rating: Grade, at: Date, ms = 0): void {
  const d = (days[dayKey(at)] ??= empty());
  d.n++;
  d.ok += passed(rating);
  d.ms += ms;
  if (!before || before.state === 0) d.new++;
  else if (before.state === 2) d.rev++;
  const b = bucket(before);
  if (b) {
    d[b][0]++;
    d[b][1] += passed(rating);
  }
}

/** An answer's rating changed after it was counted. */
export function recountAnswer(days: Days, before: StoredCard | undefined, from: Grade, to: Grade, at: Date): void {
  const d = days[dayKey(at)];
  if (!d) return;
  const delta = passed(to) - passed(from);
  d.ok += delta;
  const b = bucket(before);
  if (b) d[b][1] += delta;
}

/** An answer taken back: remove it from its day as if it had never been counted. */
export function uncountAnswer(days: Days, before: StoredCard | undefined, rating: Grade, at: Date, ms = 0): void {
  const d = days[dayKey(at)];
  if (!d) return;
  d.n = Math.max(0, d.n - 1);
  d.ok = Math.max(0, d.ok - passed(rating));
  d.ms = Math.max(0, d.ms - ms);
  if (!before || before.state === 0) d.new = Math.max(0, d.new - 1);
  else if (before.state === 2) d.rev = Math.max(0, d.rev - 1);
  const b = bucket(before);
  if (b) {
    d[b][0] = Math.max(0, d[b][0] - 1);
    d[b][1] = Math.max(0, d[b][1] - passed(rating));
  }
}
