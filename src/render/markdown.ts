/** Markdown text (questions, drills) lexed when shown, then rendered like a compiled lesson. */
import { lexInline, lexMarkdown } from '../content/markdown-tokens.js';
import { renderInlineTokens, renderTokens, type MarkdownOptions } from './markdown-blocks.js';
import type { Theme } from './theme.js';

/** Render Markdown as terminal lines (no trailing newline). */
export function renderMarkdown(markdown: string, o: MarkdownOptions): string[] {
  return renderTokens(lexMarkdown(markdown), o);
}

/** One line of inline Markdown (a choice, a key point) as styled text, unwrapped: the caller wraps it. */
export function renderInline(markdown: string, theme: Theme): string {
  return renderInlineTokens(lexInline(markdown), theme);
}
