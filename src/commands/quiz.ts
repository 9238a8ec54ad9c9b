/** `backend-tutor quiz`: a spaced-repetition session over some or all topics. */
import type { AppContext } from '../app/context.js';
import { questionsOf, runQuizSession } from '../app/quiz-session.js';
import { requireTerminal, resolveTopic } from '../app/topic-arg.js';
import type { SessionMode } from '../quiz/session.js';
import { UsageError } from '../errors.js';

export interface QuizOptions {
  readonly topic?: readonly string[];
  readonly count?: number;
  readonly new?: boolean;
  readonly due?: boolean;
  readonly all?: boolean;
  readonly seed?: number;
}

export function modeOf(o: QuizOptions): SessionMode {
  const modes = (['new', 'due', 'all'] as const).filter((m) => o[m]);
  if (modes.length > 1) throw new UsageError(`Choose one of --new, --due and --all (got ${modes.map((m) => `--${m}`).join(' and ')}).`);
  return modes[0] ?? 'default';
}

export async function run(ctx: AppContext, _args: readonly string[], opts: QuizOptions): Promise<number> {
  const mode = modeOf(opts);
  const topics = (opts.topic ?? []).map((q) => resolveTopic(ctx, q));
  requireTerminal(ctx, 'A quiz', 'Try `backend-tutor progress` or `backend-tutor lesson <topic>` in a pipe.');
  const scope = topics.length ? topics : ctx.content.index().topics;
  const withQuestions = scope.filter((t) => t.questions > 0);
  if (!withQuestions.length) {
    const names = scope.map((t) => t.id).join(', ');
    ctx.io.error(`No questions are written yet for ${names}. \`backend-tutor topics\` shows which topics have them.\n`);
    return 1;
  }
  const result = await runQuizSession(ctx, {
    scope: questionsOf(ctx, withQuestions.map((t) => t.id)),
    mode,
    ...(opts.count === undefined ? {} : { count: opts.count }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
  });
  if (!result) {
    const { theme: t } = ctx;
    const what = mode === 'new' ? 'No new cards left for today' : mode === 'due' ? 'Nothing is due right now' : 'Nothing is due and today’s new cards are done';
    ctx.io.say(`${t.ok(t.symbols.ok)} ${what}. Practise ahead with ${t.bold('--all')}, or come back tomorrow.`);
  }
  return 0;
}
