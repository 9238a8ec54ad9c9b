/** The consistent-hashing lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('consistent-hashing lab', () => {
  it('moves most keys with mod N and only the new node’s share on the ring', async () => {
    const { obs, cap } = await run('consistent-hashing', 1, { keys: 10_000, nodes: 4, vnodes: 100 });
    expect(obs.add.node).toBe('node-5');
    // mod N: a key stays only when h mod 4 = h mod 5, about 1 in 5.
    expect(obs.add.mod.fraction).toBeGreaterThan(0.75);
    expect(obs.add.mod.fraction).toBeLessThan(0.85);
    expect(obs.add.mod.churn).toBeGreaterThan(0);
    // Ring: every moved key goes to the new node, about 1/5 of them.
    expect(obs.add.ring.churn).toBe(0);
    expect(obs.add.ring.expected).toBe(obs.add.ring.moved);
    expect(obs.add.ring.destinations).toBe(1);
    expect(obs.add.ring.fraction).toBeGreaterThan(0.12);
    expect(obs.add.ring.fraction).toBeLessThan(0.3);
    // Removing a node: the ring moves exactly that node's keys, spread over the others.
    expect(obs.remove.ring.churn).toBe(0);
    expect(obs.remove.ring.destinations).toBe(3);
    expect(obs.remove.mod.moved).toBeGreaterThan(obs.remove.ring.moved * 2);
    expect(obs.remove.singleVnode.destinations).toBe(1);
    // More virtual nodes, more even load.
    const b = (v: number) => obs.balance.find((x: { vnodes: number }) => x.vnodes === v);
    expect(b(1).points).toBe(4);
    expect(b(200).points).toBe(800);
    expect(b(200).maxOverMean).toBeLessThan(b(1).maxOverMean);
    expect(b(200).stddevPct).toBeLessThan(b(1).stddevPct);
    expect(b(200).maxOverMean).toBeLessThan(1.25);
    expect(cap.events.filter((e) => e.type === 'takeaways')).toHaveLength(1);
  });

  it('places the same seeded keys the same way for the same seed', async () => {
    const a = await run('consistent-hashing', 7, { keys: 2000, nodes: 3, vnodes: 50 });
    const b = await run('consistent-hashing', 7, { keys: 2000, nodes: 3, vnodes: 50 });
    expect(a.obs).toEqual(b.obs);
    const c = await run('consistent-hashing', 8, { keys: 2000, nodes: 3, vnodes: 50 });
    expect(c.obs.add.mod.moved).not.toBe(a.obs.add.mod.moved);
  });
});
