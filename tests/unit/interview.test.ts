import { describe, expect, it } from 'vitest';
import type { CompiledQuestion } from '../../src/content/types.js';
import type { Response } from '../../src/quiz/grade.js';
import { beatOf, planInterview, type PlanTopic } from '../../src/quiz/interview-plan.js';
import { runInterview, type InterviewUI } from '../../src/quiz/interview.js';
import { buildScorecard } from '../../src/quiz/scorecard.js';
import { createRng } from '../../src/util/random.js';
import { QUIT, SKIP } from '../../src/util/quit.js';
import { card, question } from '../helpers/fixtures.js';

const q = (topic: string, id: string, extra: Partial<CompiledQuestion> = {}) => question(id, { topic, cardId: `${topic}/${id}`, ...extra });
const recall = (topic: string, id: string) =>
  q(topic, id, { kind: 'recall', answer: 'Model.', points: ['first point', 'second point'], difficulty: 2 } as Partial<CompiledQuestion>);

/** Three topics: `weak` is seen and mostly forgotten, `strong` seen and remembered, `fresh` never seen. */
function world() {
  const topics: PlanTopic[] = [
    { id: 'strong', prerequisites: [], questions: ['s1', 's2', 's3'].map((id) => q('strong', id)) },
    { id: 'weak', prerequisites: [], questions: ['w1', 'w2', 'w3'].map((id) => q('weak', id)) },
    { id: 'fresh', prerequisites: ['strong'], questions: ['f1', 'f2'].map((id) => q('fresh', id)) },
    { id: 'blocked', prerequisites: ['weak'], questions: ['b1', 'b2'].map((id) => q('blocked', id)) },
  ];
  const cards = {
    'strong/s1': card({ stability: 0.95 }),
    'strong/s2': card({ stability: 0.9 }),
    'strong/s3': card({ stability: 0.85 }),
    'weak/w1': card({ stability: 0.2 }),
    'weak/w2': card({ stability: 0.3 }),
    'weak/w3': card({ stability: 0.1, lapses: 9 }),
  };
  // The fixture's stability doubles as retrievability: easy to read, and the plan only ranks by it.
  return { topics, cards, retrievability: (c: { stability: number }) => c.stability };
}

describe('interview plan', () => {
  it('asks the weakest first: the leech, then forgotten cards, then ready unseen topics; strong and blocked last', () => {
    const plan = planInterview({ ...world(), minutes: 30, rng: createRng(1) });
    const ids = plan.map((x) => x.cardId);
    expect(ids[0]).toBe('weak/w3'); // leech
    const first = (topic: string) => plan.findIndex((x) => x.topic === topic);
    expect(first('fresh')).toBeLessThan(first('blocked'));
    expect(first('blocked')).toBeLessThan(first('strong'));
    expect(ids.indexOf('weak/w1')).toBeLessThan(first('strong'));
    // Spread across topics: the second question comes from another topic than the first.
    expect(plan[1]!.topic).not.toBe('weak');
    // Everything fits in 30 minutes, each question once.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(10);
  });

  it('sizes the plan to the time box', () => {
    const small = planInterview({ ...world(), minutes: 1, rng: createRng(1) });
    expect(small.length).toBeGreaterThan(0);
    expect(small.length).toBeLessThanOrEqual(2);
  });

  it('moves between beats: a quick check, an explanation, a deeper question', () => {
    const topic: PlanTopic = {
      id: 't',
      prerequisites: [],
      questions: [q('t', 'c1'), q('t', 'c2'), recall('t', 'r1'), q('t', 'd1', { difficulty: 3 }), q('t', 'c3')],
    };
    const plan = planInterview({ topics: [topic], cards: {}, retrievability: () => 0, minutes: 30, rng: createRng(2) });
    expect(plan.slice(0, 3).map(beatOf)).toEqual(['check', 'explain', 'deep']);
  });
});

/** A UI scripted per question: right, wrong, skip, quit, or recall with some points ticked. */
function scripted(script: (string | number[])[], clock: { t: number }, stepMs: number): InterviewUI & { verdicts: string[] } {
  const verdicts: string[] = [];
  return {
    verdicts,
    async ask(item): Promise<Response | typeof SKIP | typeof QUIT> {
      clock.t += stepMs;
      const s = script.shift() ?? 'quit';
      if (s === 'quit') return QUIT;
      if (s === 'skip') return SKIP;
      const p = item.presented;
      if (Array.isArray(s)) return { kind: 'recall', covered: s };
      if (p.kind !== 'choice') throw new Error('expected a choice');
      const right = p.options.findIndex((o) => o.correct);
      return { kind: 'choice', picked: [s === 'right' ? right : 1 - right] };
    },
    verdict(item, graded) {
      verdicts.push(`${item.question.id}:${graded.correct ? 'right' : 'wrong'}`);
    },
  };
}

describe('interview run and scorecard', () => {
  const plan = [q('a', 'a1'), q('b', 'b1'), recall('b', 'b2'), q('a', 'a2'), q('c', 'c1')];

  it('records every answer as a review, not a skip; scores recall by points; ends when time is up', async () => {
    const clock = { t: Date.parse('2026-05-01T10:00:00Z') };
    const recorded: string[] = [];
    const ui = scripted(['right', 'skip', [0], 'wrong', 'right'], clock, 25_000);
    const run = await runInterview(plan, {
      ui,
      recorder: { record: async (cardId, rating) => (recorded.push(`${cardId}:${rating}`), { reviewId: '', before: undefined, after: card(), preview: {} as never }) },
      clock: () => new Date(clock.t),
      seed: 1,
      minutes: 1,
    });
    // 25 s per question, a 60 s box: the third question starts at 50 s and is finished, then time is up.
    expect(run.ended).toBe('time');
    expect(run.entries.map((e) => e.outcome)).toEqual(['right', 'skipped', 'wrong']);
    expect(recorded).toEqual(['a/a1:3', 'b/b2:2']);
    expect(run.entries[2]!.credit).toBe(0.5);
    expect(run.entries[2]!.missed).toEqual(['second point']);
    expect(run.entries.every((e) => e.ms === 25_000)).toBe(true);

    const sc = buildScorecard({ run, at: new Date(clock.t), minutes: 1, question: (id) => plan.find((x) => x.cardId === id), sectionOf: (x) => `Section of ${x.id}` });
    expect(sc.score).toBeCloseTo(1.5 / 3);
    expect(sc.topics.map((t) => [t.topic, t.score])).toEqual([
      ['b', 0.25],
      ['a', 1],
    ]);
    expect(sc.studyNext).toEqual([{ topic: 'b', score: 0.25, sections: ['Section of b1', 'Section of b2'] }]);
  });

  it('stops at q with what was answered so far', async () => {
    const clock = { t: 0 };
    const run = await runInterview(plan, {
      ui: scripted(['right', 'quit'], clock, 1000),
      recorder: { record: async () => ({ reviewId: '', before: undefined, after: card(), preview: {} as never }) },
      clock: () => new Date(clock.t),
      seed: 1,
      minutes: 30,
    });
    expect(run.ended).toBe('quit');
    expect(run.entries).toHaveLength(1);
  });
});
