/**
 * HTML output encoding for labs (email templates, rendered comments), and a scan of served HTML for markup
 * a browser would execute. The scan is a few regular expressions, not an HTML parser: enough to tell an
 * escaped page from an exploitable one in a lab.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or quoted attribute value: the five special characters, in one pass. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A value inside an inline <script>: JSON with every `<` written as \u003c, so `</script>` cannot close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A URL for an href: only http(s) and mailto survive; anything else (javascript:, data:) becomes "#". */
export function safeUrl(url: string): string {
  return /^(https?:\/\/|mailto:)/i.test(url.trim()) ? url : '#';
}

export interface ExecutableMarkup {
  readonly kind: 'script' | 'event-handler' | 'javascript-url';
  /** The opening tag or attribute as served (shortened). */
  readonly snippet: string;
  /** The nonce attribute of a <script>, if it has one. */
  readonly nonce: string | null;
}

/** Script elements, on…= event-handler attributes and javascript: URLs in real tags of an HTML document. */
export function findExecutable(html: string): ExecutableMarkup[] {
  const found: { at: number; m: ExecutableMarkup }[] = [];
  const short = (s: string) => (s.length > 48 ? `${s.slice(0, 45)}...` : s);
  for (const m of html.matchAll(/<script\b[^>]*>/gi)) {
    found.push({ at: m.index, m: { kind: 'script', snippet: short(m[0]), nonce: /\bnonce="([^"]*)"/i.exec(m[0])?.[1] ?? null } });
  }
  for (const tag of html.matchAll(/<[a-z][^<>]*>/gi)) {
    for (const a of tag[0].matchAll(/\s(on[a-z]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi)) {
      found.push({ at: tag.index + a.index, m: { kind: 'event-handler', snippet: short(a[0].trim()), nonce: null } });
    }
    for (const a of tag[0].matchAll(/\s(?:href|src|action)\s*=\s*["']?\s*javascript:[^"'>\s]*/gi)) {
      found.push({ at: tag.index + a.index, m: { kind: 'javascript-url', snippet: short(a[0].trim()), nonce: null } });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.m);
}
