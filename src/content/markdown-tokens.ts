/**
 * Markdown lexed once, when content is compiled: a lesson is stored as marked's token tree, so showing it
 * needs neither marked nor a lexing pass at run time (both cost more than the rest of `lesson` together).
 */
import { Lexer, type Token } from 'marked';
import { sanitize } from '../util/sanitize.js';

export type MarkdownTokens = readonly Token[];

/** Token types the renderer knows: for these, `raw` is never read, nor `text` where child tokens exist. */
const KNOWN = new Set(['space', 'def', 'heading', 'paragraph', 'text', 'code', 'blockquote', 'list', 'list_item', 'table', 'hr', 'html', 'strong', 'em', 'del', 'codespan', 'br', 'link', 'image', 'escape']);

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (!value || typeof value !== 'object') return value;
  const tok = value as Record<string, unknown>;
  const known = KNOWN.has(String(tok.type));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tok)) {
    if (known && (k === 'raw' || (k === 'text' && tok.tokens && tok.type !== 'image'))) continue;
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
