/** The one place a cancelled prompt is handled: Ctrl-C (or a closed terminal) becomes Interrupted. */
import { ExitPromptError } from '@inquirer/core';
import { Interrupted } from '../../errors.js';

export async function guarded<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt;
  } catch (error) {
    if (error instanceof ExitPromptError) throw new Interrupted();
    throw error;
  }
}
