import { describe, expect, it } from 'vitest';
import {
  MAX_LISTED_PROBLEMS,
  RecipientFileTally,
  skipReasonOf,
  strictRefusal,
} from '../../../../lambdas/domain/campaign/recipient-report';
import type { RecipientProblem, RecipientRow } from '../../../../lambdas/domain/campaign/recipients';

const recipient = (line: number): RecipientRow => ({
  kind: 'recipient',
  line,
  phone: `+1415555${String(line).padStart(4, '0')}`,
  variables: {},
});
const problem = (line: number, code: RecipientProblem['problem'], reason = 'why'): RecipientProblem => ({
  kind: 'problem',
  line,
  problem: code,
  reason,
});

describe('RecipientFileTally', () => {
  it('counts rows, recipients, invalid rows and duplicates, and lists problems in file order', () => {
    const tally = new RecipientFileTally();
    for (const row of [recipient(2), problem(3, 'invalid-phone'), problem(4, 'duplicate'), recipient(5)])
      tally.add(row);
    expect(tally.summary()).toEqual({
      rows: 4,
      recipients: 2,
      invalid: 1,
      duplicates: 1,
      problems: [problem(3, 'invalid-phone'), problem(4, 'duplicate')],
      unlistedProblems: 0,
    });
  });

  it('lists only the first problems of a file full of them, and counts them all', () => {
    const tally = new RecipientFileTally();
    for (let line = 2; line < 2 + 1_000; line += 1) tally.add(problem(line, 'invalid-timezone'));
    const summary = tally.summary();
    expect(summary.invalid).toBe(1_000);
    expect(summary.problems).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(summary.problems[0]?.line).toBe(2);
    expect(summary.unlistedProblems).toBe(1_000 - MAX_LISTED_PROBLEMS);
  });
});

describe('strictRefusal', () => {
  it('refuses a file with invalid rows, naming the first', () => {
    const tally = new RecipientFileTally();
    tally.add(problem(4, 'duplicate', 'same number as line 2'));
    tally.add(problem(7, 'invalid-phone', 'no phone number'));
    tally.add(problem(9, 'missing-variable'));
    expect(strictRefusal(tally.summary())).toBe(
      '--strict: 2 invalid rows (line 7: no phone number): the whole file is refused',
    );
  });

  it('lets duplicates and clean files through', () => {
    const tally = new RecipientFileTally();
    tally.add(recipient(2));
    expect(strictRefusal(tally.summary())).toBeUndefined();
    tally.add(problem(3, 'duplicate'));
    expect(strictRefusal(tally.summary())).toBeUndefined();
    tally.add(problem(4, 'invalid-row'));
    expect(strictRefusal(tally.summary())).toMatch(/^--strict: 1 invalid row \(line 4/);
  });

  it('names the campaign counter each problem counts toward', () => {
    expect(skipReasonOf(problem(2, 'duplicate'))).toBe('duplicate');
    for (const code of [
      'invalid-phone',
      'invalid-timezone',
      'value-too-long',
      'missing-variable',
      'invalid-variable',
      'invalid-row',
    ] as const)
      expect(skipReasonOf(problem(2, code))).toBe('invalid');
  });
});
