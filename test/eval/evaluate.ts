import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { variableSchema, type WorkflowVariable } from '../../lambdas/domain/workflow/definition';
import {
  extractVariable,
  type Extraction,
  type ExtractOptions,
} from '../../lambdas/domain/workflow/extractors';

/**
 * The extractor eval (issue #14): a labelled corpus of answers as customers text them, each read
 * by `extractVariable` and compared with what the customer meant (a value, or `null`: no answer,
 * it must be refused and asked again).
 */

/** One line of `corpus.jsonl`. `var` names a shared definition in `variables.json`; `variable` inlines one. */
export interface CorpusCase {
  readonly var?: string;
  readonly variable?: WorkflowVariable;
  readonly text: string;
  /** The value the customer meant, as stored (ISO date, 24h time, E.164, option...); null: refused. */
  readonly expect: string | null;
  /** Defaults: `DEFAULT_NOW` and `DEFAULT_TIME_ZONE`. */
  readonly now?: string;
  readonly timeZone?: string;
  readonly defaultCountry?: string;
  /** The language the customer writes in (BCP 47); set from the file name for `corpus.<language>.jsonl`. */
  readonly language?: string;
}

/** Thursday 3 December 2026, noon in New York. */
export const DEFAULT_NOW = '2026-12-03T17:00:00Z';
export const DEFAULT_TIME_ZONE = 'America/New_York';

/**
 * The bars `npm run eval` and `test/eval/eval.test.ts` hold the rules to: `overall` for English
 * (the corpus of issue #14), `byLanguage` for each corpus, `perType` for every type of every
 * language. A language without a bar of its own is held to `perType`.
 */
export const BARS = {
  overall: 0.97,
  perType: 0.9,
  byLanguage: { en: 0.97, es: 0.95, fr: 0.9, pt: 0.9, de: 0.9 } as Readonly<Record<string, number>>,
} as const;

/**
 * A reader: what turns an answer into a value. The rules (`extractVariable`) by default; another
 * reader (the rules with the understanding port behind them) is scored on the same corpus as a
 * column of its own.
 */
export type Extractor = (
  variable: WorkflowVariable,
  text: string,
  now: Date,
  options: ExtractOptions,
) => Extraction;
export type Reader = Extractor;

export interface Failure {
  readonly language: string;
  readonly line: number;
  readonly type: WorkflowVariable['type'];
  readonly variable: string;
  readonly text: string;
  readonly expected: string | null;
  readonly got: string | null;
}

export interface TypeScore {
  readonly type: WorkflowVariable['type'];
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number;
}

export interface LanguageScore {
  readonly language: string;
  readonly size: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly byType: TypeScore[];
}

export interface EvalReport {
  /** Per language, English first. */
  readonly byLanguage: LanguageScore[];
  readonly size: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly byType: TypeScore[];
  readonly failures: Failure[];
  /** Why the report is below the bars; empty when it meets them. */
  readonly belowBars: string[];
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export function loadVariables(path = here('./variables.json')): Record<string, WorkflowVariable> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, variableSchema.parse(value)]));
}

export function loadCorpus(path = here('./corpus.jsonl'), language?: string): CorpusCase[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CorpusCase)
    .map((item) => (language === undefined || item.language !== undefined ? item : { ...item, language }));
}

/** The languages with a corpus: `corpus.jsonl` is English, `corpus.<language>.jsonl` the others. */
export function corpusLanguages(directory = here('./')): string[] {
  const others = readdirSync(directory)
    .map((file) => file.match(/^corpus\.([a-z]{2,3})\.jsonl$/)?.[1])
    .filter((language): language is string => language !== undefined)
    .sort();
  return ['en', ...others];
}

/** Every corpus, each line with its language. */
export function loadCorpora(directory = here('./')): CorpusCase[] {
  return corpusLanguages(directory).flatMap((language) =>
    loadCorpus(`${directory}/${language === 'en' ? 'corpus.jsonl' : `corpus.${language}.jsonl`}`, language),
  );
}

/** Numbers compare by value ("75.50" is 75.5); everything else as stored. */
function same(type: WorkflowVariable['type'], got: string | null, expected: string | null): boolean {
  if (got === null || expected === null) return got === expected;
  return type === 'number' ? Number(got) === Number(expected) : got === expected;
}

function scoreTypes(cases: readonly { type: WorkflowVariable['type']; right: boolean }[]): TypeScore[] {
  const scores = new Map<WorkflowVariable['type'], { total: number; correct: number }>();
  for (const { type, right } of cases) {
    const score = scores.get(type) ?? { total: 0, correct: 0 };
    score.total++;
    if (right) score.correct++;
    scores.set(type, score);
  }
  return [...scores.entries()]
    .map(([type, { total, correct }]) => ({ type, total, correct, accuracy: correct / total }))
    .sort((a, b) => a.type.localeCompare(b.type));
}

export function evaluate(
  corpus: readonly CorpusCase[] = loadCorpus(),
  variables: Readonly<Record<string, WorkflowVariable>> = loadVariables(),
  read: Reader = extractVariable,
): EvalReport {
  const failures: Failure[] = [];
  const lines = new Map<string, number>();
  const results = corpus.map((item, index) => {
    const language = item.language ?? 'en';
    const line = (lines.get(language) ?? 0) + 1;
    lines.set(language, line);
    const variable = item.variable ?? (item.var === undefined ? undefined : variables[item.var]);
    if (!variable) throw new Error(`corpus line ${index + 1}: unknown variable ${item.var ?? '(none)'}`);
    const result = read(variable, item.text, new Date(item.now ?? DEFAULT_NOW), {
      timeZone: item.timeZone ?? DEFAULT_TIME_ZONE,
      defaultCountry: item.defaultCountry,
      ...(item.language === undefined ? {} : { language: item.language }),
    });
    const got = result.found ? result.value : null;
    const right = same(variable.type, got, item.expect);
    if (!right) {
      failures.push({
        language,
        line,
        type: variable.type,
        variable: variable.name,
        text: item.text,
        expected: item.expect,
        got,
      });
    }
    return { language, type: variable.type, right };
  });
  const languages = [...new Set(results.map((result) => result.language))].sort((a, b) =>
    a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b),
  );
  const byLanguage = languages.map((language) => {
    const cases = results.filter((result) => result.language === language);
    const correct = cases.filter((result) => result.right).length;
    return {
      language,
      size: cases.length,
      correct,
      accuracy: correct / cases.length,
      byType: scoreTypes(cases),
    };
  });
  const byType = scoreTypes(results);
  const correct = results.filter((result) => result.right).length;
  const accuracy = corpus.length === 0 ? 0 : correct / corpus.length;
  const belowBars = byLanguage.flatMap((score) => {
    const bar = BARS.byLanguage[score.language] ?? BARS.perType;
    const prefix = languages.length > 1 || score.language !== 'en' ? `${score.language} ` : '';
    return [
      ...(score.accuracy < bar ? [`${prefix}overall ${percent(score.accuracy)} < ${percent(bar)}`] : []),
      ...score.byType
        .filter((type) => type.accuracy < BARS.perType)
        .map((type) => `${prefix}${type.type} ${percent(type.accuracy)} < ${percent(BARS.perType)}`),
    ];
  });
  if (corpus.length === 0) belowBars.push('empty corpus');
  return { byLanguage, size: corpus.length, correct, accuracy, byType, failures, belowBars };
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/**
 * The table `npm run eval` prints: per language, each type and the language overall, one accuracy
 * column per reader (the rules first; `columns` adds others, e.g. the rules with the understanding
 * port behind them, scored on the same corpus).
 */
export function formatReport(
  report: EvalReport,
  columns: readonly { label: string; report: EvalReport }[] = [],
): string {
  const all = [{ label: 'rules', report }, ...columns];
  const accuracyOf = (other: EvalReport, language: string, type?: string): string => {
    const score = other.byLanguage.find((entry) => entry.language === language);
    if (!score) return '-';
    if (type === undefined) return percent(score.accuracy);
    const typed = score.byType.find((entry) => entry.type === type);
    return typed ? percent(typed.accuracy) : '-';
  };
  const rows: string[][] = [['language', 'type', 'cases', ...all.map((column) => column.label), 'bar']];
  for (const score of report.byLanguage) {
    for (const type of score.byType) {
      rows.push([
        score.language,
        type.type,
        String(type.total),
        ...all.map((column) => accuracyOf(column.report, score.language, type.type)),
        percent(BARS.perType),
      ]);
    }
    rows.push([
      score.language,
      'overall',
      String(score.size),
      ...all.map((column) => accuracyOf(column.report, score.language)),
      percent(BARS.byLanguage[score.language] ?? BARS.perType),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [
    `corpus: ${report.size} answers in ${report.byLanguage.length} languages (${report.byLanguage.map((score) => `${score.language} ${score.size}`).join(', ')})`,
    ...rows.map(line),
    `bars (rules): ${report.byLanguage.map((score) => `${score.language} ${percent(BARS.byLanguage[score.language] ?? BARS.perType)}`).join(', ')} overall; ${percent(BARS.perType)} for every type of every language`,
  ].join('\n');
}
