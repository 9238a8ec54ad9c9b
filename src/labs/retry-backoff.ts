/** Retry delays shared by the retry labs (task-queue, circuit-breaker): capped exponential backoff, optionally with full jitter. */

export interface BackoffPolicy {
  /** Delay ceiling before the first retry, in ms; it doubles for each further retry. */
  readonly baseMs: number;
  /** No delay (or jitter window) ever exceeds this. */
  readonly capMs: number;
  /** 'full': a uniformly random delay between 0 and the ceiling (AWS "full jitter"); 'none': the ceiling itself. */
  readonly jitter: 'none' | 'full';
}

/** The exponential ceiling before retry number `retry` (1 = the first retry): min(cap, base × 2^(retry − 1)). */
export function backoffCeiling(retry: number, p: BackoffPolicy): number {
  return Math.min(p.capMs, p.baseMs * 2 ** (retry - 1));
}

/** The delay before retry number `retry`, in whole ms; with full jitter it draws one number from `rng`. */
export function backoffDelay(retry: number, p: BackoffPolicy, rng: () => number): number {
  const ceiling = backoffCeiling(retry, p);
  return p.jitter === 'full' ? Math.floor(rng() * ceiling) : ceiling;
}
