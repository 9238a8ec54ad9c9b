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

const TAG = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/y;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);?/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&(quot|apos|lt|gt|amp);/g, (_m, n: string) => ({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[n] ?? '');
}

/**
 * Markup in an HTML document that a browser would execute: <script> elements, on…= event-handler
 * attributes and javascript: URLs. A small tokenizer, not a full HTML parser: it reads tags and quoted
 * attribute values as a browser does, skips comments, and treats the inside of a <script> element as
 * script text up to the first "</script" (which is exactly how a payload breaks out of one).
 */
export function findExecutable(html: string): ExecutableMarkup[] {
  const found: ExecutableMarkup[] = [];
  const short = (s: string) => (s.length > 48 ? `${s.slice(0, 45)}...` : s);
  const lower = html.toLowerCase();
  let i = 0;
  while ((i = html.indexOf('<', i)) >= 0) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    TAG.lastIndex = i;
    const m = TAG.exec(html);
    if (!m) {
      i++;
      continue;
    }
    const attrs = [...(m[2] ?? '').matchAll(ATTR)].map((a) => ({ name: a[1]!.toLowerCase(), raw: a[0], value: decodeEntities((a[2] ?? '').replace(/^["']|["']$/g, '')) }));
    if (m[1]!.toLowerCase() === 'script') {
      found.push({ kind: 'script', snippet: short(m[0]), nonce: attrs.find((a) => a.name === 'nonce')?.value ?? null });
      const close = lower.indexOf('</script', i + m[0].length);
      i = close < 0 ? html.length : close;
      continue;
    }
    for (const a of attrs) {
      if (a.name.startsWith('on')) found.push({ kind: 'event-handler', snippet: short(a.raw), nonce: null });
      else if (['href', 'src', 'action', 'formaction'].includes(a.name) && /^\s*javascript:/i.test(a.value)) found.push({ kind: 'javascript-url', snippet: short(a.raw), nonce: null });
    }
    i += m[0].length;
  }
  return found;
}
