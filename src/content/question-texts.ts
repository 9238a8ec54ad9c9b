/** The Markdown a question shows, as the quiz renders it: block texts (paragraphs) and inline ones (one line). */
import type { CompiledQuestion } from './types.js';

export interface QuestionTexts {
  readonly block: readonly string[];
  readonly inline: readonly string[];
}

/** Boolean questions are answered from these two options (quiz/present.ts). */
export const BOOLEAN_OPTIONS = ['True', 'False'] as const;

export function questionTexts(q: CompiledQuestion): QuestionTexts {
  const block = [q.prompt, q.explanation];
  const inline: string[] = [];
  switch (q.kind) {
    case 'single':
    case 'multi':
      for (const c of q.choices) {
        inline.push(c.text);
        if (c.why) block.push(c.why);
      }
      break;
    case 'boolean':
      inline.push(...BOOLEAN_OPTIONS);
      block.push(q.why);
      break;
    case 'order':
      inline.push(...q.items);
      break;
    case 'recall':
      block.push(q.answer);
      inline.push(...q.points);
      break;
    case 'output':
      // The code is shown as a code block, the output lines as they are: nothing to lex.
      break;
  }
  return { block, inline };
}
