/** `backend-tutor reset [--topic <id>] [--yes]`: start over, for everything or one topic, after a backup. */
import type { AppContext } from '../app/context.js';
import { resolveTopic } from '../app/topic-arg.js';
import { UsageError } from '../errors.js';
import { guarded } from '../render/prompts/guard.js';
import { keyPrompt } from '../render/prompts/keypress.js';

export async function run(ctx: AppContext, _args: readonly string[], opts: { topic?: string; yes?: boolean }): Promise<number> {
  const topic = opts.topic ? resolveTopic(ctx, opts.topic) : undefined;
  const { theme: t, io } = ctx;
  const what = topic ? `your cards for ${topic.title} (answers and streak history are kept)` : 'all your progress: cards, review history, lessons read and labs run (settings are kept)';
  if (!opts.yes) {
    if (!io.interactive) throw new UsageError('reset asks before it deletes anything; in a pipe or script, add --yes.');
    io.say(`This resets ${what}. A backup is made first.`);
    const answer = await guarded(
      keyPrompt({
        message: t.bold('Reset?'),
        choices: [
          { key: 'y', label: 'yes, reset', value: true },
          { key: 'n', label: 'no', value: false },
          { key: 'enter', label: 'no', value: false },
        ],
        theme: t,
        quit: true,
      }),
    );
    if (answer !== true) {
      io.write('Nothing was changed.\n');
      return 0;
    }
  }
  const backup = topic ? await ctx.store.resetTopic(topic.id, ctx.now().toISOString()) : await ctx.store.resetAll();
  io.say(`${t.ok(t.symbols.ok)} Reset ${topic ? topic.title : 'everything'}.${backup ? ` The previous files are in ${backup}.` : ''}`);
  return 0;
}
