/** The cache-eviction lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

type Row = { size: number; FIFO: number; LRU: number; LFU: number; OPT: number };
type ScanRow = { policy: string; withoutScan: number; withScan: number; hotKept: number };

describe('cache-eviction lab', () => {
  it('replays one trace: OPT is the ceiling, LRU is scan-polluted, LFU resists the scan but not a shift', async () => {
    const { obs, cap } = await run('cache-eviction', 4, { keys: 500, requests: 10_000, scan: 1000 });
    expect(obs.sizes).toEqual([5, 10, 25, 50, 100]);
    const rows = obs.hitRatio as Row[];
    for (const r of rows) {
      // Bélády's MIN is optimal among policies that admit every miss.
      for (const p of ['FIFO', 'LRU', 'LFU'] as const) expect(r.OPT).toBeGreaterThanOrEqual(r[p]);
    }
    // LRU and OPT are stack algorithms: a bigger cache never hits less.
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.LRU).toBeGreaterThanOrEqual(rows[i - 1]!.LRU);
      expect(rows[i]!.OPT).toBeGreaterThanOrEqual(rows[i - 1]!.OPT);
    }
    // On a stable skewed trace, keeping recent beats keeping first-loaded, and counting beats both.
    const focus = rows.find((r) => r.size === obs.focus)!;
    expect(focus.LRU).toBeGreaterThan(focus.FIFO);
    expect(focus.LFU).toBeGreaterThan(focus.LRU);
    expect(obs.ranking).toEqual(['LFU', 'LRU', 'FIFO']);

    const scan = (p: string) => (obs.scan.rows as ScanRow[]).find((r) => r.policy === p)!;
    expect(obs.scan.length).toBe(1000);
    expect(scan('LRU').withoutScan - scan('LRU').withScan).toBeGreaterThan(10);
    expect(scan('LFU').withoutScan - scan('LFU').withScan).toBeLessThan(2);
    expect(scan('LFU').hotKept).toBeGreaterThanOrEqual(obs.focus - 1);
    expect(scan('LRU').hotKept).toBeLessThan(obs.focus / 2);

    const shift = (p: string) => (obs.shift as { policy: string; secondHalf: number }[]).find((x) => x.policy === p)!.secondHalf;
    expect(shift('LFU')).toBeLessThan(shift('LRU'));
    expect(shift('OPT')).toBeGreaterThanOrEqual(shift('LRU'));
    expect(cap.events.some((e) => e.type === 'takeaways')).toBe(true);
  });

  it('replays the same trace for the same seed', async () => {
    const a = await run('cache-eviction', 21, { keys: 200, requests: 4000 });
    const b = await run('cache-eviction', 21, { keys: 200, requests: 4000 });
    expect(a.obs).toEqual(b.obs);
    const c = await run('cache-eviction', 22, { keys: 200, requests: 4000 });
    expect(c.obs.hitRatio).not.toEqual(a.obs.hitRatio);
  });
});
