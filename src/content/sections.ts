/** Which section of a lesson teaches a question: where its tags and key words are discussed most. */
import type { CompiledQuestion } from './types.js';

const STOP = new Set(['about', 'after', 'again', 'because', 'before', 'being', 'could', 'every', 'first', 'from', 'have', 'into', 'more', 'most', 'only', 'other', 'same', 'should', 'some', 'than', 'that', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'what', 'when', 'which', 'while', 'with', 'would', 'your', 'does', 'each', 'were', 'will', 'also', 'just', 'like', 'make', 'many', 'much', 'need', 'over', 'such', 'true', 'false', 'print', 'prints', 'following', 'select', 'apply', 'order', 'happen']);

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z0-9-]{3,}/g)?.filter((w) => !STOP.has(w)) ?? [];
}

export interface Section {
  readonly title: string;
  readonly text: string;
}

/** The `##` sections of a lesson body (the interview section excluded: it summarises, it does not teach). */
export function sections(body: string): Section[] {
  const out: Section[] = [];
  let current: { title: string; lines: string[] } | undefined;
  for (const line of body.split('\n')) {
    const m = /^## (.+)$/.exec(line);
    if (m) {
      if (current) out.push({ title: current.title, text: current.lines.join('\n') });
      current = { title: m[1]!.trim(), lines: [] };
    } else current?.lines.push(line);
  }
  if (current) out.push({ title: current.title, text: current.lines.join('\n') });
  return out.filter((s) => s.title !== 'In the interview');
}

/** Sections lower-cased once per lesson: progress looks up a section for every leech, often in one lesson. */
const searchable = new Map<string, { title: string; lowerTitle: string; lowerText: string }[]>();
function searchableSections(body: string) {
  let found = searchable.get(body);
  if (!found) {
    found = sections(body).map((s) => ({ title: s.title, lowerTitle: s.title.toLowerCase(), lowerText: s.text.toLowerCase() }));
    searchable.set(body, found);
  }
  return found;
}

export function sectionFor(q: CompiledQuestion, body: string): string | undefined {
  const keys = new Map<string, number>();
  // Tags name the concept; they weigh more than the prompt's words.
  for (const t of q.tags) for (const w of [t, ...t.split('-')]) if (w.length > 3) keys.set(w, 3);
  for (const w of words(q.prompt)) if (!keys.has(w)) keys.set(w, 1);
  let best: string | undefined;
  let bestScore = 0;
  for (const s of searchableSections(body)) {
    let score = 0;
    for (const [w, weight] of keys) if (s.lowerText.includes(w)) score += weight * (s.lowerTitle.includes(w) ? 2 : 1);
    if (score > bestScore) [best, bestScore] = [s.title, score];
  }
  return best;
}
