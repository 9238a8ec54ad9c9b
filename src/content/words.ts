/** Words of prose in Markdown: fenced code is not teaching prose, so it does not count. */
export function proseWords(markdown: string): number {
  let inFence = false;
  let words = 0;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    for (const token of line.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) words++;
  }
  return words;
}
