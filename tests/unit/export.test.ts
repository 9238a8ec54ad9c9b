/** Exported files, parsed the way the receiving tool reads them. */
import { describe, expect, it } from 'vitest';
import { toAnki, toCsv, toJson } from '../../src/content/export.js';
import { createScheduler } from '../../src/srs/scheduler.js';
import { DEFAULT_SETTINGS } from '../../src/store/document.js';
import { question } from '../helpers/fixtures.js';

const questions = [
  question('single-one', { kind: 'single', prompt: 'Which\tone?\n\nPick "well".', choices: [{ text: 'a, b', correct: true }, { text: 'c' }, { text: 'd' }], explanation: 'Because\nof <b>this</b>.', tags: ['cache-aside'] } as never),
  question('out', { kind: 'output', prompt: 'Prints?', code: 'console.log(1)', module: 'cjs', answer: ['1'], distractors: [], difficulty: 3 } as never),
];
const html = (md: string) => `<p>${md.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>\n')}</p>`;

/** Anki's reader (rslib/src/import_export/text/csv/metadata.rs): `#key:value` header lines, then one record a line. */
function readAnki(text: string) {
  const headers: Record<string, string> = {};
  const records: string[][] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    if (line.startsWith('#')) {
      const [key, ...rest] = line.slice(1).split(':');
      headers[key!.trim().toLowerCase()] = rest.join(':');
    } else records.push(line.split('\t'));
  }
  return { headers, records };
}

/** RFC 4180. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += ch;
  }
  return rows;
}

describe('Anki text export', () => {
  const { headers, records } = readAnki(toAnki(questions, html));
  it('sets every import option in the file itself', () => {
    expect(headers).toMatchObject({ separator: 'tab', html: 'true', notetype: 'Basic', 'tags column': '3', 'deck column': '4', 'guid column': '5' });
  });
  it('writes one note per question, five clean columns each', () => {
    expect(records).toHaveLength(2);
    for (const r of records) expect(r).toHaveLength(5);
    const [front, back, tags, deck, guid] = records[0]!;
    expect(front).toContain('Which one?');
    expect(front).not.toMatch(/\S<br>\S*\n/);
    expect(front).toContain('a, b');
    expect(back).toContain('Because<br> of &lt;b>this&lt;/b>.');
    expect(tags!.split(' ')).toEqual(['backend-tutor::t', 'difficulty::1', 'kind::single', 'cache-aside']);
    expect(deck).toBe('backend-tutor::t');
    expect(guid).toBe('backend-tutor:t/single-one');
    expect(records[1]![1]).toContain('1');
  });
});

describe('CSV export', () => {
  it('round-trips through an RFC 4180 reader, with card states', () => {
    const card = createScheduler(DEFAULT_SETTINGS).next(undefined, 3, new Date('2026-03-01T10:00:00Z'));
    const rows = readCsv(toCsv(questions, { 't/out': card }));
    expect(rows[0]).toEqual(['card_id', 'topic', 'kind', 'difficulty', 'tags', 'question', 'answer', 'explanation', 'state', 'due', 'stability', 'reps', 'lapses']);
    expect(rows).toHaveLength(3);
    expect(rows[1]!.slice(0, 5)).toEqual(['t/single-one', 't', 'single', '1', 'cache-aside']);
    expect(rows[1]![5]).toBe('Which\tone?\n\nPick "well".\n\n- a, b\n- c\n- d');
    expect(rows[1]![8]).toBe('new');
    expect(rows[2]!.slice(8, 10)).toEqual(['review', card.due]);
  });
});

describe('JSON export', () => {
  it('carries every question with its card state or null', () => {
    const data = JSON.parse(toJson(questions, {}));
    expect(data.map((q: { cardId: string; card: unknown }) => [q.cardId, q.card])).toEqual([['t/single-one', null], ['t/out', null]]);
  });
});
