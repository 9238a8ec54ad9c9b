/** The lab runner: cleanup on abort, parameters. */
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { runLab } from '../../src/labs/runner.js';
import { capturePrinter, liveHandles } from '../helpers/capture-printer.js';
import { labInfo, settle } from '../helpers/lab-run.js';

describe('lab runner', () => {
  it('cleans up a lab stopped half-way (Ctrl-C) and reports Interrupted', async () => {
    const before = liveHandles().length;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 150);
    await expect(runLab(labInfo('event-loop'), { out: capturePrinter().printer, seed: 1, signal: stop.signal })).rejects.toBeInstanceOf(Interrupted);
    await settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(liveHandles().length, liveHandles().join(', ')).toBeLessThanOrEqual(before);
  });

  it('fills in declared defaults for lab parameters', async () => {
    const { labParams } = await import('../../src/labs/runner.js');
    expect(labParams(labInfo('token-bucket'), { rate: 2 })).toEqual({ capacity: 10, rate: 2 });
  });
});
