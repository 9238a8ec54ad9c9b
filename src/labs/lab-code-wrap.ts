/** Fitting long lines of a lab's code block (logs, command output) into an 80-column terminal. */

/** Break a line longer than `width` at spaces; continuation lines start with `indent` spaces. */
export function wrapCodeLine(line: string, width = 76, indent = 2): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= indent) cut = width;
    out.push(rest.slice(0, cut));
    rest = ' '.repeat(indent) + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

/** Every line of a block, wrapped. */
export function wrapCode(text: string, width = 76, indent = 2): string {
  return text
    .split('\n')
    .flatMap((l) => wrapCodeLine(l, width, indent))
    .join('\n');
}
