/**
 * Questions as flashcards for other tools: Anki's text import, CSV and JSON. Pure: the caller renders
 * Markdown to HTML (for Anki) and writes the file.
 */
import type { StoredCard } from '../srs/types.js';
import type { CompiledQuestion } from './types.js';

/** The answer a flashcard's back shows, as Markdown. */
export function answerOf(q: CompiledQuestion): string {
  switch (q.kind) {
    case 'single':
    case 'multi':
      return q.choices
        .filter((c) => c.correct)
        .map((c) => `- ${c.text}`)
        .join('\n');
    case 'boolean':
      return q.answer ? 'True' : 'False';
    case 'order':
      return q.items.map((x, i) => `${i + 1}. ${x}`).join('\n');
    case 'output':
      return `\`\`\`\n${q.answer.join('\n')}\n\`\`\``;
    case 'recall':
      return `${q.answer}\n\nKey points:\n\n${q.points.map((p) => `- ${p}`).join('\n')}`;
  }
}

/** The question a flashcard's front shows, as Markdown: the prompt plus what to choose from. */
export function questionOf(q: CompiledQuestion): string {
  const parts = [q.prompt.trim()];
  if (q.kind === 'single' || q.kind === 'multi') parts.push(q.choices.map((c) => `- ${c.text}`).join('\n'));
  if (q.kind === 'order') parts.push(`Put in order: ${[...q.items].sort().join(' · ')}`);
  if (q.kind === 'output') parts.push(`\`\`\`js\n${q.code.trimEnd()}\n\`\`\``);
  return parts.join('\n\n');
}

export function tagsOf(q: CompiledQuestion): string[] {
  return [`backend-tutor::${q.topic}`, `difficulty::${q.difficulty}`, `kind::${q.kind}`, ...q.tags];
}

/**
 * Anki's text import (File › Import), driven entirely by file headers so nothing is mapped by hand: tab
 * separated, HTML fields, the Basic note type, tags in column 3, the deck in column 4 and a stable id in
 * column 5. A deck column (not `#deck:`) because Anki creates a deck named in a column but ignores a `#deck:`
 * that does not exist yet; the id column makes a re-import update the notes instead of duplicating them.
 */
export function toAnki(questions: readonly CompiledQuestion[], html: (markdown: string) => string, deck = 'backend-tutor'): string {
  // A field may not hold the separator or a raw newline: a newline is a space in HTML, except in code,
  // where it becomes <br> so the lines stay apart.
  const field = (markdown: string) =>
    html(markdown)
      .replace(/\t/g, ' ')
      .split(/(<pre[\s\S]*?<\/pre>)/)
      .map((part, i) => part.replace(/\r?\n/g, i % 2 ? '<br>' : ' '))
      .join('')
      .trim();
  const lines = ['#separator:tab', '#html:true', '#notetype:Basic', '#columns:Front\tBack\tTags\tDeck\tGUID', '#tags column:3', '#deck column:4', '#guid column:5'];
  for (const q of questions) {
    lines.push([field(questionOf(q)), field(`${answerOf(q)}\n\n${q.explanation}`), tagsOf(q).join(' '), `${deck}::${q.topic}`, `${deck}:${q.cardId}`].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_COLUMNS = ['card_id', 'topic', 'kind', 'difficulty', 'tags', 'question', 'answer', 'explanation', 'state', 'due', 'stability', 'reps', 'lapses'] as const;

/** RFC 4180 CSV, one row per question, with the learner's card state where there is one. */
export function toCsv(questions: readonly CompiledQuestion[], cards: Readonly<Record<string, StoredCard>>): string {
  const STATES = ['new', 'learning', 'review', 'relearning'];
  const rows = questions.map((q) => {
    const c = cards[q.cardId];
    return [q.cardId, q.topic, q.kind, q.difficulty, q.tags.join(' '), questionOf(q), answerOf(q), q.explanation.trim(), STATES[c?.state ?? 0], c?.due ?? '', c?.stability ?? '', c?.reps ?? 0, c?.lapses ?? 0];
  });
  return `${[[...CSV_COLUMNS], ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function toJson(questions: readonly CompiledQuestion[], cards: Readonly<Record<string, StoredCard>>): string {
  return `${JSON.stringify(
    questions.map((q) => ({ ...q, card: cards[q.cardId] ?? null })),
    null,
    2,
  )}\n`;
}
