/** Build step: compile the sources under `root` and write the index the CLI reads. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAB_IDS } from '../labs/registry.js';
import { compileContent, type CompileResult } from './compile.js';
import { CARDS_FILE, DRILLS_FILE, INDEX_FILE, lessonFile, topicFile } from './index-file.js';
import { readSources } from './sources.js';

/** Compile the lessons and banks under `root` (content/ and questions/): the built-in course, or a custom deck. */
export function compileSources(root: string, custom = false): CompileResult {
  const sources = readSources(root);
  // Drills link to the roadmap's lessons: a custom deck has none of its own.
  return compileContent({ ...sources, drills: custom ? [] : sources.drills, labIds: LAB_IDS, custom });
}

export function writeIndex(result: CompileResult, outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  const write = (file: string, data: unknown) => {
    const path = join(outDir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(data));
  };
  write(INDEX_FILE, result.index);
  for (const [id, content] of Object.entries(result.topics)) write(topicFile(id), content);
  for (const [id, tokens] of Object.entries(result.lessonTokens)) write(lessonFile(id), tokens);
  write(CARDS_FILE, Object.fromEntries(Object.entries(result.topics).map(([id, t]) => [id, t.questions.map((q) => q.cardId)])));
  write(DRILLS_FILE, result.drills);
}
