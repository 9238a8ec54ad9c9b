/** Check system-design drills: the schema, unique ids, and that every rubric point names a lesson section that exists. */
import { DrillSchema } from './schema.js';
import { parseChecked } from './parse-checked.js';
import { sections } from './sections.js';
import { TOPICS } from './topics.js';
import type { SourceFile } from './compile.js';
import type { CompiledDrill, CompiledLesson, ContentProblem } from './types.js';

export function compileDrills(files: readonly SourceFile[], lessons: ReadonlyMap<string, CompiledLesson>, problems: ContentProblem[]): CompiledDrill[] {
  const out: CompiledDrill[] = [];
  for (const file of files) {
    const checked = parseChecked(DrillSchema, file.path, file.text, 0, problems);
    if (!checked) continue;
    const { src, value: drill } = checked;
    const stem = file.path.split('/').pop()!.replace(/\.yaml$/, '');
    if (drill.id !== stem) problems.push(src.at(['id'], `id is "${drill.id}" but the file is ${stem}.yaml`));
    drill.rubric.forEach((r, i) => {
      const lesson = lessons.get(r.topic);
      if (!TOPICS.some((t) => t.id === r.topic)) problems.push(src.at(['rubric', i, 'topic'], `unknown topic "${r.topic}"`));
      else if (!lesson) problems.push(src.at(['rubric', i, 'topic'], `topic "${r.topic}" has no lesson to link to`));
      else if (!sections(lesson.body).some((s) => s.title === r.section)) {
        problems.push(src.at(['rubric', i, 'section'], `the ${r.topic} lesson has no "## ${r.section}" section`));
      }
    });
    const order = (id: string) => TOPICS.findIndex((t) => t.id === id);
    const topics = [...new Set(drill.rubric.map((r) => r.topic))].sort((a, b) => order(a) - order(b));
    out.push({ ...drill, topics });
  }
  return out.sort((a, b) => a.difficulty - b.difficulty || a.id.localeCompare(b.id));
}
