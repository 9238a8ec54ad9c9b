/** What an interactive step returns when the learner leaves with q or Esc (Ctrl-C throws Interrupted instead). */
export const QUIT = Symbol('quit');
export type Quit = typeof QUIT;

/** What a prompt returns when the learner passes on a question (interview mode). */
export const SKIP = Symbol('skip');
export type Skip = typeof SKIP;
