/** Typed failures: only cli.ts turns them into exit codes (one exit point). */

/** Bad arguments or an impossible request: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

/** The learner pressed Ctrl-C (or closed the terminal): exit 130. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  readonly exitCode = 130;
  constructor(message = 'Interrupted.') {
    super(message);
  }
}

/** A file we must not touch is unusable (corrupt progress, broken content): exit 1, message names the file. */
export class FileError extends Error {
  override name = 'FileError';
  readonly exitCode = 1;
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof Interrupted || error instanceof FileError) return error.exitCode;
  return 1;
}
