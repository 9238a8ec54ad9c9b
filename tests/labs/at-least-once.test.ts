/** The at-least-once lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

const pick = (o: Record<string, any>) => ({ expected: o.expected, lost: o['at-most-once'].lost, twice: o['at-least-once'].appliedTwice, diff: o['at-least-once'].diff, offsets: o.idempotent.offsetsAfterCrash });
let firstRun: Record<string, any> | undefined;

describe('at-least-once lab', () => {
  it('SIGKILLs the consumer before its offset commit: commit-first loses, process-first repeats, the dedup table absorbs', async () => {
    const { obs } = await run('at-least-once', 1, { messages: 12, batch: 4, crash: 6 });
    firstRun = obs;
    const most = obs['at-most-once'];
    const least = obs['at-least-once'];
    const idem = obs.idempotent;
    for (const s of [most, least, idem]) {
      expect(s.first.killed).toBe(true);
      expect(s.first.exit).toBe('SIGKILL');
      expect(s.first.applied).toHaveLength(6);
      expect(s.second.exit).toBe('exit code 0');
    }
    // Commit first: the offset on disk is past the work; messages after the crash point are never delivered.
    expect(most.lost.length).toBeGreaterThan(0);
    expect(most.redelivered).toEqual([]);
    expect(most.diff).toBeLessThan(0);
    // Process first: the offset on disk is behind the work; what was done since the last commit comes again.
    expect(least.lost).toEqual([]);
    expect(least.redelivered.length).toBeGreaterThan(0);
    expect(least.appliedTwice).toEqual(least.redelivered);
    expect(least.diff).toBeGreaterThan(0);
    // Same delivery, idempotent consumer: every redelivery skipped, balances exact.
    expect(idem.redelivered).toEqual(least.redelivered);
    expect(idem.second.skipped).toEqual(idem.redelivered);
    expect(idem.appliedTwice).toEqual([]);
    expect(idem.diff).toBe(0);
    expect(idem.balances).toEqual(obs.expected);
    // The restart began at the offsets the killed consumer had committed to disk.
    expect(least.second.startOffsets).toEqual(least.offsetsAfterCrash);
  });

  it('produces the same log and outcome for the same seed', async () => {
    // Compared with the run above (each run starts six Node processes, so one more run is enough).
    const { obs } = await run('at-least-once', 1, { messages: 12, batch: 4, crash: 6 });
    expect(firstRun).toBeDefined();
    expect(pick(obs)).toEqual(pick(firstRun!));
  });
});
