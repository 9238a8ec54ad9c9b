/** Predict-first prompts for labs, in a terminal. Leaving (q/Esc) skips the prediction. */
import type { LabPrompts } from '../labs/types.js';
import { QUIT } from '../util/quit.js';
import { choicePrompt } from './prompts/choice.js';
import { guarded } from './prompts/guard.js';
import { orderPrompt } from './prompts/order.js';
import type { Theme } from './theme.js';
import { wrap } from './text.js';

export function terminalLabPrompts(write: (s: string) => void, theme: Theme, width: () => number): LabPrompts {
  const ask = (question: string) => write(`\n${theme.bold(wrap(`Predict: ${question}`, width()).join('\n'))}\n${theme.dim('(q skips the prediction)')}\n`);
  return {
    async predictOrder(question, items) {
      ask(question);
      const order = await guarded(orderPrompt({ items, width: width(), theme }));
      return order === QUIT ? undefined : order;
    },
    async predictChoice(question, choices) {
      ask(question);
      const picked = await guarded(choicePrompt({ options: choices, multi: false, width: width(), theme, doneLabel: 'Your prediction' }));
      return picked === QUIT ? undefined : picked[0];
    },
  };
}
