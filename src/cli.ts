/**
 * The commander program: declares every command from the registry and lazy-imports its handler.
 * The one exit point: errors become exit codes here and nowhere else.
 */
import { Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GlobalOptions } from './app/context.js';
import { COMMANDS, HOME } from './commands/index.js';
import type { CommandSpec, OptionSpec } from './commands/types.js';
import { exitCodeOf, FileError, Interrupted, UsageError } from './errors.js';
import { wrap } from './render/text.js';
import { didYouMean, lookupByName } from './util/lookup.js';

declare const __VERSION__: string;

/** dist/cli.cjs → the package root (content sources, compiled content). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function intParser(spec: NonNullable<OptionSpec['int']>, flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < spec.min || n > spec.max) {
      throw new InvalidArgumentError(`${flag} takes a whole number from ${spec.min} to ${spec.max}.`);
    }
    return n;
  };
}

function numberParser(flag: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} takes a number.`);
    return n;
  };
}

/** The command, its arguments and summary, as help lists it. */
const declare = (program: Command, spec: CommandSpec): Command => program.command(spec.args ? `${spec.name} ${spec.args}` : spec.name).description(spec.summary);

function addCommand(program: Command, spec: CommandSpec, run: (spec: CommandSpec, args: string[], opts: Record<string, unknown>, cmd: Command) => Promise<void>): void {
  const cmd = declare(program, spec);
  for (const o of spec.options ?? []) {
    const opt = new Option(o.flags, o.description);
    const flag = o.flags.split(/[ ,]/).find((f) => f.startsWith('--')) ?? o.flags;
    if (o.int) opt.argParser(intParser(o.int, flag));
    if (o.number) opt.argParser(numberParser(flag));
    cmd.addOption(opt);
  }
  cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  cmd.action(async (...params: unknown[]) => {
    const self = params[params.length - 1] as Command;
    const args = self.args.slice(0, self.registeredArguments.length);
    await run(spec, args, self.opts(), self);
  });
}

/** Add the learner's custom deck, if there is one; an unreadable progress file is the command's to report. */
async function useCustomDeck(ctx: import('./app/context.js').AppContext, flag: string | undefined): Promise<void> {
  const { customDeckDir, loadCustomDeck } = await import('./app/custom-deck.js');
  let dir: string | undefined;
  try {
    dir = await customDeckDir(ctx, flag);
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
  }
  if (dir) await loadCustomDeck(ctx, dir);
}

const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '--data-dir <dir>', description: 'where progress is kept (default: $BACKEND_TUTOR_HOME or the platform data directory)' },
  { flags: '--content <dir>', description: 'add a custom deck: a folder with content/ and questions/ (or set it once: config content-dir)' },
  { flags: '--no-color', description: 'plain output, no colours' },
];

/**
 * The command the arguments name (`quiz …`, or `help quiz`): the first word that is not an option or a global
 * option's value. Undefined for the home screen and for help on everything.
 */
function namedCommand(argv: readonly string[]): CommandSpec | undefined {
  const takesValue = new Set(GLOBAL_OPTIONS.filter((o) => o.flags.includes('<')).map((o) => o.flags.split(' ')[0]));
  const words = argv.filter((a, i) => !a.startsWith('-') && !takesValue.has(argv[i - 1] ?? ''));
  const [first, second] = words;
  if (first === undefined) return undefined;
  if (first === 'help') return COMMANDS.find((c) => c.name === second);
  const spec = COMMANDS.find((c) => c.name === first);
  // The home screen takes no arguments, so commander would only say "too many arguments".
  if (!spec) {
    const names = [...COMMANDS.map((c) => c.name), 'help'];
    throw new UsageError(`Unknown command "${first}".${didYouMean(lookupByName(names, (n) => n, first))} \`backend-tutor --help\` lists them all.`);
  }
  return spec;
}

function report(error: unknown): number {
  const code = exitCodeOf(error);
  if (error instanceof Interrupted) {
    process.stderr.write(`\n${error.message}\n`);
  } else if (error instanceof UsageError || error instanceof FileError) {
    const width = process.stderr.isTTY ? Math.min(100, (process.stderr.columns || 80) - 1) : 80;
    process.stderr.write(`${error.message.split('\n').flatMap((l) => wrap(l, width)).join('\n')}\n`);
  } else {
    const e = error as Error;
    process.stderr.write(`backend-tutor: ${e?.message ?? String(error)}\n`);
    if (process.env.BACKEND_TUTOR_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  }
  return code;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('backend-tutor')
    .description('Backend-engineering interview prep in your terminal: lessons, spaced-repetition quizzes and labs.')
    .version(__VERSION__, '-V, --version')
    .helpCommand(true)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  for (const o of GLOBAL_OPTIONS) program.option(o.flags, o.description);

  let code = 0;
  const run = async (spec: CommandSpec, args: string[], opts: Record<string, unknown>, cmd: Command) => {
    // Loaded only when a command runs: --help and --version never pay for the store, theme or scheduler.
    const [{ createContext }, mod] = await Promise.all([import('./app/context.js'), spec.load()]);
    const globals = cmd.optsWithGlobals() as GlobalOptions & { content?: string };
    const ctx = createContext(ROOT, globals);
    await useCustomDeck(ctx, globals.content);
    code = await mod.run(ctx, args, opts);
  };
  // Parsing needs only the command the line names, with its options.
  let named: CommandSpec | undefined;
  try {
    named = namedCommand(argv);
  } catch (error) {
    return report(error);
  }
  if (named) {
    const more = named.namedOptions ? await named.namedOptions() : [];
    addCommand(program, { ...named, options: [...(named.options ?? []), ...more] }, run);
  } else {
    // Help on everything lists the commands, not their options; no command runs from here but home.
    for (const spec of COMMANDS) declare(program, spec);
    // commander writes "[options]" after the name of a command that has options: say it for those not declared.
    const withOptions = new Set(COMMANDS.filter((c) => c.options?.length || c.namedOptions).map((c) => c.name));
    program.configureHelp({
      subcommandTerm(this: Help, c: Command) {
        const term = Help.prototype.subcommandTerm.call(this, c);
        return withOptions.has(c.name()) ? term.replace(c.name(), `${c.name()} [options]`) : term;
      },
    });
  }
  program.action(async () => run(HOME, [], {}, program));
  program.addHelpText('after', `\nStart here:\n  $ backend-tutor study        read the next lesson, then answer its questions\n  $ backend-tutor quiz         review what is due\n  $ backend-tutor lab --list   run a mechanism and watch it\n`);

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and --version exit 0; any other parse error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    return report(error);
  }
}

/** Entry point for bin/backend-tutor.cjs. */
export async function start(): Promise<void> {
  // `backend-tutor topics | head`: the reader went away; stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // After Ctrl-C nothing may keep the process alive: give cleanup a moment, then go.
  if (code === 130) setTimeout(() => process.exit(code), 1000).unref();
}
