/**
 * Markdown lexed once, when content is compiled: a lesson is stored as marked's token tree, so showing it
 * needs neither marked nor a lexing pass at run time (both cost more than the rest of `lesson` together).
 */
import { Lexer, type Token } from 'marked';
import { sanitize } from '../util/sanitize.js';
import { plainBlockText } from './lexicon.js';
import { questionTexts } from './question-texts.js';
import type { CompiledQuestion } from './types.js';

export type MarkdownTokens = readonly Token[];

/** Texts lexed at compile time, by their source: what the quiz shows needs no lexing when it is shown. */
export interface LexedTexts {
  readonly block: Readonly<Record<string, MarkdownTokens>>;
  readonly inline: Readonly<Record<string, MarkdownTokens>>;
}

/** Token types the renderer knows: for these, `raw` is never read, nor `text` where child tokens exist. */
const KNOWN = new Set(['space', 'def', 'heading', 'paragraph', 'text', 'code', 'blockquote', 'list', 'list_item', 'table', 'hr', 'html', 'strong', 'em', 'del', 'codespan', 'br', 'link', 'image', 'escape']);

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (!value || typeof value !== 'object') return value;
  const tok = value as Record<string, unknown>;
  const known = KNOWN.has(String(tok.type));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tok)) {
    if (known && (k === 'raw' || k === 'escaped' || (k === 'text' && tok.tokens && tok.type !== 'image'))) continue;
    out[k] = prune(v);
  }
  return out;
}

/** Sanitised, lexed (GitHub-flavoured) and pruned to what rendering reads: about twice the text's size. */
export function lexMarkdown(markdown: string): MarkdownTokens {
  return prune(new Lexer({ gfm: true }).lex(sanitize(markdown))) as Token[];
}

/** One line of inline Markdown, lexed the same way. */
export function lexInline(markdown: string): MarkdownTokens {
  return prune(new Lexer({ gfm: true }).inlineTokens(sanitize(markdown).trim())) as Token[];
}

/** Texts that lex to themselves as one text token: the lexicon renders those without an entry. */
function isPlainBlock(text: string, tokens: MarkdownTokens): boolean {
  const [p, ...rest] = tokens;
  const inner = p?.type === 'paragraph' ? (p as { tokens?: MarkdownTokens }).tokens : undefined;
  return rest.length === 0 && inner !== undefined && isPlainInline(plainBlockText(text), inner);
}

function isPlainInline(text: string, tokens: MarkdownTokens): boolean {
  const [t, ...rest] = tokens;
  return rest.length === 0 && t?.type === 'text' && !(t as { tokens?: unknown }).tokens && (t as { text: string }).text === text;
}

/** Every text the quiz shows for these questions that is not plain text, lexed. */
export function lexQuestions(questions: readonly CompiledQuestion[]): LexedTexts {
  const block: Record<string, MarkdownTokens> = {};
  const inline: Record<string, MarkdownTokens> = {};
  for (const q of questions) {
    const texts = questionTexts(q);
    for (const t of texts.block) {
      const tokens = lexMarkdown(t);
      if (!isPlainBlock(t, tokens)) block[t] = tokens;
    }
    for (const t of texts.inline) {
      const tokens = lexInline(t);
      if (!isPlainInline(t, tokens)) inline[t] = tokens;
    }
  }
  return { block, inline };
}
