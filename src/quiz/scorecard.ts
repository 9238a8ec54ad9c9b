/** The end of a mock interview: score per topic, time per question, points missed, and what to study next. */
import type { CompiledQuestion } from '../content/types.js';
import type { InterviewEntry, InterviewRun } from './interview.js';

export interface TopicScore {
  readonly topic: string;
  readonly asked: number;
  /** Credit earned over questions asked, 0..1 (a skip earns nothing). */
  readonly score: number;
}

export interface StudyNext {
  readonly topic: string;
  readonly score: number;
  /** Lesson sections that teach what was missed, most relevant first. */
  readonly sections: readonly string[];
}

export interface Scorecard {
  readonly at: string;
  readonly minutes: number;
  readonly elapsedMs: number;
  readonly ended: InterviewRun['ended'];
  readonly asked: number;
  readonly skipped: number;
  /** Overall credit over questions asked, 0..1. */
  readonly score: number;
  readonly topics: readonly TopicScore[];
  readonly entries: readonly InterviewEntry[];
  readonly studyNext: readonly StudyNext[];
}

export interface ScorecardInput {
  readonly run: InterviewRun;
  readonly at: Date;
  readonly minutes: number;
  readonly question: (cardId: string) => CompiledQuestion | undefined;
  /** The lesson section that teaches a question, if its lesson has one. */
  readonly sectionOf: (q: CompiledQuestion) => string | undefined;
}

const STUDY_NEXT = 3;

export function buildScorecard(input: ScorecardInput): Scorecard {
  const { entries } = input.run;
  const byTopic = new Map<string, InterviewEntry[]>();
  for (const e of entries) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
  const sum = (es: readonly InterviewEntry[]) => es.reduce((s, e) => s + e.credit, 0);
  const topics: TopicScore[] = [...byTopic.entries()]
    .map(([topic, es]) => ({ topic, asked: es.length, score: sum(es) / es.length }))
    .sort((a, b) => a.score - b.score || b.asked - a.asked);
  const studyNext: StudyNext[] = topics
    .filter((t) => t.score < 1)
    .slice(0, STUDY_NEXT)
    .map((t) => {
      const weak = byTopic.get(t.topic)!.filter((e) => e.credit < 1).sort((a, b) => a.credit - b.credit);
      const sections = weak.map((e) => input.question(e.cardId)).flatMap((q) => (q ? [input.sectionOf(q)] : [])).filter((s): s is string => s !== undefined);
      return { topic: t.topic, score: t.score, sections: [...new Set(sections)] };
    });
  return {
    at: input.at.toISOString(),
    minutes: input.minutes,
    elapsedMs: input.run.elapsedMs,
    ended: input.run.ended,
    asked: entries.length,
    skipped: entries.filter((e) => e.outcome === 'skipped').length,
    score: entries.length ? sum(entries) / entries.length : 0,
    topics,
    entries,
    studyNext,
  };
}
