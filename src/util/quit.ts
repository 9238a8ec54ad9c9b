/** What an interactive step returns when the learner leaves with q or Esc (Ctrl-C throws Interrupted instead). */
export const QUIT = Symbol('quit');
export type Quit = typeof QUIT;
