/** The contract between the lab runner and a lab (labs/<id>.ts). Labs never write to the terminal. */

export type LabValue = string | number | boolean | null | readonly LabValue[] | { readonly [k: string]: LabValue };
export type LabData = Readonly<Record<string, LabValue>>;

export interface LabPrinter {
  /** A section of the demo. */
  heading(title: string): void;
  /** Narration: what is about to happen. */
  say(text: string): void;
  /** Code or a raw exchange shown verbatim. */
  code(text: string): void;
  /** One observed event and why it happened. `data` is what the event carries in --json. */
  step(what: string, why: string, data?: LabData): void;
  /** A measured figure. */
  figure(label: string, value: string | number, note?: string): void;
  /** A small aligned table (first row is the header). */
  table(rows: readonly (readonly (string | number)[])[]): void;
  /** Horizontal bars comparing measured values (scaled to the largest). */
  bars(rows: readonly { readonly label: string; readonly value: number }[], unit?: string): void;
  takeaways(lines: readonly string[]): void;
}

/** Predict-first prompts; absent when not in a terminal or with --json. */
export interface LabPrompts {
  /** Ask the learner to put items in the order they expect; undefined if they skip. */
  predictOrder(question: string, items: readonly string[]): Promise<readonly string[] | undefined>;
  /** Ask for one choice; undefined if they skip. */
  predictChoice(question: string, choices: readonly string[]): Promise<number | undefined>;
}

export interface LabContext {
  readonly out: LabPrinter;
  readonly seed: number;
  readonly rng: () => number;
  /** Aborted on Ctrl-C: long loops check it; the runner then runs every deferred cleanup. */
  readonly signal: AbortSignal;
  readonly params: Readonly<Record<string, number>>;
  readonly prompts: LabPrompts | undefined;
  /** Register a cleanup (close a server, kill a child); run in reverse order at the end or on abort. */
  defer(cleanup: () => void | Promise<void>): void;
}

/** What the lab observed, returned for tests and emitted last in --json. */
export type LabObservations = LabData;

export interface LabModule {
  run(ctx: LabContext): Promise<LabObservations>;
}

export interface LabParam {
  readonly name: string;
  readonly description: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Takes decimals (e.g. BM25's k1); otherwise a whole number. */
  readonly decimal?: boolean;
}
