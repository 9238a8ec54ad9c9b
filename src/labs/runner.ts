/**
 * Runs one lab: builds its context, and whatever happens (normal end, error, Ctrl-C) runs every cleanup the
 * lab registered, in reverse order, before returning. Ctrl-C aborts the lab's signal and becomes Interrupted.
 */
import { Interrupted } from '../errors.js';
import { createRng } from '../util/random.js';
import type { LabInfo } from './registry.js';
import type { LabObservations, LabPrinter, LabPrompts } from './types.js';

export interface RunLabOptions {
  readonly out: LabPrinter;
  readonly seed: number;
  readonly params?: Readonly<Record<string, number>>;
  readonly prompts?: LabPrompts;
  /** Aborting it stops the lab (the command wires SIGINT to it). */
  readonly signal?: AbortSignal;
}

/** Each declared parameter: the given value or its default. */
export function labParams(info: LabInfo, given: Readonly<Record<string, number>> = {}): Record<string, number> {
  return Object.fromEntries((info.params ?? []).map((p) => [p.name, given[p.name] ?? p.default]));
}

export async function runLab(info: LabInfo, o: RunLabOptions): Promise<LabObservations> {
  const mod = await info.load();
  const controller = new AbortController();
  const cleanups: (() => void | Promise<void>)[] = [];
  // After the lab ended (or was stopped) its code may still be unwinding: a late cleanup runs at once.
  let closed = false;
  const defer = (fn: () => void | Promise<void>) => {
    if (!closed) cleanups.push(fn);
    else Promise.resolve().then(fn).catch(() => undefined);
  };
  const abort = () => controller.abort(new Interrupted());
  if (o.signal?.aborted) throw new Interrupted();
  o.signal?.addEventListener('abort', abort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Interrupted()), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([
      mod.run({
        out: o.out,
        seed: o.seed,
        rng: createRng(o.seed),
        signal: controller.signal,
        params: labParams(info, o.params),
        prompts: o.prompts,
        defer,
      }),
      aborted,
    ]);
  } finally {
    closed = true;
    o.signal?.removeEventListener('abort', abort);
    if (!controller.signal.aborted) controller.abort(new Error('lab finished'));
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // a cleanup that fails must not stop the others
      }
    }
  }
}
