/** Find an item by id as a learner types it: exact, else a unique prefix, else a suggestion for a likely typo. */
import { editDistance } from '../content/topics.js';

export type Lookup<T> = { readonly item: T; readonly suggestion?: undefined } | { readonly item?: undefined; readonly suggestion?: string };

export function lookupByName<T>(items: readonly T[], nameOf: (item: T) => string, query: string): Lookup<T> {
  const exact = items.find((x) => nameOf(x) === query);
  if (exact !== undefined) return { item: exact };
  const prefixed = items.filter((x) => nameOf(x).startsWith(query));
  if (query && prefixed.length === 1) return { item: prefixed[0]! };
  const closest = [...items].sort((a, b) => editDistance(query, nameOf(a)) - editDistance(query, nameOf(b)))[0];
  // Only a plausible typo is suggested: at most a third of the word wrong.
  return closest !== undefined && editDistance(query, nameOf(closest)) <= Math.max(2, query.length / 3) ? { suggestion: nameOf(closest) } : {};
}

export const didYouMean = (l: { readonly suggestion?: string | undefined }): string => (l.suggestion ? ` Did you mean "${l.suggestion}"?` : '');
