/**
 * Lab: coverage is not test quality. A small shipping-price function (its source is a string in this lab)
 * and a test suite written as data. Line coverage is measured for real by instrumenting the source with
 * counters and running the suite in a node:vm context: 100%. Then mutation testing for real: mutants are
 * generated from the source's tokens (flipped comparisons, shifted boundaries, changed constants, removed
 * statements, && swapped with ||), the suite runs against each in its own vm context with a timeout, and
 * the surviving mutants are shown as diffs. One boundary test kills them; the run is repeated.
 */
import { createContext, Script } from 'node:vm';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const SOURCE = `function shippingCost(order) {
  if (order.items === 0) {
    return 0;
  }
  let cost = 4.99;
  if (order.weightKg > 5) {
    cost += 3;
  }
  if (order.express) {
    cost *= 2;
  }
  if (order.subtotal >= 50 && !order.express) {
    cost = 0;
  }
  if (order.country !== 'FR') {
    cost += 10;
  }
  return Math.round(cost * 100) / 100;
}`;

/** The business rules the function is meant to implement (what the tests check). */
const RULES = [
  'Empty order: free. Base price 4.99.',
  'Over 5 kg: +3. Express: price doubled.',
  'Subtotal of 50 or more, not express: free shipping.',
  'Outside France: +10.',
];

interface Order {
  readonly items: number;
  readonly weightKg: number;
  readonly subtotal: number;
  readonly express: boolean;
  readonly country: string;
}

interface TestCase {
  readonly name: string;
  readonly input: Order;
  readonly expected: number;
}

const base: Order = { items: 2, weightKg: 2, subtotal: 20, express: false, country: 'FR' };

const SUITE: readonly TestCase[] = [
  { name: 'empty order is free', input: { ...base, items: 0 }, expected: 0 },
  { name: 'base price', input: base, expected: 4.99 },
  { name: '5 kg: no surcharge', input: { ...base, weightKg: 5 }, expected: 4.99 },
  { name: '6 kg: surcharge', input: { ...base, weightKg: 6 }, expected: 7.99 },
  { name: 'express doubles', input: { ...base, express: true }, expected: 9.98 },
  { name: 'free over 50', input: { ...base, subtotal: 80 }, expected: 0 },
  { name: 'express never free', input: { ...base, subtotal: 80, express: true }, expected: 9.98 },
  { name: 'abroad +10', input: { ...base, country: 'DE' }, expected: 14.99 },
];

/** The test a mutation run points to: the boundary of the free-shipping rule. */
const BOUNDARY_TEST: TestCase = { name: 'exactly 50 is free', input: { ...base, subtotal: 50 }, expected: 0 };

type Operator = 'negate' | 'boundary' | 'constant' | 'remove' | 'logical';

const OPERATOR_NAMES: Record<Operator, string> = {
  negate: 'flip a comparison (> to <=, === to !==)',
  boundary: 'shift a boundary (> to >=, >= to >)',
  constant: 'change a number (n to n + 1)',
  remove: 'remove a statement',
  logical: 'swap && and ||',
};

interface Mutant {
  readonly id: number;
  readonly operator: Operator;
  /** 1-based line of the change. */
  readonly line: number;
  readonly change: string;
  readonly source: string;
}

interface Token {
  readonly text: string;
  readonly start: number;
}

/** Just enough of a JavaScript tokenizer for this function: strings, numbers, names, operators. */
function tokenize(src: string): Token[] {
  const re = /\s+|'[^']*'|\d+(?:\.\d+)?|[A-Za-z_$][\w$]*|===|!==|>=|<=|&&|\|\||[-+*/]=|\S/g;
  const out: Token[] = [];
  for (let m = re.exec(src); m; m = re.exec(src)) if (!/^\s/.test(m[0])) out.push({ text: m[0], start: m.index });
  return out;
}

const NEGATE: Record<string, string> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>', '===': '!==', '!==': '===' };
const BOUNDARY: Record<string, string> = { '>': '>=', '>=': '>', '<': '<=', '<=': '<' };
const LOGICAL: Record<string, string> = { '&&': '||', '||': '&&' };

const lineOf = (src: string, index: number) => src.slice(0, index).split('\n').length;

/** Every mutant of the source for the five operators, in source order. */
export function generateMutants(src: string): Mutant[] {
  const mutants: Mutant[] = [];
  const add = (operator: Operator, start: number, end: number, replacement: string, change: string) =>
    mutants.push({ id: 0, operator, line: lineOf(src, start), change, source: src.slice(0, start) + replacement + src.slice(end) });
  for (const t of tokenize(src)) {
    const end = t.start + t.text.length;
    if (NEGATE[t.text]) add('negate', t.start, end, NEGATE[t.text]!, `${t.text} → ${NEGATE[t.text]}`);
    if (BOUNDARY[t.text]) add('boundary', t.start, end, BOUNDARY[t.text]!, `${t.text} → ${BOUNDARY[t.text]}`);
    if (LOGICAL[t.text]) add('logical', t.start, end, LOGICAL[t.text]!, `${t.text} → ${LOGICAL[t.text]}`);
    if (/^\d/.test(t.text)) {
      const n = Number(t.text);
      const replaced = String(Math.round((n + 1) * 100) / 100);
      add('constant', t.start, end, replaced, `${t.text} → ${replaced}`);
    }
  }
  // Remove each statement inside a block (not declarations: removing those only makes a ReferenceError).
  const lines = src.split('\n');
  let offset = 0;
  lines.forEach((l, i) => {
    const trimmed = l.trim();
    if (i > 0 && trimmed.endsWith(';') && !trimmed.startsWith('let ')) {
      const start = offset + l.indexOf(trimmed);
      add('remove', start, start + trimmed.length, '', `delete ${trimmed.length > 16 ? `${trimmed.slice(0, 15)}…` : trimmed}`);
    }
    offset += l.length + 1;
  });
  // The same change twice on one line (two 100s): say which occurrence.
  const sorted = mutants.sort((a, b) => a.line - b.line);
  const key = (m: Mutant) => `${m.line}:${m.change}`;
  const total = new Map<string, number>();
  for (const m of sorted) total.set(key(m), (total.get(key(m)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return sorted.map((m, i) => {
    const n = (seen.get(key(m)) ?? 0) + 1;
    seen.set(key(m), n);
    return { ...m, id: i + 1, change: total.get(key(m))! > 1 ? `${m.change} (${n === 1 ? '1st' : n === 2 ? '2nd' : `${n}th`})` : m.change };
  });
}

/** Lines that hold a statement (or an if's condition): what line coverage counts. */
function statementLines(src: string): number[] {
  return src
    .split('\n')
    .map((l, i) => (i > 0 && /^\s*(if\b|let\b|return\b|[A-Za-z_$][\w$.]*\s*[-+*/]?=[^=])/.test(l) ? i + 1 : 0))
    .filter((n) => n > 0);
}

/** The same source with `__cov[line]++;` in front of every statement line. */
function instrument(src: string): string {
  const counted = new Set(statementLines(src));
  return src
    .split('\n')
    .map((l, i) => (counted.has(i + 1) ? l.replace(/^(\s*)/, `$1__cov[${i + 1}]++; `) : l))
    .join('\n');
}

/** Run the suite on the instrumented copy: hits per line, tests passed, and line coverage. */
function measureCoverage(tests: readonly TestCase[]) {
  const lines = SOURCE.split('\n').length;
  const cov = new Array<number>(lines + 1).fill(0);
  const outcomes = runSuite(instrument(SOURCE), tests, cov);
  const counted = statementLines(SOURCE);
  const hit = counted.filter((l) => cov[l]! > 0);
  return { cov, passed: outcomes.filter((o) => o.status === 'pass').length, hit, pct: Math.round((hit.length / counted.length) * 1000) / 10 };
}

type Outcome = { readonly status: 'pass' } | { readonly status: 'fail'; readonly got: string } | { readonly status: 'error'; readonly error: string };

/**
 * A guard, not a measurement: this function has no loop, but a mutant of one can loop forever (i++ → i--),
 * which is why mutation tools time each run out. Generous, so a stall on a loaded machine is not a kill.
 */
const RUN_TIMEOUT_MS = 1000;

/** Load `src` into a fresh vm context and run each test's call there; the comparison happens here. */
function runSuite(src: string, tests: readonly TestCase[], cov?: number[]): Outcome[] {
  const sandbox: Record<string, unknown> = { __cov: cov ?? [], Math };
  const context = createContext(sandbox);
  try {
    new Script(`${src}\nglobalThis.__fn = shippingCost;`).runInContext(context, { timeout: RUN_TIMEOUT_MS });
  } catch (e) {
    return tests.map(() => ({ status: 'error', error: (e as Error).message }));
  }
  return tests.map((t) => {
    sandbox.__input = t.input;
    try {
      const got = new Script('__fn(__input)').runInContext(context, { timeout: RUN_TIMEOUT_MS }) as unknown;
      return got === t.expected ? { status: 'pass' } : { status: 'fail', got: String(got) };
    } catch (e) {
      return { status: 'error', error: (e as Error).message };
    }
  });
}

interface MutantResult {
  readonly id: number;
  readonly operator: Operator;
  readonly line: number;
  readonly change: string;
  readonly killedBy: string | null;
  readonly failingTests: number;
}

function mutationRun(ctx: LabContext, mutants: readonly Mutant[], tests: readonly TestCase[]): MutantResult[] {
  return mutants.map((m) => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const outcomes = runSuite(m.source, tests);
    const first = outcomes.findIndex((o) => o.status !== 'pass');
    return {
      id: m.id,
      operator: m.operator,
      line: m.line,
      change: m.change,
      killedBy: first < 0 ? null : tests[first]!.name,
      failingTests: outcomes.filter((o) => o.status !== 'pass').length,
    };
  });
}

/** A unified-style diff of one changed line. */
function diff(original: string, mutant: Mutant): string {
  const before = original.split('\n');
  const after = mutant.source.split('\n');
  const i = mutant.line - 1;
  const ctxLine = before[i - 1] ?? '';
  const lines = [`@@ line ${mutant.line} @@  ${mutant.operator}: ${mutant.change}`, `  ${ctxLine}`, `- ${before[i]}`];
  // A removed statement leaves an empty line: show it as removed only.
  if (after[i]!.trim() !== '') lines.push(`+ ${after[i]}`);
  lines.push(`  ${before[i + 1] ?? ''}`);
  return lines.join('\n');
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  out.say(
    'A shipping-price function and its test suite, both defined in this lab. The function is kept as source text so it can be instrumented and mutated; every run below executes that text in a node:vm context.',
  );
  out.heading('1. The function and its suite');
  out.code(SOURCE);
  out.say(`The rules: ${RULES.join(' ')}`);
  out.table([['test', 'input (changed from base)', 'expected'], ...SUITE.map((t) => [t.name, describeInput(t.input), t.expected])]);
  out.say(`base = ${JSON.stringify(base)}`);

  // ---------------------------------------------------------------- coverage
  out.heading('2. Line coverage, measured');
  const counted = statementLines(SOURCE);
  const { cov, passed, hit, pct: coveragePct } = measureCoverage(SUITE);
  out.say('Each statement line got a counter (`__cov[n]++;` in front of it); the suite ran on the instrumented copy. Hits per line:');
  out.code(
    SOURCE.split('\n')
      .map((l, i) => `${String(i + 1).padStart(2)} ${counted.includes(i + 1) ? String(cov[i + 1] ?? 0).padStart(3) : '   '}  ${l}`)
      .join('\n'),
  );
  out.figure('tests passing', `${passed} of ${SUITE.length}`);
  out.figure('line coverage', `${coveragePct}%`, `${hit.length} of ${counted.length} statement lines executed`);
  out.step(
    `${coveragePct}% line coverage, ${passed}/${SUITE.length} green`,
    coveragePct === 100
      ? 'Every line ran at least once. Coverage says which code the tests executed; it says nothing about whether they would notice if that code were wrong.'
      : 'Some lines never ran: those are certainly untested.',
    { coveragePct, linesHit: hit.length, lines: counted.length, passed },
  );

  // ---------------------------------------------------------------- mutation testing
  out.heading('3. Mutation testing');
  const mutants = generateMutants(SOURCE);
  const byOperator = new Map<Operator, number>();
  for (const m of mutants) byOperator.set(m.operator, (byOperator.get(m.operator) ?? 0) + 1);
  out.say(
    `${mutants.length} mutants generated from the source's tokens. Each is a copy of the function with one small change; the suite runs against each. A mutant is killed when at least one test fails (or it throws, or times out); it survives when every test still passes.`,
  );
  out.table([['operator', 'mutants'], ...[...byOperator].map(([op, n]) => [OPERATOR_NAMES[op], n])]);
  let predicted: number | undefined;
  const choices = ['all of them: every line is covered', 'most (70% or more), but some survive', 'fewer than 70% of them'];
  if (ctx.prompts) predicted = await ctx.prompts.predictChoice(`the suite has ${coveragePct}% line coverage. How many of the ${mutants.length} mutants will it kill?`, choices);

  const t0 = performance.now();
  const first = mutationRun(ctx, mutants, SUITE);
  const ms = performance.now() - t0;
  const killed = first.filter((r) => r.killedBy !== null);
  const survivors = first.filter((r) => r.killedBy === null);
  const score = Math.round((killed.length / first.length) * 1000) / 10;
  out.table([
    ['#', 'line', 'operator', 'change', 'killed by'],
    ...first.map((r) => [r.id, r.line, r.operator, r.change, r.killedBy ?? 'SURVIVED']),
  ]);
  out.figure('mutants killed', `${killed.length} of ${first.length}`, `mutation score ${score}%`);
  out.figure('time', `${ms.toFixed(0)} ms`, `${first.length} suite runs of ${SUITE.length} tests`);
  const observed = survivors.length === 0 ? 0 : killed.length / first.length >= 0.7 ? 1 : 2;
  if (predicted !== undefined) {
    out.say(
      predicted === observed
        ? `You predicted "${choices[predicted]}": right, ${survivors.length} survived.`
        : `You predicted "${choices[predicted]}"; it killed ${killed.length} and ${survivors.length} survived.`,
    );
  }
  if (survivors.length) {
    out.say('The survivors, as diffs against the original:');
    out.code(survivors.map((s) => diff(SOURCE, mutants.find((m) => m.id === s.id)!)).join('\n\n'));
  }
  const survivorLines = [...new Set(survivors.map((s) => s.line))];
  const sourceLines = SOURCE.split('\n');
  const subtotals = [...new Set(SUITE.map((t) => t.input.subtotal))].sort((a, b) => a - b);
  // Said only when the survivors really sit on the free-shipping condition (line 12 today).
  const onThreshold = survivors.length > 0 && survivorLines.every((l) => sourceLines[l - 1]!.includes('order.subtotal >= 50'));
  out.step(
    `${survivors.length} mutant${survivors.length === 1 ? '' : 's'} survived a suite with ${coveragePct}% line coverage`,
    survivors.length
      ? `${survivorLines.length === 1 ? 'Line' : 'Lines'} ${survivorLines.join(', ')} ran ${survivorLines.map((l) => cov[l]).join(', ')} times during the suite, yet every test passes with the original and with each survivor.${
          onThreshold ? ` The subtotals tested are ${subtotals.join(' and ')}: on both sides of the threshold of 50, never on it.` : ''
        } The program changed and no test noticed: a missing test, found mechanically.`
      : 'Every mutant made at least one test fail: the suite pins down this function’s behaviour at each place a mutant changed it.',
    { mutants: first.length, killed: killed.length, survived: survivors.length, score, survivorIds: survivors.map((s) => s.id) },
  );

  // ---------------------------------------------------------------- the missing test
  out.heading('4. Add the missing test, run again');
  out.code(`{ name: '${BOUNDARY_TEST.name}',\n  input: { ...base, subtotal: ${BOUNDARY_TEST.input.subtotal} }, expected: ${BOUNDARY_TEST.expected} }`);
  const suite2 = [...SUITE, BOUNDARY_TEST];
  const originalPasses = runSuite(SOURCE, [BOUNDARY_TEST])[0]!.status === 'pass';
  const second = mutationRun(ctx, mutants, suite2);
  const coverage2 = measureCoverage(suite2).pct;
  const killed2 = second.filter((r) => r.killedBy !== null);
  const survivors2 = second.filter((r) => r.killedBy === null);
  const score2 = Math.round((killed2.length / second.length) * 1000) / 10;
  const newlyKilled = survivors.map((s) => ({ id: s.id, by: second.find((r) => r.id === s.id)!.killedBy }));
  const nowKilled = newlyKilled.filter((n) => n.by !== null);
  out.table([
    ['suite', 'tests', 'line coverage', 'killed', 'survived', 'score'],
    ['before', SUITE.length, `${coveragePct}%`, killed.length, survivors.length, `${score}%`],
    ['+ boundary test', suite2.length, `${coverage2}%`, killed2.length, survivors2.length, `${score2}%`],
  ]);
  out.bars(
    [
      { label: 'score before', value: score },
      { label: 'score after', value: score2 },
    ],
    '%',
  );
  out.step(
    `The original passes the new test (${originalPasses ? 'yes' : 'no'}); ${nowKilled.length} of ${survivors.length} survivors now killed`,
    `Line coverage: ${coveragePct}% before, ${coverage2}% after; the mutation score went from ${score}% to ${score2}%.${
      nowKilled.length
        ? ` One test at subtotal = ${BOUNDARY_TEST.input.subtotal} told the original apart from ${nowKilled.map((n) => `“${first.find((r) => r.id === n.id)!.change}”`).join(' and ')}.`
        : ''
    }`,
    { originalPasses, newlyKilled: newlyKilled.map((n) => ({ ...n })), score2, survived2: survivors2.length },
  );

  out.takeaways([
    'Line coverage measures what ran, not what was checked: 100% coverage can sit on tests that miss real bugs.',
    'Mutation testing changes the code in small ways (operators, boundaries, constants, statements) and asks whether a test fails.',
    'Surviving mutants point at missing tests, often boundaries; some are equivalent (no test can kill them) and need judgment.',
    `Tools such as Stryker (JS/TS) or PIT (Java) automate this; it costs one run of the suite per mutant (${ms.toFixed(0)} ms for ${first.length} here, hours on a large codebase), so run it on changed code or nightly.`,
  ]);

  return {
    tests: SUITE.length,
    passed,
    coveragePct,
    linesHit: hit.length,
    statementLines: counted.length,
    mutants: first.length,
    byOperator: Object.fromEntries(byOperator),
    killed: killed.length,
    survived: survivors.map((s) => ({ id: s.id, line: s.line, operator: s.operator, change: s.change })),
    score,
    after: { tests: suite2.length, coveragePct: coverage2, killed: killed2.length, survived: survivors2.length, score: score2, originalPasses },
  };
}

function describeInput(o: Order): string {
  const changed = (Object.keys(o) as (keyof Order)[]).filter((k) => o[k] !== base[k]);
  return changed.map((k) => `${k}: ${JSON.stringify(o[k])}`).join(', ') || '(base)';
}
