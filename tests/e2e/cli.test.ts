/** The built CLI in a pipe: the JSON contracts, exit codes and error messages scripts rely on. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, cli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';
import { LABS } from '../../src/labs/registry.js';

describe('backend-tutor in a pipe', () => {
  const home = tempDir();

  it('prints help with examples and its version', () => {
    const help = cli(['--help'], { home });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/study.*quiz.*lab/s);
    for (const cmd of ['study', 'quiz', 'lab', 'lesson', 'topics', 'progress', 'validate']) {
      const r = cli([cmd, '--help'], { home });
      expect(r.status, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(/Examples:\n {2}\$ backend-tutor/);
    }
    expect(cli(['--version'], { home }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('starts from the code cache the build wrote, for the CLI and the prompts library', () => {
    // No timing here (that is npm run bench): only that V8 accepts each cache, which is what makes start-up fast.
    const probe = `const { compiled, loaded } = require(${JSON.stringify(BIN)});
      for (const f of ['cli.cjs', 'vendor/inquirer-core.cjs']) compiled(require('node:path').join(${JSON.stringify(join(ROOT, 'dist'))}, f));
      console.log(JSON.stringify([...loaded.values()].map((l) => l.script.cachedDataRejected)));`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([false, false]);
    // ASCII only, so Node holds it as a one-byte string (esbuild escapes strings; a regex literal it cannot).
    expect(readFileSync(join(ROOT, 'dist', 'cli.cjs'), 'latin1')).not.toMatch(/[^\x00-\x7f]/);
  });

  it('topics --json follows the contract', () => {
    const r = cli(['topics', '--json'], { home });
    expect(r.status).toBe(0);
    const topics = JSON.parse(r.stdout) as { id: string; order: number; title: string; written: boolean; lessonWords: number; questions: number; labs: string[] }[];
    expect(topics).toHaveLength(31);
    expect(topics[0]).toMatchObject({ id: 'intro', order: 1, title: 'Introduction to Backend Engineering' });
    for (const t of topics) expect(t.written, t.id).toBe(t.lessonWords > 0);
    const caching = topics.find((t) => t.id === 'caching')!;
    expect(caching.lessonWords).toBeGreaterThanOrEqual(1500);
    expect(caching.questions).toBeGreaterThanOrEqual(25);
    expect(caching.labs).toContain('thundering-herd');
    expect(topics.find((t) => t.id === 'security')!.labs).toContain('token-bucket');
    // Every registered lab is listed with its topic, and nowhere else.
    const listed = topics.flatMap((t) => t.labs.map((l) => `${t.id}/${l}`)).sort();
    expect(listed).toEqual(LABS.map((l) => `${l.topic}/${l.id}`).sort());
  });

  it('topics in a pipe is plain text with no colour codes, and honest about unwritten lessons', () => {
    const r = cli(['topics'], { home });
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).toMatch(/14 {2}caching · Caching +\d\.\dk w +\d+/);
    for (const t of JSON.parse(cli(['topics', '--json'], { home }).stdout) as { id: string; order: number; written: boolean }[]) {
      const row = r.stdout.split('\n').find((l) => l.startsWith(`${String(t.order).padStart(2)}  ${t.id} ·`));
      expect(row, t.id).toMatch(t.written ? /\dk w/ : / soon /);
    }
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('lab --list --json follows the contract', () => {
    const labs = JSON.parse(cli(['lab', '--list', '--json'], { home }).stdout);
    expect(labs.map((l: { id: string }) => l.id)).toEqual(LABS.map((l) => l.id));
    expect(labs.length).toBeGreaterThanOrEqual(28);
    expect(new Set(labs.map((l: { topic: string }) => l.topic)).size).toBeGreaterThanOrEqual(26);
    for (const l of labs) expect(Object.keys(l).sort()).toEqual(['id', 'summary', 'title', 'topic']);
  });

  it('runs a lab with --json as JSON lines ending in its observations', () => {
    const r = cli(['lab', 'token-bucket', '--json', '--seed', '4', '--capacity', '6', '--rate', '10'], { home });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => l.lab === 'token-bucket')).toBe(true);
    const result = lines.at(-1);
    expect(result).toMatchObject({ type: 'result', seed: 4, observations: { capacity: 6, rate: 10 } });
    expect(lines.some((l) => l.type === 'step')).toBe(true);
  });

  it('progress --json on a fresh install', () => {
    const r = cli(['progress', '--json'], { home });
    expect(r.status).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ reviews: 0, streak: 0, due: 0 });
    expect(p.topics).toHaveLength(31);
    expect(p.topics[2]).toEqual({ id: 'http', seen: 0, total: expect.any(Number), due: 0, mastery: 0 });
  });

  it('prints a lesson as plain text in a pipe', () => {
    const r = cli(['lesson', 'caching'], { home });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Caching\n ═+/);
    expect(r.stdout).toMatch(/In the interview/);
    expect(r.stdout).not.toMatch(/\u001b/);
  });

  it('validate passes on the shipped content', () => {
    const r = cli(['validate'], { home });
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/no problems/);
    expect(r.status).toBe(0);
    expect(JSON.parse(cli(['validate', '--json'], { home }).stdout)).toMatchObject({ ok: true, problems: [] });
  });

  it('home in a pipe is a short summary', () => {
    const r = cli([], { home });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0 cards due · streak 0 days/);
    const first = (JSON.parse(cli(['topics', '--json'], { home }).stdout) as { order: number; title: string; written: boolean }[]).find((t) => t.written)!;
    expect(r.stdout).toContain(`Next: Read lesson ${first.order}, ${first.title}: backend-tutor study`);
  });

  it('answers usage errors with a suggestion and exit 2', () => {
    const typo = cli(['lesson', 'cachng'], { home });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/Unknown topic "cachng"\. Did you mean "caching"/);
    expect(cli(['quiz', '--topic', 'nope-nope-nope'], { home }).status).toBe(2);
    expect(cli(['quiz', '--count', '-3'], { home }).status).toBe(2);
    expect(cli(['lab', 'event-lop'], { home }).stderr).toMatch(/Did you mean "event-loop"/);
    expect(cli(['lab', 'event-loop', '--capacity', '3'], { home }).status).toBe(2);
    expect(cli(['frobnicate'], { home }).status).toBe(2);
    const command = cli(['--data-dir', join(home, 'data'), 'topcs'], { home });
    expect(command.status).toBe(2);
    expect(command.stderr).toMatch(/Unknown command "topcs"\. Did you mean "topics"\?/);
    // A global option's value is not taken for the command.
    expect(cli(['--data-dir', 'lab', 'topics', '--json'], { home }).status).toBe(0);
    expect(cli(['quiz', '--new', '--due'], { home }).status).toBe(2);
  });

  it('explains that a quiz needs a terminal (exit 2)', () => {
    const r = cli(['quiz', '--topic', 'caching'], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal/);
    expect(cli(['study'], { home }).status).toBe(2);
  });

  it('says a lesson is not written yet (exit 1)', () => {
    const unwritten = (JSON.parse(cli(['topics', '--json'], { home }).stdout) as { id: string; written: boolean }[]).find((t) => !t.written);
    if (!unwritten) return; // every lesson is written: there is nothing left to refuse
    const r = cli(['lesson', unwritten.id], { home });
    expect(r.status).toBe(1);
    expect(r.stderr.replace(/\s+/g, ' ')).toMatch(/not written yet/);
  });

  it('never overwrites a corrupt progress file, and names it', () => {
    const h = tempDir();
    mkdirSync(join(h, 'data'));
    const file = join(h, 'data', 'progress.json');
    writeFileSync(file, '{ this is not json');
    for (const args of [['progress'], ['topics'], ['lab', 'token-bucket', '--json']]) {
      const r = cli(args, { home: h });
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(file);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect(readFileSync(file, 'utf8')).toBe('{ this is not json');
  });

  it('keeps progress where --data-dir says, over BACKEND_TUTOR_HOME', () => {
    const h = tempDir();
    const dir = join(h, 'elsewhere');
    expect(cli(['lab', 'token-bucket', '--json', '--data-dir', dir], { home: h }).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8')).labsRun['token-bucket'].count).toBe(1);
    expect(existsSync(join(h, 'data', 'progress.json'))).toBe(false);
  });
});
