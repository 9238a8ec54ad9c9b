/** Per-topic and overall numbers from the content index and the progress document (topics, progress, home). */
import type { TopicSummary } from '../content/types.js';
import { LABS } from '../labs/registry.js';
import { currentStreak, topicStats, totalAnswers, type TopicStats } from '../srs/stats.js';
import type { ProgressDoc } from '../store/document.js';
import type { AppContext } from './context.js';

export interface TopicOverview extends TopicStats {
  readonly topic: TopicSummary;
  readonly labs: readonly string[];
  readonly lessonRead: boolean;
  readonly lessonSkipped: boolean;
}

export interface Overview {
  readonly topics: readonly TopicOverview[];
  readonly reviews: number;
  readonly streak: number;
  readonly due: number;
  /** First written topic, in roadmap order, whose lesson is neither read nor skipped: where the path resumes. */
  readonly nextLesson: TopicSummary | undefined;
  /** First topic whose lesson was read but whose questions are not all seen yet. */
  readonly unfinished: TopicOverview | undefined;
}

/** Lab ids for a topic: the labs registered for it plus those its lesson points to. */
export function labsOf(topic: TopicSummary): string[] {
  return [...new Set([...LABS.filter((l) => l.topic === topic.id).map((l) => l.id), ...topic.labs])].sort();
}

/**
 * Card ids per topic come from the compiled topic files only for topics that have questions, so `topics`
 * and `progress` stay fast: the index says how many questions a topic has.
 */
export function overview(ctx: AppContext, doc: ProgressDoc, now: Date): Overview {
  const byTopic = new Map<string, string[]>();
  for (const id of Object.keys(doc.cards)) {
    const topic = id.slice(0, id.indexOf('/'));
    (byTopic.get(topic) ?? byTopic.set(topic, []).get(topic)!).push(id);
  }
  const topics = ctx.content.index().topics.map((topic): TopicOverview => {
    const known = topic.questions > 0 && byTopic.has(topic.id) ? ctx.content.cardIds(topic.id) : [];
    const stats = topicStats(topic.id, known, doc.cards, now);
    return { ...stats, total: topic.questions, topic, labs: labsOf(topic), lessonRead: topic.id in doc.lessonsRead, lessonSkipped: topic.id in doc.lessonsSkipped };
  });
  return {
    topics,
    reviews: totalAnswers(doc.days),
    streak: currentStreak(doc.days, now),
    due: topics.reduce((n, t) => n + t.due, 0),
    nextLesson: topics.find((t) => t.topic.written && !t.lessonRead && !t.lessonSkipped)?.topic,
    unfinished: topics.find((t) => t.lessonRead && t.seen < t.total),
  };
}

