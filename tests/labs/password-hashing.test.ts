/** The password-hashing lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

const params = { logN: 12, maxLogN: 13, samples: 21, longSecret: 4096 };

describe('password-hashing lab', () => {
  it('salts, verifies, measures the cost of N and the timing leak of ===', async () => {
    const { obs } = await run('password-hashing', 1, params);
    expect(obs.salts).toEqual({ hashesDiffer: true, saltsDiffer: true });
    expect(obs.verify).toEqual([true, false]);
    // The sweep starts at 2^10 and a larger N costs more.
    expect(obs.sweep[0].logN).toBe(10);
    expect(obs.sweep.length).toBeGreaterThanOrEqual(3);
    const last = obs.sweep[obs.sweep.length - 1];
    expect(last.ms).toBeGreaterThan(obs.sweep[0].ms);
    // A fast hash gives the attacker far more guesses per second.
    expect(obs.guesses.shaPerSec).toBeGreaterThan(obs.guesses.scryptPerSec * 50);
    // On the long secret, === grows with the matching prefix; timingSafeEqual does not (much less, at least).
    const long = obs.timing.find((t: { length: number }) => t.length === 4096);
    expect(long.prefixes).toEqual([0, 1024, 2048, 3072, 4095]);
    // === with the whole prefix matching takes several times as long as with none; timingSafeEqual stays level.
    expect(long.strictEqNs[4]).toBeGreaterThan(long.strictEqNs[0] * 2);
    expect(long.strictEqSlope).toBeGreaterThan(0);
    expect(Math.abs(long.safeNs[4] - long.safeNs[0])).toBeLessThan(long.safeNs[0] * 0.25);
  });

  it('keeps the deterministic parts the same for the same seed', async () => {
    const pick = (o: Record<string, any>) => ({ salts: o.salts, verify: o.verify, prefixes: o.timing.map((t: { prefixes: number[] }) => t.prefixes) });
    const a = await run('password-hashing', 7, { ...params, maxLogN: 12, samples: 5, longSecret: 256 });
    const b = await run('password-hashing', 7, { ...params, maxLogN: 12, samples: 5, longSecret: 256 });
    expect(pick(a.obs)).toEqual(pick(b.obs));
  });
});
