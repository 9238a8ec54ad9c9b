/** Read lesson and question-bank sources from a content root (the package, or later a custom deck). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceFile } from './compile.js';

function readDir(root: string, dir: string, ext: string): SourceFile[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((n) => n.endsWith(ext))
    .sort()
    .map((n) => ({ path: `${dir}/${n}`, text: readFileSync(join(root, dir, n), 'utf8') }));
}

export function readSources(root: string): { lessons: SourceFile[]; banks: SourceFile[]; drills: SourceFile[] } {
  return { lessons: readDir(root, 'content', '.md'), banks: readDir(root, 'questions', '.yaml'), drills: readDir(root, 'drills', '.yaml') };
}
