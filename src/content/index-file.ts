/**
 * The compiled content, as the running CLI reads it: a small index every command can afford, and one
 * file per topic loaded only when that topic is studied. No YAML or front-matter parsing at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileError } from '../errors.js';
import type { CompileResult } from './compile.js';
import type { MarkdownTokens } from './markdown-tokens.js';
import { lexiconOf, type Lexicon } from './lexicon.js';
import type { CompiledDrill, ContentIndex, TopicContent } from './types.js';

export const INDEX_FILE = 'index.json';
export const DRILLS_FILE = 'drills.json';
export const topicFile = (id: string): string => join('topics', `${id}.json`);
export const lessonFile = (id: string): string => join('lessons', `${id}.json`);
export const CARDS_FILE = 'cards.json';

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing: run `npm run build` (npm install does it)' : `cannot be read: ${(error as Error).message}`;
    throw new FileError(file, `The compiled content ${file} ${why}.`);
  }
}

export class ContentStore {
  private readonly cache = new Map<string, TopicContent>();
  private indexCache: ContentIndex | undefined;
  /** Card ids per topic (cards.json): all that progress needs to know of a topic's questions. */
  private cardsCache: Readonly<Record<string, readonly string[]>> | undefined;
  private custom: Pick<CompileResult, 'index' | 'topics' | 'lessonTokens'> | undefined;

  constructor(readonly dir: string) {}

  /** Add a custom deck's topics after the built-in ones. */
  addCustom(deck: Pick<CompileResult, 'index' | 'topics' | 'lessonTokens'>): void {
    this.custom = deck;
    this.indexCache = undefined;
  }

  index(): ContentIndex {
    if (!this.indexCache) {
      const builtin = readJson<ContentIndex>(join(this.dir, INDEX_FILE));
      this.indexCache = this.custom ? { topics: [...builtin.topics, ...this.custom.index.topics] } : builtin;
    }
    return this.indexCache;
  }

  /** The system-design drills: loaded only by the commands that run one. */
  drills(): readonly CompiledDrill[] {
    return readJson<CompiledDrill[]>(join(this.dir, DRILLS_FILE));
  }

  /** The card ids of a topic's questions, without loading the topic. */
  cardIds(id: string): readonly string[] {
    const custom = this.custom?.topics[id];
    if (custom) return custom.questions.map((q) => q.cardId);
    this.cardsCache ??= readJson<Readonly<Record<string, readonly string[]>>>(join(this.dir, CARDS_FILE));
    return this.cardsCache[id] ?? [];
  }

  /** A written lesson's body, lexed at build time. */
  lessonTokens(id: string): MarkdownTokens {
    return this.custom?.lessonTokens[id] ?? readJson<MarkdownTokens>(join(this.dir, lessonFile(id)));
  }

  /** The lexed Markdown of every topic loaded so far (the quiz loads its topics before it asks). */
  lexicon(): Lexicon {
    return lexiconOf(() => [...this.cache.values(), ...Object.values(this.custom?.topics ?? {})].map((t) => t.markdown));
  }

  topic(id: string): TopicContent {
    const custom = this.custom?.topics[id];
    if (custom) return custom;
    let t = this.cache.get(id);
    if (!t) {
      t = readJson<TopicContent>(join(this.dir, topicFile(id)));
      this.cache.set(id, t);
    }
    return t;
  }
}
