/**
 * A real worker_threads Worker running a snippet of CommonJS source, with request/reply calls and cleanup
 * through the lab's defer (terminated at the end of the lab or on Ctrl-C). The snippet must define
 * `handle(msg)`, sync or async; its return value is the reply (structured-cloned back).
 */
import { Worker } from 'node:worker_threads';
import type { LabContext } from './types.js';

export interface InlineWorker<Req, Res> {
  readonly threadId: number;
  /** Post `msg` to the worker and resolve with what `handle(msg)` returned. */
  call(msg: Req): Promise<Res>;
  /** Terminate now (also done by the lab's cleanup). */
  close(): Promise<void>;
}

const WRAPPER = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.on('message', async ({ id, msg }) => {
  try {
    parentPort.postMessage({ id, ok: true, value: await handle(msg) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String((error && error.stack) || error) });
  }
});
`;

/** Start the worker and wait until it runs (thread start-up is then out of any later measurement). */
export async function startInlineWorker<Req, Res>(ctx: Pick<LabContext, 'defer' | 'signal'>, source: string, workerData?: unknown): Promise<InlineWorker<Req, Res>> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const worker = new Worker(`${source}\n${WRAPPER}`, { eval: true, workerData });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await worker.terminate();
  };
  ctx.defer(close);
  const pending = new Map<number, { resolve: (v: Res) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (m: { id: number; ok: boolean; value?: Res; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value as Res);
    else p.reject(new Error(m.error));
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('worker exited')));
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  return {
    threadId: worker.threadId,
    call(msg) {
      if (closed) return Promise.reject(new Error('worker closed'));
      return new Promise<Res>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, msg });
      });
    },
    close,
  };
}
