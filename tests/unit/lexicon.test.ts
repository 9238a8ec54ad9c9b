/** The quiz renders Markdown lexed at build time: it must look exactly as lexing it when shown would. */
import { describe, expect, it } from 'vitest';
import { codeBlockTokens, lexiconOf } from '../../src/content/lexicon.js';
import { questionTexts } from '../../src/content/question-texts.js';
import { compileSources } from '../../src/content/write-index.js';
import { renderInline, renderMarkdown } from '../../src/render/markdown.js';
import { renderInlineTokens, renderTokens, withLead } from '../../src/render/markdown-blocks.js';
import { createTheme } from '../../src/render/theme.js';
import { ROOT } from '../helpers/fixtures.js';

const { topics } = compileSources(ROOT);

describe.each([false, true])('pre-lexed question Markdown (colour %s)', (color) => {
  const theme = createTheme(color);
  const o = { width: 78, theme };

  it('renders every text of every question as lexing it at run time would', () => {
    let checked = 0;
    for (const content of Object.values(topics)) {
      const lexicon = lexiconOf(() => [content.markdown]);
      for (const q of content.questions) {
        const texts = questionTexts(q);
        for (const t of texts.block) expect(renderTokens(lexicon.block(t), o), `${q.cardId}: ${t}`).toEqual(renderMarkdown(t, o));
        for (const t of texts.inline) expect(renderInlineTokens(lexicon.inline(t), theme), `${q.cardId}: ${t}`).toEqual(renderInline(t, theme));
        if (q.kind === 'output') expect(renderTokens(codeBlockTokens('js', q.code), o)).toEqual(renderMarkdown(`\`\`\`js\n${q.code.trimEnd()}\n\`\`\``, o));
        for (const why of q.kind === 'single' || q.kind === 'multi' ? q.choices.flatMap((c) => (c.why ? [c.why] : [])) : q.kind === 'boolean' ? [q.why] : []) {
          expect(renderTokens(withLead('Why not:', lexicon.block(why)), o)).toEqual(renderMarkdown(`**Why not:** ${why}`, o));
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1500);
  });
});
