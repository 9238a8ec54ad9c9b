/** The task-queue lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

type Attempt = { job: string; attempt: number; start: number; end: number; then: string; delayMs?: number; ceilingMs?: number };
type DeadLetter = { job: string; attempts: number; error: string; permanent: boolean };
type Herd = { jitter: string; jobs: number; calls: number; completed: number; deadLettered: number; peakRetriesPer100ms: number; waves: number[] };

describe('task-queue lab', () => {
  it('retries with jittered backoff, lets high priority overtake, dead-letters the dead webhook and the poison message', async () => {
    const { obs } = await run('task-queue', 2, { workers: 2, attempts: 5, jobs: 100 });
    const attempts = obs.attempts as Attempt[];
    // Every retry delay is a whole number below its doubling ceiling (full jitter).
    for (const a of attempts.filter((x) => x.then === 'retry')) {
      expect(a.delayMs).toBeGreaterThanOrEqual(0);
      expect(a.delayMs).toBeLessThan(a.ceilingMs!);
      expect(a.ceilingMs).toBe(Math.min(1000, 100 * 2 ** (a.attempt - 1)));
    }
    // The retry really waited: the next attempt starts no earlier than end + delay.
    const charge = attempts.filter((a) => a.job === 'charge-42');
    for (let i = 1; i < charge.length; i++) expect(charge[i]!.start).toBeGreaterThanOrEqual(charge[i - 1]!.end + charge[i - 1]!.delayMs!);
    // Priorities: the resets arrived at t=150 and started before the low-priority jobs queued at t=0.
    expect(Math.min(...obs.resets)).toBeGreaterThanOrEqual(150);
    expect(obs.overtaken.length).toBeGreaterThan(0);
    const firstStart = (id: string) => attempts.find((a) => a.job === id && a.attempt === 1)!.start;
    for (const low of obs.overtaken) expect(firstStart(low)).toBeGreaterThanOrEqual(Math.max(...obs.resets));
    // The dead letters: the webhook after all its attempts, the poison message after one.
    const dl = obs.deadLetters as DeadLetter[];
    expect(dl.find((d) => d.job === 'webhook-7')).toMatchObject({ attempts: 5, permanent: false });
    expect(dl.find((d) => d.job === 'import-13')).toMatchObject({ attempts: 1, permanent: true });
    expect(dl.find((d) => d.job === 'import-13')!.error).toMatch(/^SyntaxError/);
    expect(obs.completed).toEqual(expect.arrayContaining(['report-1', 'report-2', 'report-3', 'report-4', 'reset-1', 'reset-2']));
    // The herd: synchronised waves of every still-failing job without jitter; spread-out retries with it.
    const [none, full] = obs.herd as Herd[];
    expect(none!.waves).toEqual([100, 90, 80, 70]);
    expect(none!.peakRetriesPer100ms).toBe(100);
    expect(full!.peakRetriesPer100ms).toBeLessThan(none!.peakRetriesPer100ms);
    expect(full!.completed).toBeGreaterThan(none!.completed);
    expect(none!.completed + none!.deadLettered).toBe(100);
    expect(full!.completed + full!.deadLettered).toBe(100);
  });

  it('replays the same timeline for the same seed', async () => {
    const a = await run('task-queue', 13, { jobs: 30 });
    const b = await run('task-queue', 13, { jobs: 30 });
    expect(a.obs).toEqual(b.obs);
  });
});
