/** The mock interview in a terminal: the quiz's question screens with a ticking clock and Tab to skip, terse verdicts. */
import type { InterviewUI } from '../quiz/interview.js';
import { createQuizView, type QuizViewOptions } from './quiz-view.js';
import { truncate } from './text.js';

/** "12:05 left", or a nudge once time is up (the question in progress may still be answered). */
export function clockText(msLeft: number): string {
  if (msLeft <= 0) return "⏱ time's up: finish this answer";
  const s = Math.ceil(msLeft / 1000);
  return `⏱ ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
}

export function createInterviewView(o: QuizViewOptions & { readonly now: () => Date }): InterviewUI {
  const view = createQuizView(o);
  const { theme: t } = o;
  return {
    ask(item) {
      const clock = () => clockText(item.deadline.getTime() - o.now().getTime());
      return view.ask({ question: item.question, presented: item.presented, number: item.number, remaining: 0, again: false }, { clock });
    },
    verdict(item, graded) {
      const p = item.presented;
      let line: string;
      if (graded.covered) line = t.accent(`Covered ${graded.covered.hit} of ${graded.covered.of} key points.`);
      else if (graded.correct) line = t.ok(`${t.symbols.ok} Right`);
      else {
        const key = p.kind === 'choice' ? p.options.filter((x) => x.correct).map((x) => x.text.split('\n').join(' ⏎ ')).join(' + ') : p.kind === 'typed' ? p.answer.join(' ⏎ ') : p.kind === 'order' ? p.answer.join(' → ') : '';
        line = `${t.bad(`${t.symbols.bad} Not quite.`)} ${t.dim(truncate(`Answer: ${key}`, Math.max(20, o.width() - 14)))}`;
      }
      o.write(`${line}\n`);
    },
  };
}
