/** Waiting for a condition that real sockets make true (shared by the websocket and sse labs). */

/** Poll `cond` every few ms until it holds (true) or `ms` pass (false); throws if `signal` aborts. */
export async function pollUntil(cond: () => boolean, ms: number, signal: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (signal.aborted) throw signal.reason;
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}
