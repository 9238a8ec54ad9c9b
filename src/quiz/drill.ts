/** Design drills: which one to practise next, and what an attempt missed. Pure. */
import type { CompiledDrill } from '../content/types.js';

/** One attempt at a drill, as kept in the progress file: which rubric points the answer covered. */
export interface DrillAttempt {
  readonly at: string;
  readonly covered: readonly number[];
  readonly of: number;
  readonly ms: number;
}

export interface DrillMiss {
  readonly point: string;
  readonly detail: string;
  readonly topic: string;
  readonly section: string;
}

export interface DrillOutcome {
  readonly covered: number;
  readonly of: number;
  readonly missed: readonly DrillMiss[];
}

export function drillOutcome(drill: CompiledDrill, covered: readonly number[]): DrillOutcome {
  const hit = new Set(covered.filter((i) => i >= 0 && i < drill.rubric.length));
  return {
    covered: hit.size,
    of: drill.rubric.length,
    missed: drill.rubric.filter((_, i) => !hit.has(i)).map((r) => ({ point: r.point, detail: r.detail, topic: r.topic, section: r.section })),
  };
}

export const lastScore = (attempts: readonly DrillAttempt[] | undefined): number | undefined => {
  const a = attempts?.at(-1);
  return a ? a.covered.length / Math.max(1, a.of) : undefined;
};

/** The drill to practise next: one never tried (easiest first), else the one with the lowest last score. */
export function nextDrill(drills: readonly CompiledDrill[], attempts: Readonly<Record<string, readonly DrillAttempt[]>>): CompiledDrill | undefined {
  const fresh = drills.filter((d) => !attempts[d.id]?.length);
  if (fresh.length) return [...fresh].sort((a, b) => a.difficulty - b.difficulty)[0];
  return [...drills].sort((a, b) => (lastScore(attempts[a.id]) ?? 0) - (lastScore(attempts[b.id]) ?? 0))[0];
}
