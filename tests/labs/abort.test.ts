/**
 * Every lab stopped at several moments (as Ctrl-C would) and run to its end: no server, socket, child process
 * or timer survives, and every server it started listened on 127.0.0.1 only.
 */
import { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { LABS } from '../../src/labs/registry.js';
import { runLab } from '../../src/labs/runner.js';
import { capturePrinter, liveHandles } from '../helpers/capture-printer.js';
import { children, settle } from '../helpers/lab-run.js';

const hosts: unknown[] = [];
const listen = Server.prototype.listen;
beforeAll(() => {
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const options = args[0];
    hosts.push(typeof options === 'object' && options !== null ? (options as { host?: unknown }).host : args[1]);
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;
});
afterAll(() => {
  Server.prototype.listen = listen;
});

describe.each(LABS.map((l) => [l.id, l] as const))('lab %s', (_id, lab) => {
  it.each([60, 400, 1200])('stopped after %i ms leaves nothing behind', async (ms) => {
    const before = liveHandles().length;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), ms);
    try {
      await runLab(lab, { out: capturePrinter().printer, seed: 1, signal: stop.signal });
    } catch (error) {
      expect(error).toBeInstanceOf(Interrupted);
    } finally {
      clearTimeout(timer);
    }
    await settle();
    await new Promise((r) => setTimeout(r, 200));
    expect(liveHandles().length, liveHandles().join(', ')).toBeLessThanOrEqual(before);
    expect(children()).toEqual([]);
  });

  it('listens on loopback only', () => {
    for (const host of hosts) expect(host).toBe('127.0.0.1');
  });
});
