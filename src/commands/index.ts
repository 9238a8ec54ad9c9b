/** The sorted command registry: one entry per file in this folder. */
import type { CommandSpec, OptionSpec } from './types.js';

/** Every lab parameter as a flag of `lab`: loaded only when the command line names `lab` (it needs the registry). */
async function labParamOptions(): Promise<OptionSpec[]> {
  const { LABS, paramFlag } = await import('../labs/registry.js');
  const options: OptionSpec[] = [];
  for (const lab of LABS) {
    for (const p of lab.params ?? []) {
      if (options.some((o) => o.flags.startsWith(`${paramFlag(p.name)} `))) continue;
      // Bounds are checked per lab when it runs: two labs may share a name with different ranges.
      options.push({ flags: `${paramFlag(p.name)} <n>`, description: `${p.description} (lab ${lab.id}; default ${p.default})`, number: true });
    }
  }
  return options;
}

export const HOME: CommandSpec = {
  name: 'home',
  summary: 'What is due, your streak, and the next step',
  examples: ['backend-tutor', 'backend-tutor --data-dir ./my-progress'],
  load: () => import('./home.js'),
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'config',
    summary: 'Show or change settings: daily limits, desired retention, learning steps…',
    args: '[name] [value]',
    options: [
      { flags: '--reset', description: 'put the setting back to its default' },
      { flags: '--json', description: 'print all settings as JSON' },
    ],
    examples: ['backend-tutor config', 'backend-tutor config new-per-day 10', 'backend-tutor config desired-retention 0.85', 'backend-tutor config learning-steps 1m,10m', 'backend-tutor config shuffle --reset'],
    load: () => import('./config.js'),
  },
  {
    name: 'drill',
    summary: 'A system-design drill: prompt, clarify, answer, model walkthrough, rubric',
    args: '[id]',
    options: [
      { flags: '--list', description: 'list the drills with your last score' },
      { flags: '--json', description: 'with --list: the drills as JSON' },
    ],
    examples: ['backend-tutor drill', 'backend-tutor drill url-shortener', 'backend-tutor drill --list', 'backend-tutor drill rate-limiter | less'],
    load: () => import('./drill.js'),
  },
  {
    name: 'export',
    summary: 'Export the questions (and your card states) for Anki, a spreadsheet or a script',
    options: [
      { flags: '-f, --format <format>', description: 'anki (text import, default), csv or json (with your card states)' },
      { flags: '-o, --out <file>', description: 'write to a file instead of standard output' },
      { flags: '-t, --topic <topics...>', description: 'only these topics' },
    ],
    examples: ['backend-tutor export --out backend-tutor.txt', 'backend-tutor export --format csv --topic caching > caching.csv', 'backend-tutor export --format json --out cards.json'],
    load: () => import('./export.js'),
  },
  {
    name: 'interview',
    summary: 'A timed mock interview on your weakest material, then a scorecard',
    options: [
      { flags: '-m, --minutes <n>', description: 'length of the interview (default 30)', int: { min: 1, max: 180 } },
      { flags: '-t, --topics <topics...>', description: 'only these topics (id, number or unique prefix)' },
      { flags: '--drill', description: 'end with a system-design drill (the one you are weakest at)' },
      { flags: '--last', description: 'show the last scorecard instead of starting an interview' },
      { flags: '--json', description: 'print the scorecard as JSON' },
      { flags: '--seed <n>', description: 'seed for tie-breaks and choice order', int: { min: 0, max: 2 ** 31 - 1 } },
    ],
    examples: ['backend-tutor interview', 'backend-tutor interview --minutes 15 --topics caching databases', 'backend-tutor interview --minutes 45 --drill', 'backend-tutor interview --last --json'],
    load: () => import('./interview.js'),
  },
  {
    name: 'lab',
    summary: 'Run a lab: a real mechanism, executed and annotated',
    args: '[id]',
    options: [
      { flags: '--list', description: 'list the labs' },
      { flags: '--seed <n>', description: 'seed for the lab’s random traces (same seed, same run)', int: { min: 0, max: 2 ** 31 - 1 } },
      { flags: '--json', description: 'print the lab’s events as JSON lines (with --list: the lab list as JSON)' },
    ],
    namedOptions: labParamOptions,
    examples: ['backend-tutor lab --list', 'backend-tutor lab event-loop', 'backend-tutor lab token-bucket --capacity 5 --rate 2', 'backend-tutor lab thundering-herd --seed 7 --json'],
    load: () => import('./lab.js'),
  },
  {
    name: 'lesson',
    summary: 'Read a topic’s lesson (paged in a terminal, plain text in a pipe)',
    args: '<topic>',
    examples: ['backend-tutor lesson caching', 'backend-tutor lesson 3', 'backend-tutor lesson http | less'],
    load: () => import('./lesson.js'),
  },
  {
    name: 'optimize',
    summary: 'Fit the scheduler (FSRS) to your own reviews; kept only if it predicts you better',
    options: [
      { flags: '--revert', description: 'go back to the parameters used before the last fit' },
      { flags: '--force', description: 'fit even with fewer than 400 usable reviews' },
      { flags: '--json', description: 'print the result as JSON' },
    ],
    examples: ['backend-tutor optimize', 'backend-tutor optimize --revert', 'backend-tutor optimize --json'],
    load: () => import('./optimize.js'),
  },
  {
    name: 'progress',
    summary: 'Per-topic seen, due and mastery; streak and total reviews',
    options: [{ flags: '--json', description: 'print progress as JSON' }],
    examples: ['backend-tutor progress', 'backend-tutor progress --json'],
    load: () => import('./progress.js'),
  },
  {
    name: 'quiz',
    summary: 'A spaced-repetition session: due cards first, then new ones',
    options: [
      { flags: '-t, --topic <topics...>', description: 'only these topics (id, number or unique prefix)' },
      { flags: '-n, --count <n>', description: 'ask at most n questions (overrides the daily limits)', int: { min: 1, max: 10000 } },
      { flags: '--new', description: 'only cards never seen' },
      { flags: '--due', description: 'only cards due for review' },
      { flags: '--all', description: 'everything in scope, due or not (practise ahead)' },
      { flags: '--seed <n>', description: 'seed for choice order', int: { min: 0, max: 2 ** 31 - 1 } },
    ],
    examples: ['backend-tutor quiz', 'backend-tutor quiz --topic caching', 'backend-tutor quiz -t http caching -n 10', 'backend-tutor quiz --due'],
    load: () => import('./quiz.js'),
  },
  {
    name: 'reset',
    summary: 'Start over, for everything or one topic (your files are backed up first)',
    options: [
      { flags: '-t, --topic <topic>', description: 'only this topic’s cards' },
      { flags: '-y, --yes', description: 'do not ask (needed in a pipe or script)' },
    ],
    examples: ['backend-tutor reset --topic caching', 'backend-tutor reset', 'backend-tutor reset --yes'],
    load: () => import('./reset.js'),
  },
  {
    name: 'study',
    summary: 'The guided path: the next lesson, then its questions and your due reviews',
    args: '[topic]',
    examples: ['backend-tutor study', 'backend-tutor study caching'],
    load: () => import('./study.js'),
  },
  {
    name: 'topics',
    summary: 'The 31 roadmap topics, what is written, and your mastery',
    options: [{ flags: '--json', description: 'print the topics as JSON' }],
    examples: ['backend-tutor topics', 'backend-tutor topics --json'],
    load: () => import('./topics.js'),
  },
  {
    name: 'validate',
    summary: 'Check the course content, or your own deck: schemas, unique ids, answer keys, links',
    args: '[deck]',
    options: [{ flags: '--json', description: 'print the problems as JSON' }],
    examples: ['backend-tutor validate', 'backend-tutor validate ./my-team-deck', 'backend-tutor validate --json'],
    load: () => import('./validate.js'),
  },
];
