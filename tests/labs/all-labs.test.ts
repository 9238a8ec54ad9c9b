/**
 * Every registered lab through the built CLI, as a script would run it: `--seed 1 --json` exits 0, prints JSON
 * lines ending in its observations, and leaves no process behind (children carry a marker in their environment).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LABS } from '../../src/labs/registry.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

/** Processes whose environment carries `marker`: anything a lab started and did not stop. */
function survivors(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker)) found.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

describe.each(LABS.map((l) => [l.id]))('lab %s', (id) => {
  it('runs with --seed 1 --json, exits 0 and leaves nothing running', async () => {
    const marker = `BT_LAB_RUN=${randomUUID()}`;
    const [key, value] = marker.split('=') as [string, string];
    const r = cli(['lab', id, '--seed', '1', '--json'], { home: tempDir(), env: { [key]: value } });
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ lab: id, type: 'result', seed: 1 });
    const takeaways = events.filter((e) => e.type === 'takeaways');
    expect(takeaways).toHaveLength(1);
    // The lab bar: two to four takeaways, each one line of prose.
    expect(takeaways[0].lines.length).toBeGreaterThanOrEqual(2);
    expect(takeaways[0].lines.length).toBeLessThanOrEqual(4);
    await new Promise((res) => setTimeout(res, 100));
    expect(survivors(marker)).toEqual([]);
  });
});
