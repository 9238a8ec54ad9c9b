import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CompiledQuestion } from '../../src/content/types.js';
import type { StoredCard } from '../../src/srs/types.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export function tempDir(prefix = 'bt-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function question(id: string, extra: Partial<CompiledQuestion> = {}): CompiledQuestion {
  return {
    id,
    kind: 'boolean',
    prompt: `Is ${id} true?`,
    explanation: 'Because.',
    difficulty: 1,
    tags: [],
    answer: true,
    why: 'Misconception.',
    topic: 't',
    cardId: `t/${id}`,
    ...extra,
  } as CompiledQuestion;
}

export function card(over: Partial<StoredCard> = {}): StoredCard {
  return {
    due: '2026-01-01T00:00:00.000Z',
    stability: 5,
    difficulty: 5,
    scheduled_days: 5,
    learning_steps: 0,
    reps: 3,
    lapses: 0,
    state: 2,
    last_review: '2025-12-27T00:00:00.000Z',
    ...over,
  };
}
