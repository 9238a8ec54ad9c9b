/**
 * Markdown tokens (see content/markdown-tokens.ts) to terminal text. Written here rather than marked-terminal
 * because that package costs ~340 ms to import (its syntax highlighter) and colours tables even in a pipe;
 * this one follows the theme (plain text when colour is off) and never loads marked itself: lessons arrive
 * lexed at build time.
 */
import type { Token, Tokens } from 'marked';
import type { MarkdownTokens } from '../content/markdown-tokens.js';
import type { Theme } from './theme.js';
import { hardWrap, padEnd, sanitize, visibleWidth, wrap } from './text.js';

export interface MarkdownOptions {
  readonly width: number;
  readonly theme: Theme;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function inline(tokens: readonly Token[] | undefined, t: Theme): string {
  if (!tokens) return '';
  return tokens
    .map((tok): string => {
      switch (tok.type) {
        case 'strong':
          return t.bold(inline((tok as Tokens.Strong).tokens, t));
        case 'em':
          return t.c.italic(inline((tok as Tokens.Em).tokens, t));
        case 'del':
          return t.c.strikethrough(inline((tok as Tokens.Del).tokens, t));
        case 'codespan': {
          const text = decodeEntities((tok as Tokens.Codespan).text).replace(/\n/g, ' ');
          // Without colour, keep the backticks: they are what tells code from prose.
          return t.color ? t.code(text) : `\`${text}\``;
        }
        case 'br':
          return '\n';
        case 'link': {
          const l = tok as Tokens.Link;
          const text = inline(l.tokens, t);
          return text === l.href ? t.accent(l.href) : `${text} (${t.accent(l.href)})`;
        }
        case 'image':
          return `[image: ${(tok as Tokens.Image).text}]`;
        case 'text': {
          const x = tok as Tokens.Text;
          // A newline inside a paragraph is a soft break: a space. Hard breaks arrive as `br`.
          return x.tokens ? inline(x.tokens, t) : decodeEntities(x.text).replace(/\n/g, ' ');
        }
        case 'escape':
          return decodeEntities((tok as Tokens.Escape).text);
        default:
          return decodeEntities('text' in tok && typeof tok.text === 'string' ? tok.text : tok.raw);
      }
    })
    .join('');
}

function codeBlock(tok: Tokens.Code, o: MarkdownOptions): string[] {
  const { theme: t } = o;
  const gutter = t.dim('│ ');
  const label = tok.lang ? [t.dim(`┌ ${tok.lang}`)] : [];
  const body = tok.text.split('\n').flatMap((l) => hardWrap(l, Math.max(10, o.width - 4)).map((x) => `  ${gutter}${t.code(x)}`));
  return [...label.map((l) => `  ${l}`), ...body];
}

function table(tok: Tokens.Table, o: MarkdownOptions): string[] {
  const { theme: t } = o;
  const head = tok.header.map((c) => inline(c.tokens, t));
  const rows = tok.rows.map((r) => r.map((c) => inline(c.tokens, t)));
  const widths = head.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const total = widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1) + 2;
  if (total > o.width) {
    // Too wide for the terminal: one block per row, "header: value" lines.
    return rows.flatMap((r, ri) => [
      ...(ri > 0 ? [''] : []),
      ...r.flatMap((cell, i) => wrap(`${t.bold(`${head[i] ?? ''}:`)} ${cell}`, o.width - 2, '    ').map((l) => `  ${l}`)),
    ]);
  }
  const line = (cells: string[]) => `  ${cells.map((c, i) => padEnd(c, widths[i]!)).join(t.dim(' │ '))}`.trimEnd();
  return [line(head.map((h) => t.bold(h))), `  ${widths.map((w) => t.dim('─'.repeat(w))).join(t.dim('─┼─'))}`, ...rows.map(line)];
}

function list(tok: Tokens.List, o: MarkdownOptions, depth: number): string[] {
  const out: string[] = [];
  tok.items.forEach((item, i) => {
    const marker = tok.ordered ? `${Number(tok.start || 1) + i}.` : o.theme.symbols.bullet;
    const pad = ' '.repeat(marker.length + 1);
    const inner = blocks(item.tokens, { ...o, width: o.width - pad.length }, depth + 1, true);
    inner.forEach((l, j) => out.push(j === 0 ? `${marker} ${l}` : l === '' ? '' : `${pad}${l}`));
  });
  return out;
}

function blocks(tokens: MarkdownTokens, o: MarkdownOptions, depth = 0, tight = false): string[] {
  const { theme: t, width } = o;
  const out: string[] = [];
  const gap = () => {
    if (!tight && out.length && out[out.length - 1] !== '') out.push('');
  };
  for (const tok of tokens) {
    switch (tok.type) {
      case 'space':
      case 'def':
        break;
      case 'heading': {
        const h = tok as Tokens.Heading;
        const text = inline(h.tokens, t);
        gap();
        if (h.depth === 1) out.push(t.heading(text), t.dim('═'.repeat(Math.min(width, visibleWidth(text)))));
        else if (h.depth === 2) out.push(t.heading(text), t.dim('─'.repeat(Math.min(width, visibleWidth(text)))));
        else out.push(t.bold(text));
        out.push('');
        break;
      }
      case 'paragraph':
        gap();
        out.push(...wrap(inline((tok as Tokens.Paragraph).tokens, t), width));
        break;
      case 'text': {
        const x = tok as Tokens.Text;
        out.push(...wrap(x.tokens ? inline(x.tokens, t) : decodeEntities(x.text), width));
        break;
      }
      case 'code':
        gap();
        out.push(...codeBlock(tok as Tokens.Code, o));
        break;
      case 'blockquote': {
        gap();
        const inner = blocks((tok as Tokens.Blockquote).tokens, { ...o, width: width - 2 }, depth);
        out.push(...inner.map((l) => `${t.dim('│')} ${l}`));
        break;
      }
      case 'list':
        gap();
        out.push(...list(tok as Tokens.List, o, depth));
        break;
      case 'table':
        gap();
        out.push(...table(tok as Tokens.Table, o));
        break;
      case 'hr':
        gap();
        out.push(t.dim('─'.repeat(Math.min(width, 40))));
        break;
      case 'html':
        gap();
        out.push(...wrap(sanitize((tok as Tokens.HTML).text).replace(/<[^>]*>/g, '').trim(), width));
        break;
      default:
        gap();
        out.push(...wrap(tok.raw, width));
    }
    if (!tight && tok.type !== 'space') out.push('');
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  // Collapse runs of blank lines.
  return out.filter((l, i) => !(l === '' && out[i - 1] === ''));
}

/** Render lexed Markdown as terminal lines (no trailing newline). */
export function renderTokens(tokens: MarkdownTokens, o: MarkdownOptions): string[] {
  return blocks(tokens, { ...o, width: Math.max(20, o.width) });
}

/** Lexed inline Markdown as styled text on one line, unwrapped: the caller wraps it. */
export function renderInlineTokens(tokens: MarkdownTokens, theme: Theme): string {
  return inline(tokens, theme).replace(/\n/g, ' ');
}

/** Tokens with a bold label leading their first paragraph, as `**Label** text` would lex. */
export function withLead(label: string, tokens: MarkdownTokens): MarkdownTokens {
  const lead: Token[] = [{ type: 'strong', raw: '', text: label, tokens: [{ type: 'text', raw: label, text: label }] }, { type: 'text', raw: ' ', text: ' ' }];
  const [first, ...rest] = tokens;
  if (first?.type === 'paragraph') return [{ ...first, tokens: [...lead, ...((first as Tokens.Paragraph).tokens ?? [])] } as Tokens.Paragraph, ...rest];
  return [{ type: 'paragraph', raw: '', text: label, tokens: lead }, ...tokens];
}
