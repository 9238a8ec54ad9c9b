/** YAML parsing that keeps positions, so every problem can be reported as file:line:column. */
import { LineCounter, parseDocument, isCollection, type Document } from 'yaml';
import type { ContentProblem } from './types.js';

export type PathKey = string | number;

export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** Position of the node at `path`, or of its closest ancestor that exists. */
  at(path: readonly PathKey[], message: string): ContentProblem;
  readonly syntaxErrors: readonly ContentProblem[];
}

/** `lineOffset`: lines before this text in its file (front-matter starts after the `---` line). */
export function parseYaml(file: string, text: string, lineOffset = 0): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problem = (offset: number, message: string): ContentProblem => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line + lineOffset, column: pos.col, message };
  };
  const syntaxErrors = doc.errors.map((e) => problem(e.pos[0], e.message.split('\n')[0] ?? e.message));
  let data: unknown;
  if (!syntaxErrors.length) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // yaml refuses alias bombs (billion laughs) and the like: report it, do not crash.
      syntaxErrors.push(problem(0, (error as Error).message));
    }
  }
  return {
    file,
    data,
    syntaxErrors,
    at(path, message) {
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
        if (range) {
          // A missing key is reported at its parent; say which key is missing.
          const where = n < path.length && isCollection(node) ? ` (at ${path.slice(n).join('.')})` : '';
          return problem(range[0], message + where);
        }
      }
      return problem(0, message);
    },
  };
}
