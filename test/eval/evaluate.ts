import { readFileSync } from 'node:fs';
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
}

/** Thursday 3 December 2026, noon in New York. */
export const DEFAULT_NOW = '2026-12-03T17:00:00Z';
export const DEFAULT_TIME_ZONE = 'America/New_York';

/** The bars `npm run eval` and `test/eval/eval.test.ts` hold the extractors to. */
export const BARS = { overall: 0.97, perType: 0.9 } as const;

export type Extractor = (
  variable: WorkflowVariable,
  text: string,
  now: Date,
  options: ExtractOptions,
) => Extraction;

export interface Failure {
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

export interface EvalReport {
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

export function loadCorpus(path = here('./corpus.jsonl')): CorpusCase[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CorpusCase);
}

/** Numbers compare by value ("75.50" is 75.5); everything else as stored. */
function same(type: WorkflowVariable['type'], got: string | null, expected: string | null): boolean {
  if (got === null || expected === null) return got === expected;
  return type === 'number' ? Number(got) === Number(expected) : got === expected;
}

export function evaluate(
  corpus: readonly CorpusCase[] = loadCorpus(),
  variables: Readonly<Record<string, WorkflowVariable>> = loadVariables(),
  extract: Extractor = extractVariable,
): EvalReport {
  const scores = new Map<WorkflowVariable['type'], { total: number; correct: number }>();
  const failures: Failure[] = [];
  corpus.forEach((item, index) => {
    const variable = item.variable ?? (item.var === undefined ? undefined : variables[item.var]);
    if (!variable) throw new Error(`corpus line ${index + 1}: unknown variable ${item.var ?? '(none)'}`);
    const result = extract(variable, item.text, new Date(item.now ?? DEFAULT_NOW), {
      timeZone: item.timeZone ?? DEFAULT_TIME_ZONE,
      defaultCountry: item.defaultCountry,
    });
    const got = result.found ? result.value : null;
    const score = scores.get(variable.type) ?? { total: 0, correct: 0 };
    score.total++;
    if (same(variable.type, got, item.expect)) score.correct++;
    else {
      failures.push({
        line: index + 1,
        type: variable.type,
        variable: variable.name,
        text: item.text,
        expected: item.expect,
        got,
      });
    }
    scores.set(variable.type, score);
  });
  const byType = [...scores.entries()]
    .map(([type, { total, correct }]) => ({ type, total, correct, accuracy: correct / total }))
    .sort((a, b) => a.type.localeCompare(b.type));
  const correct = byType.reduce((sum, score) => sum + score.correct, 0);
  const accuracy = corpus.length === 0 ? 0 : correct / corpus.length;
  const belowBars = [
    ...(accuracy < BARS.overall ? [`overall ${percent(accuracy)} < ${percent(BARS.overall)}`] : []),
    ...byType
      .filter((score) => score.accuracy < BARS.perType)
      .map((score) => `${score.type} ${percent(score.accuracy)} < ${percent(BARS.perType)}`),
  ];
  return { size: corpus.length, correct, accuracy, byType, failures, belowBars };
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** The table `npm run eval` prints. */
export function formatReport(report: EvalReport): string {
  const rows = [
    ['type', 'cases', 'correct', 'accuracy'],
    ...report.byType.map((score) => [
      score.type,
      String(score.total),
      String(score.correct),
      percent(score.accuracy),
    ]),
    ['overall', String(report.size), String(report.correct), percent(report.accuracy)],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [
    `corpus: ${report.size} answers`,
    line(rows[0]!),
    ...rows.slice(1, -1).map(line),
    line(rows[rows.length - 1]!),
    `bars: ${percent(BARS.overall)} overall, ${percent(BARS.perType)} per type`,
  ].join('\n');
}
