/** The connection-pool lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

interface R {
  pool: number;
  throughput: number;
  waitP50: number;
  queryP50: number;
  dbQueueP50: number;
  inSystem: number;
  inQuery: number;
  inService: number;
  maxInService: number;
  dbConnections: number;
}

describe('connection-pool lab', () => {
  it('gains throughput up to the database capacity, then only moves the wait into the database', async () => {
    const { obs } = await run('connection-pool', 1, { clients: 32, dbCapacity: 4, serviceMs: 4, runMs: 250 });
    const rs = obs.results as R[];
    const at = (p: number) => rs.find((r) => r.pool === p)!;
    expect(rs.map((r) => r.pool)).toEqual([1, 2, 4, 8, 16, 32]);
    for (const r of rs) {
      // Real connections: the database saw exactly the pool, and never ran more than min(P, K) at once.
      expect(r.dbConnections).toBe(r.pool);
      expect(r.maxInService).toBe(Math.min(r.pool, 4));
      // Little's law from the measurements: 32 clients in the system, P connections busy, at most K in service
      // (a 250 ms window on a busy machine: a stall near its edge moves λ×W by a few).
      expect(r.inSystem).toBeGreaterThan(32 * 0.7);
      expect(r.inSystem).toBeLessThan(32 * 1.3);
      expect(r.inQuery).toBeGreaterThan(r.pool * 0.7);
      expect(r.inService).toBeLessThanOrEqual(4 * 1.1);
      // The service time is at least 4 ms, so throughput can never beat K / 4 ms.
      expect(r.throughput).toBeLessThanOrEqual((4 * 1000 * 1.1) / 4);
    }
    expect(at(4).throughput).toBeGreaterThan(at(1).throughput * 2);
    expect(at(1).inService).toBeLessThan(1.05);
    expect(at(32).inService).toBeGreaterThan(4 * 0.8);
    // With one connection per client nobody waits for the pool, and the wait reappears inside the database.
    expect(at(32).waitP50).toBeLessThan(1);
    expect(at(1).dbQueueP50).toBeLessThan(1);
    expect(at(32).dbQueueP50).toBeGreaterThan(2 * 4);
    expect(at(32).queryP50).toBeGreaterThan(at(4).queryP50);
  });
});
