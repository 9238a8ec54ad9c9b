/** How commands are declared: data only, so `--help` and parsing never import a command's code. */
import type { AppContext } from '../app/context.js';

export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  /** Parse as a whole number within [min, max]. */
  readonly int?: { readonly min: number; readonly max: number };
  /** Parse as a number (decimals allowed); the command checks the range. */
  readonly number?: true;
}

export interface CommandModule {
  /** Returns the exit code; throws UsageError/Interrupted/FileError for the others. */
  run(ctx: AppContext, args: readonly string[], options: Readonly<Record<string, unknown>>): Promise<number>;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** e.g. `[topic]` or `<topic>` */
  readonly args?: string;
  readonly options?: readonly OptionSpec[];
  readonly examples: readonly string[];
  /** More options, declared only when the command line names this command: their source is not loaded otherwise. */
  readonly namedOptions?: () => Promise<readonly OptionSpec[]>;
  readonly load: () => Promise<CommandModule>;
}
