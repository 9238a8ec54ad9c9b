import { describe, expect, it } from 'vitest';
import { drive, type FeedbackChoice, type QuizUI, type Recorder } from '../../src/quiz/drive.js';
import type { Response } from '../../src/quiz/grade.js';
import { applyRecord, type DerivedState } from '../../src/srs/apply.js';
import { isReview, type LogRecord } from '../../src/srs/types.js';
import { createScheduler } from '../../src/srs/scheduler.js';
import { DEFAULT_SETTINGS } from '../../src/store/document.js';
import { QUIT, type Quit } from '../../src/util/quit.js';
import { question } from '../helpers/fixtures.js';

const s = createScheduler(DEFAULT_SETTINGS);

/** A recorder over an in-memory log that notes the order of events. */
function memoryRecorder(events: string[]): Recorder & { state: DerivedState; log: LogRecord[] } {
  const state: DerivedState = { cards: {}, days: {} };
  const log: LogRecord[] = [];
  let n = 0;
  return {
    state,
    log,
    async record(cardId, rating, at) {
      const id = String(++n);
      events.push(`record ${cardId} ${rating}`);
      const preview = s.preview(state.cards[cardId], at);
      const rec = { id, card: cardId, rating, at: at.toISOString() };
      log.push(rec);
      const { before, after } = applyRecord(state, rec, s, () => log)!;
      return { reviewId: id, before, after, preview };
    },
    async amend(reviewId, cardId, rating) {
      events.push(`amend ${cardId} ${rating}`);
      const rec = { amend: reviewId, card: cardId, rating, at: new Date().toISOString() };
      log.push(rec);
      return applyRecord(state, rec, s, () => log)!.after;
    },
    async undo(reviewId, cardId) {
      events.push(`undo ${cardId}`);
      const rec = { undo: reviewId, card: cardId, at: new Date().toISOString() };
      log.push(rec);
      applyRecord(state, rec, s, () => log);
    },
  };
}

/** A UI that answers from a script: 'right' | 'wrong' | 'quit', and feedback choices. */
function scriptedUI(answers: ('right' | 'wrong' | 'quit')[], feedback: FeedbackChoice[], events: string[]): QuizUI {
  return {
    async ask(item): Promise<Response | Quit> {
      const a = answers.shift() ?? 'quit';
      events.push(`ask ${item.question.id}${item.again ? ' again' : ''}`);
      if (a === 'quit') return QUIT;
      const p = item.presented;
      if (p.kind !== 'choice') throw new Error('test questions are booleans');
      const right = p.options.findIndex((o) => o.correct);
      return { kind: 'choice', picked: [a === 'right' ? right : 1 - right] };
    },
    async feedback(item) {
      events.push(`feedback ${item.question.id} ${item.graded.correct ? 'right' : 'wrong'}${item.comesBack ? ' back' : ''}`);
      return feedback.shift() ?? { quit: false };
    },
  };
}

let minutes = 0;
const clock = () => new Date(Date.UTC(2026, 2, 1, 9, minutes++));

describe('drive', () => {
  it('records each answer before its feedback, and brings failed cards back later', async () => {
    const events: string[] = [];
    const recorder = memoryRecorder(events);
    const qs = ['a', 'b', 'c', 'd', 'e'].map((id) => question(id));
    const result = await drive(qs, { ui: scriptedUI(['wrong', 'right', 'right', 'right', 'right', 'right'], [], events), recorder, clock, seed: 1 });
    expect(events.slice(0, 3)).toEqual(['ask a', 'record t/a 1', 'feedback a wrong back']);
    // a failed: it returns after three other questions
    expect(events.filter((e) => e.startsWith('ask'))).toEqual(['ask a', 'ask b', 'ask c', 'ask d', 'ask a again', 'ask e']);
    expect(result.answered).toHaveLength(6);
    expect(result.left).toBe(false);
    expect(result.pending).toBe(0);
    expect(recorder.log).toHaveLength(6);
  });

  it('stops on quit, keeping what was answered', async () => {
    const events: string[] = [];
    const recorder = memoryRecorder(events);
    const result = await drive([question('a'), question('b'), question('c')], { ui: scriptedUI(['right', 'quit'], [], events), recorder, clock, seed: 1 });
    expect(result.left).toBe(true);
    expect(result.answered.map((a) => a.cardId)).toEqual(['t/a']);
    expect(recorder.log.filter(isReview).map((r) => r.card)).toEqual(['t/a']);
  });

  it('quitting from the feedback screen still keeps that answer', async () => {
    const events: string[] = [];
    const recorder = memoryRecorder(events);
    const result = await drive([question('a'), question('b')], { ui: scriptedUI(['wrong'], [{ quit: true }], events), recorder, clock, seed: 1 });
    expect(result.left).toBe(true);
    expect(result.pending).toBe(1);
    expect(recorder.log).toHaveLength(1);
  });

  it('applies a Hard/Easy override by amending the recorded answer', async () => {
    const events: string[] = [];
    const recorder = memoryRecorder(events);
    const result = await drive([question('a')], { ui: scriptedUI(['right'], [{ override: 4, quit: false }], events), recorder, clock, seed: 1 });
    expect(events).toContain('amend t/a 4');
    expect(recorder.log.map((r) => ('rating' in r ? r.rating : 0))).toEqual([3, 4]);
    expect(recorder.state.days[Object.keys(recorder.state.days)[0]!]).toMatchObject({ n: 1, ok: 1, new: 1 });
    expect(result.answered[0]?.rating).toBe(4);
  });

  it('a Hard override on a new card brings it back in the session', async () => {
    const events: string[] = [];
    const recorder = memoryRecorder(events);
    await drive([question('a'), question('b')], { ui: scriptedUI(['right', 'right', 'right'], [{ override: 2, quit: false }], events), recorder, clock, seed: 1 });
    expect(events.filter((e) => e.startsWith('ask'))).toEqual(['ask a', 'ask b', 'ask a again']);
  });

  it('undo takes the answer back and asks the same question again', async () => {
    const events: string[] = [];
    const recorder = memoryRecorder(events);
    const result = await drive([question('a'), question('b')], { ui: scriptedUI(['wrong', 'right', 'right'], [{ undo: true, quit: false }], events), recorder, clock, seed: 1 });
    expect(events.filter((e) => /^(ask|undo)/.test(e))).toEqual(['ask a', 'undo t/a', 'ask a', 'ask b']);
    expect(result.answered.map((a) => [a.cardId, a.correct])).toEqual([['t/a', true], ['t/b', true]]);
    // The taken-back answer left no trace in the card or the day: one first answer each, both right.
    const day = Object.values(recorder.state.days)[0]!;
    expect(day).toMatchObject({ n: 2, ok: 2, new: 2 });
    expect(recorder.state.cards['t/a']!.reps).toBe(1);
  });
});
