/** Custom decks: a team's own lessons and questions beside the built-in course, checked, and never in its way. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { startCli } from '../helpers/quiz-screen.js';
import type { Terminal } from '../helpers/tmux.js';

const LESSON = (id: string, title: string, body = 'Partitions, lag and rebalancing.') => `---
id: ${id}
order: 1
title: ${title}
summary: How our team runs Kafka.
prerequisites: [task-queues]
labs: []
minutes: 5
---

# ${title}

${body}

## In the interview

Talk about consumer lag.
`;

const BANK = (topic: string, prompt = 'Consumer lag is measured in offsets.') => `topic: ${topic}
questions:
  - id: lag-unit
    kind: boolean
    prompt: ${JSON.stringify(prompt)}
    answer: true
    why: Some think lag is a time.
    explanation: Lag is the difference between the log-end offset and the committed offset.
    difficulty: 1
`;

function deck(files: Record<string, string>): string {
  const dir = tempDir('bt-deck-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const flat = (s: string) => s.replace(/\s+/g, ' ');

let term: Terminal | undefined;
afterEach(() => term?.close());

describe('a custom deck', () => {
  const good = deck({ 'content/kafka-ops.md': LESSON('kafka-ops', 'Kafka at Acme'), 'questions/kafka-ops.yaml': BANK('kafka-ops') });

  it('validates clean and lists its topic after the 31 built-in ones', () => {
    const home = tempDir();
    expect(flat(cli(['validate', good], { home }).stdout)).toMatch(/1 lessons, 1 question banks, 1 questions checked in .*: no problems/);
    const topics = JSON.parse(cli(['--content', good, 'topics', '--json'], { home }).stdout);
    expect(topics).toHaveLength(32);
    expect(topics[31]).toMatchObject({ id: 'kafka-ops', order: 32, title: 'Kafka at Acme', written: true, questions: 1 });
    expect(cli(['--content', good, 'lesson', 'kafka-ops'], { home }).stdout).toMatch(/Kafka at Acme[\s\S]*Partitions, lag and rebalancing/);
  });

  it('is studied like any topic, with progress kept the same way (set once with config content-dir)', async () => {
    const home = tempDir();
    expect(cli(['config', 'content-dir', good], { home }).status).toBe(0);
    term = startCli(home, 'quiz --topic kafka-ops');
    await term.waitFor(/Consumer lag is measured in offsets/);
    term.send('1', 'Enter');
    await term.waitFor(/✔ Right/);
    term.send('q');
    await term.waitFor(/EXIT=0/);
    const progress = JSON.parse(cli(['progress', '--json'], { home }).stdout);
    expect(progress.topics.find((t: { id: string }) => t.id === 'kafka-ops')).toMatchObject({ seen: 1, total: 1 });
  });

  it('a broken file costs only itself: the rest of the deck and the built-in course still work', () => {
    const broken = deck({
      'content/kafka-ops.md': LESSON('kafka-ops', 'Kafka at Acme'),
      'questions/kafka-ops.yaml': BANK('kafka-ops'),
      'questions/oncall.yaml': 'topic: oncall\nquestions:\n  - id: [broken\n',
      'content/caching.md': LESSON('caching', 'Our caching'),
    });
    const home = tempDir();
    const v = cli(['validate', broken], { home });
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/questions\/oncall\.yaml:\d+:\d+: /);
    expect(v.stdout).toMatch(/content\/caching\.md:1:1: "caching" is a built-in topic/);
    const topics = cli(['--content', broken, 'topics', '--json'], { home });
    expect(topics.status).toBe(0);
    expect(flat(topics.stderr)).toMatch(/Custom deck .*: 2 problem\(s\), the broken parts are skipped/);
    const list = JSON.parse(topics.stdout) as { id: string; questions: number }[];
    expect(list.find((t) => t.id === 'caching')!.questions).toBeGreaterThan(25);
    expect(list.find((t) => t.id === 'kafka-ops')).toBeTruthy();
    expect(cli(['--content', '/no/such/deck', 'topics'], { home }).status).toBe(0);
  });

  it('neutralises terminal escape sequences a deck carries (hyperlinks, cursor moves, screen clears)', () => {
    const hostile = deck({
      'content/evil.md': LESSON('evil', 'Evil', 'Click \u001b]8;;https://evil.example\u0007here\u001b]8;;\u0007, then \u001b[2J\u001b[H and \u009b31mred.'),
      'questions/evil.yaml': BANK('evil', 'Is this \u001b[1A\u001b[2Ksafe?'),
    });
    const home = tempDir();
    const lesson = cli(['--content', hostile, 'lesson', 'evil'], { home, env: { FORCE_COLOR: '0' } });
    expect(lesson.status).toBe(0);
    expect(lesson.stdout).toContain('Click here, then');
    expect(lesson.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    const exported = cli(['--content', hostile, 'export', '--format', 'anki', '--topic', 'evil'], { home });
    expect(exported.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
  });
});
