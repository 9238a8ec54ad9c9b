import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { LABS, type LabInfo } from '../../src/labs/registry.js';
import { runLab } from '../../src/labs/runner.js';
import { capturePrinter, liveHandles, type Captured } from './capture-printer.js';

/** The registered lab, or (while a lab is being written, before it is registered) labs/<id>.ts itself. */
export const labInfo = (id: string, params: Record<string, number> = {}): LabInfo =>
  LABS.find((l) => l.id === id) ?? {
    id,
    title: id,
    topic: '?',
    summary: '',
    tags: [],
    params: Object.entries(params).map(([name, value]) => ({ name, description: '', default: value, min: value, max: value })),
    load: () => import(`../../labs/${id}.ts`),
  };

/** Closed sockets and killed children release their handles on the next turns of the loop. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Run a lab in-process as the CLI would (minus the terminal), and check it left no server, socket, child
 * or timer behind. Returns what it observed and what it printed.
 */
export async function runForTest(id: string, seed = 1, params: Record<string, number> = {}): Promise<{ obs: Record<string, any>; cap: Captured }> {
  const before = liveHandles().length;
  const cap = capturePrinter();
  const obs = (await runLab(labInfo(id, params), { out: cap.printer, seed, params })) as Record<string, any>;
  await settle();
  expect(liveHandles().length, `${id} left handles open: ${liveHandles().join(', ')}`).toBeLessThanOrEqual(before);
  return { obs, cap };
}

/** Direct children of this process, from /proc. */
export function children(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) out.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
