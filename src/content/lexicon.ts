/** Looking up Markdown lexed at compile time (see markdown-tokens.ts) without loading the lexer. */
import { sanitize } from '../util/sanitize.js';
import type { LexedTexts, MarkdownTokens } from './markdown-tokens.js';

/** A block text as its one paragraph holds it: YAML block scalars end with a newline the paragraph drops. */
export const plainBlockText = (text: string): string => text.replace(/\n+$/, '');

export interface Lexicon {
  block(text: string): MarkdownTokens;
  inline(text: string): MarkdownTokens;
}

/**
 * Every text a question shows is lexed when its topic is compiled; the tables leave out texts that are plain
 * (one text token, equal to the source), so a text not found is shown as plain text, as it would lex.
 */
export function lexiconOf(tables: () => Iterable<LexedTexts>): Lexicon {
  const find = (kind: keyof LexedTexts, text: string) => {
    for (const t of tables()) {
      const found = t[kind][text];
      if (found) return found;
    }
    return undefined;
  };
  return {
    block: (text) => find('block', text) ?? [{ type: 'paragraph', raw: '', text: plainBlockText(text), tokens: [{ type: 'text', raw: '', text: plainBlockText(text) }] }],
    inline: (text) => find('inline', text) ?? [{ type: 'text', raw: '', text }],
  };
}

/** A code block, as a fenced block would lex (without the fence: code may itself contain backticks). */
export function codeBlockTokens(lang: string, code: string): MarkdownTokens {
  return [{ type: 'code', raw: '', lang, text: sanitize(code.trimEnd()) }];
}
