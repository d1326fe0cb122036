import type { RecipientProblem, RecipientRow } from './recipients';

/**
 * What reading a recipients file found, for the operator (`smsctl campaign create` prints it, the
 * API returns it) and for `--strict`. Bounded: the counts are exact, the problems listed are the
 * first MAX_LISTED_PROBLEMS (a 100,000-row file of bad numbers must not make a 100,000-line answer).
 */
export const MAX_LISTED_PROBLEMS = 100;

export interface RecipientFileSummary {
  /** Data rows read (blank rows aside). */
  readonly rows: number;
  readonly recipients: number;
  /** Rows skipped as invalid: every problem but `duplicate`. */
  readonly invalid: number;
  /** Rows skipped as a number already listed (the reader's window; the store counts the rest). */
  readonly duplicates: number;
  /** The first problems in file order. */
  readonly problems: readonly RecipientProblem[];
  /** Problems counted but not listed. */
  readonly unlistedProblems: number;
}

/** Skip reasons as campaign counters name them (campaign.ts). */
export function skipReasonOf(problem: RecipientProblem): 'invalid' | 'duplicate' {
  return problem.problem === 'duplicate' ? 'duplicate' : 'invalid';
}

export class RecipientFileTally {
  private rows = 0;
  private recipients = 0;
  private invalid = 0;
  private duplicates = 0;
  private readonly problems: RecipientProblem[] = [];
  private unlisted = 0;

  add(row: RecipientRow): void {
    this.rows += 1;
    if (row.kind === 'recipient') {
      this.recipients += 1;
      return;
    }
    if (skipReasonOf(row) === 'duplicate') this.duplicates += 1;
    else this.invalid += 1;
    if (this.problems.length < MAX_LISTED_PROBLEMS) this.problems.push(row);
    else this.unlisted += 1;
  }

  summary(): RecipientFileSummary {
    return {
      rows: this.rows,
      recipients: this.recipients,
      invalid: this.invalid,
      duplicates: this.duplicates,
      problems: [...this.problems],
      unlistedProblems: this.unlisted,
    };
  }
}

/**
 * `--strict`: the reason to refuse the whole file, or undefined to go on. Invalid rows refuse it;
 * duplicates do not (a number listed twice is sent once, which is what the sender meant). Decide
 * only once the file was read to the end.
 */
export function strictRefusal(summary: RecipientFileSummary): string | undefined {
  if (summary.invalid === 0) return undefined;
  const first = summary.problems.find((listed) => skipReasonOf(listed) === 'invalid');
  const example = first ? ` (line ${first.line}: ${first.reason})` : '';
  return `--strict: ${summary.invalid} invalid ${summary.invalid === 1 ? 'row' : 'rows'}${example}: the whole file is refused`;
}
