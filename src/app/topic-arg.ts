/** Turning what the learner typed into a topic, or a usage error with a suggestion (exit 2). */
import type { TopicSummary } from '../content/types.js';
import { findTopic } from '../content/topics.js';
import { UsageError } from '../errors.js';
import type { AppContext } from './context.js';

export function resolveTopic(ctx: AppContext, query: string): TopicSummary {
  const found = findTopic(ctx.content.index().topics, query);
  if (found.ok) return found.topic;
  const hint = found.suggestion ? ` Did you mean "${found.suggestion.id}" (${found.suggestion.title})?` : '';
  throw new UsageError(`${found.message}${hint} Run \`backend-tutor topics\` to see them all.`);
}

export function requireTerminal(ctx: AppContext, what: string, alternative?: string): void {
  if (ctx.io.interactive) return;
  const why = ctx.io.dumb ? 'a terminal that can move its cursor (TERM is "dumb")' : 'a terminal to answer in (stdin and stdout must be a TTY)';
  throw new UsageError(`${what} needs ${why}.${alternative ? ` ${alternative}` : ''}`);
}
