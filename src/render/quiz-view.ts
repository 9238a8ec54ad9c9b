/** The quiz in a terminal: question, prompt for the answer, then feedback with the explanation and interval. */
import type { CompiledQuestion } from '../content/types.js';
import type { MarkdownTokens } from '../content/markdown-tokens.js';
import type { AskItem, FeedbackChoice, FeedbackItem, QuizUI } from '../quiz/drive.js';
import type { Response } from '../quiz/grade.js';
import { GRADE_NAMES, type Grade } from '../srs/types.js';
import { QUIT, SKIP, type Quit, type Skip } from '../util/quit.js';
import type { Timed } from './prompts/timed.js';
import { formatInterval, shortInterval, thousands } from './format.js';
import { codeBlockTokens, type Lexicon } from '../content/lexicon.js';
import { renderInlineTokens, renderTokens, withLead } from './markdown-blocks.js';
import { choicePrompt } from './prompts/choice.js';
import { guarded } from './prompts/guard.js';
import { keyPrompt, type KeyChoice } from './prompts/keypress.js';
import { orderPrompt } from './prompts/order.js';
import { askText } from './prompts/text.js';
import type { Theme } from './theme.js';
import { truncate, visibleWidth, wrap } from './text.js';

export interface QuizViewOptions {
  readonly theme: Theme;
  readonly width: () => number;
  readonly write: (text: string) => void;
  readonly topicTitle: (id: string) => string;
  /** The questions' Markdown, lexed when the content was compiled. */
  readonly lexicon: Lexicon;
}

const KIND_LABEL: Record<CompiledQuestion['kind'], string> = {
  single: 'choose one',
  multi: 'select all that apply',
  boolean: 'true or false',
  order: 'put in order',
  output: 'what does it print?',
  recall: 'explain',
};

const indent = (text: string, pad: string) =>
  text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');

export interface QuizView extends QuizUI {
  ask(item: AskItem, timed?: Timed): Promise<Response | Quit | Skip>;
  showAnswerDetail(item: Pick<FeedbackItem, 'presented' | 'response' | 'graded' | 'question'>): void;
}

export function createQuizView(o: QuizViewOptions): QuizView {
  const { theme: t } = o;
  const width = () => Math.min(100, Math.max(30, o.width()));
  const render = (tokens: MarkdownTokens, w = width()) => renderTokens(tokens, { width: w, theme: t }).join('\n');
  const md = (text: string, w = width()) => render(o.lexicon.block(text), w);
  const mdLine = (text: string) => renderInlineTokens(o.lexicon.inline(text), t);
  const out = (text = '') => o.write(`${text}\n`);

  const header = (item: AskItem) => {
    const q = item.question;
    const dots = '●'.repeat(q.difficulty) + '○'.repeat(3 - q.difficulty);
    const tags = [`${item.number}`, o.topicTitle(q.topic), KIND_LABEL[q.kind], dots, ...(item.again ? ['again'] : [])].join(' · ');
    out();
    out(t.dim(truncate(`── ${tags} ${'─'.repeat(Math.max(0, width() - tags.length - 4))}`, width())));
  };

  const showQuestion = (item: AskItem) => {
    header(item);
    const q = item.question;
    out(md(q.prompt));
    if (q.kind === 'output') {
      out(render(codeBlockTokens(q.module === 'esm' ? 'js (ES module)' : 'js (CommonJS)', q.code)));
    }
    out();
  };

  /** A typed line; an over-long paste is cut, and the learner is told. */
  async function typed(config: Parameters<typeof askText>[0]): Promise<string | Quit | Skip> {
    const answer = await askText(config);
    if (answer.dropped) out(t.warn(`(That was ${thousands(answer.dropped)} characters too long; only the first ${thousands(config.maxLength ?? 2000)} were kept.)`));
    return answer.value;
  }

  /** `timed`: the interview's clock; Tab skips in every session (the card stays as it was). */
  async function ask(item: AskItem, timed: Timed = {}): Promise<Response | Quit | Skip> {
    showQuestion(item);
    const extra = { ...timed, skip: true } as const;
    const p = item.presented;
    const q = item.question;
    switch (p.kind) {
      case 'choice': {
        const picked = await guarded(choicePrompt({ options: p.options.map((x) => (q.kind === 'output' ? x.text : mdLine(x.text))), multi: p.multi, width: width(), theme: t, ...extra }));
        return picked === QUIT || picked === SKIP ? picked : { kind: 'choice', picked };
      }
      case 'order': {
        const order = await guarded(orderPrompt({ items: p.items, labels: p.items.map(mdLine), width: width(), theme: t, ...extra }));
        return order === QUIT || order === SKIP ? order : { kind: 'order', order };
      }
      case 'typed': {
        const text = await typed({ message: t.bold('Output:'), theme: t, hint: 'Type the printed lines separated by spaces or commas · Enter answer · Esc quit', ...extra });
        return text === QUIT || text === SKIP ? text : { kind: 'typed', text };
      }
      case 'recall': {
        const mine = await typed({ message: t.bold('Your answer:'), theme: t, hint: 'Answer in your head or type it · Enter reveals the model answer · Esc quit', ...extra });
        if (mine === QUIT || mine === SKIP) return mine;
        out();
        out(t.bold('Model answer'));
        out(md(p.answer));
        out();
        out(t.bold('Which key points did your answer cover?'));
        const covered = await guarded(
          choicePrompt({ options: p.points.map(mdLine), multi: true, width: width(), theme: t, doneLabel: 'Points covered', hint: 'space/digit tick · Enter done (none ticked is fine) · q quit', ...(timed.clock ? { clock: timed.clock } : {}) }),
        );
        return covered === QUIT ? QUIT : { kind: 'recall', covered };
      }
    }
  }

  const showAnswerDetail = (item: Pick<FeedbackItem, 'presented' | 'response' | 'graded' | 'question'>) => {
    const p = item.presented;
    const r = item.response;
    const w = width();
    if (p.kind === 'choice' && r.kind === 'choice') {
      const output = item.question.kind === 'output';
      if (p.multi) out(t.dim('  ✔/✘: your tick was right/wrong · ◉ ticked · green: the options that apply'));
      p.options.forEach((opt, i) => {
        const picked = r.picked.includes(i);
        // Multi: judge every tick and every omission. Single: mark the right option and a wrong pick.
        const mark = p.multi ? (picked === opt.correct ? t.ok(t.symbols.ok) : t.bad(t.symbols.bad)) : opt.correct ? t.ok(t.symbols.ok) : picked ? t.bad(t.symbols.bad) : ' ';
        const box = p.multi ? `${picked ? '◉' : '◯'} ` : '';
        const paint = opt.correct ? t.ok : picked ? t.bad : t.dim;
        const text = output ? opt.text.split('\n').join(' ⏎ ') : mdLine(opt.text);
        const head = `${mark} ${box}${i + 1}. `;
        const pad = visibleWidth(head);
        wrap(text, w - 2 - pad, '').forEach((l, j) => out(`  ${j === 0 ? head : ' '.repeat(pad)}${paint(l)}`));
        if (picked && !opt.correct && opt.why) out(indent(render(withLead('Why not:', o.lexicon.block(opt.why)), w - 7), '       '));
      });
    } else if (p.kind === 'order' && r.kind === 'order') {
      out(t.bold('  Correct order:'));
      p.answer.forEach((item, i) => {
        const same = r.order[i] === item;
        const mark = same ? t.ok(t.symbols.ok) : t.bad(t.symbols.bad);
        out(wrap(`${mark} ${i + 1}. ${mdLine(item)}`, w - 4, '       ').map((l) => `  ${l}`).join('\n'));
      });
    } else if (p.kind === 'typed' && r.kind === 'typed') {
      out(`  ${t.bold('Printed:')} ${p.answer.map((l) => t.ok(l)).join(t.dim(' ⏎ '))}`);
      if (!item.graded.correct) out(`  ${t.bold('You wrote:')} ${t.bad(r.text || '(nothing)')}`);
    } else if (p.kind === 'recall' && r.kind === 'recall') {
      const missed = p.points.filter((_, i) => !r.covered.includes(i));
      out(`  Covered ${item.graded.covered?.hit ?? 0} of ${p.points.length} key points.`);
      for (const m of missed) out(wrap(`${t.warn('missed:')} ${mdLine(m)}`, w - 4, '        ').map((l) => `  ${l}`).join('\n'));
    }
  };

  async function feedback(item: FeedbackItem): Promise<FeedbackChoice> {
    const { graded, question: q } = item;
    out();
    if (q.kind === 'recall') out(t.bold(`Self-graded: ${GRADE_NAMES[graded.rating]}`));
    else out(graded.correct ? t.ok(t.bold(`${t.symbols.ok} Right`)) : t.bad(t.bold(`${t.symbols.bad} Not quite`)));
    showAnswerDetail(item);
    out();
    out(md(q.explanation));
    out();
    const due = (g: Grade) => Date.parse(item.preview[g].due) - item.now.getTime();
    const when = formatInterval(Date.parse(item.card.due) - item.now.getTime());
    out(wrap(t.accent(item.comesBack ? `Comes back in ${when}, later in this session.` : `Next review in ${when}.`), width()).join('\n'));
    const choices: KeyChoice<Grade | 'undo' | undefined>[] = [{ key: 'enter', label: 'next', value: undefined }];
    if (q.kind === 'recall') {
      for (const g of [1, 2, 3, 4] as const) {
        if (g !== graded.rating) choices.push({ key: String(g), label: `${GRADE_NAMES[g].toLowerCase()} (${shortInterval(due(g))})`, value: g });
      }
    } else if (graded.correct) {
      choices.push({ key: 'h', label: `was hard (${shortInterval(due(2))})`, value: 2 }, { key: 'e', label: `easy (${shortInterval(due(4))})`, value: 4 });
    }
    choices.push({ key: 'u', label: 'undo', value: 'undo' });
    const picked = await guarded(keyPrompt({ message: '', choices, theme: t, quit: true }));
    if (picked === QUIT) return { quit: true };
    if (picked === 'undo') return { undo: true, quit: false };
    return picked === undefined ? { quit: false } : { override: picked, quit: false };
  }

  return { ask, feedback, showAnswerDetail };
}
