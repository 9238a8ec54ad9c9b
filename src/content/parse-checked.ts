/** Parse a YAML source and check it against a schema, with every problem at its file and line. */
import * as v from 'valibot';
import type { ContentProblem } from './types.js';
import { parseYaml, type PathKey, type YamlSource } from './yaml-source.js';

function issuePath(issue: v.BaseIssue<unknown>): PathKey[] {
  return (issue.path ?? []).map((p) => p.key as PathKey);
}

/** Valibot's messages, said the way an author thinks of them. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.expected === 'never') return 'unknown field (misspelt, or not used by this kind of question)';
  if (issue.kind === 'schema' && issue.received === 'undefined') return 'missing required field';
  return issue.message;
}

export function schemaProblems(src: YamlSource, prefix: PathKey[], issues: readonly v.BaseIssue<unknown>[]): ContentProblem[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issuePath(issue)];
    const field = path.length > prefix.length ? `${path.slice(prefix.length).join('.')}: ` : '';
    return src.at(path, `${field}${describeIssue(issue)}`);
  });
}

/** Parse YAML and check it against a schema; problems are collected, the value returned only if both pass. */
export function parseChecked<S extends v.GenericSchema>(schema: S, path: string, text: string, lineOffset: number, problems: ContentProblem[]): { src: YamlSource; value: v.InferOutput<S> } | undefined {
  const src = parseYaml(path, text, lineOffset);
  if (src.syntaxErrors.length) {
    problems.push(...src.syntaxErrors);
    return undefined;
  }
  const parsed = v.safeParse(schema, src.data);
  if (!parsed.success) {
    problems.push(...schemaProblems(src, [], parsed.issues));
    return undefined;
  }
  return { src, value: parsed.output };
}
