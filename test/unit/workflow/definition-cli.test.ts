import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { workflowPutCommand } from '../../../cli/commands/workflow-put';
import type { PlatformTarget } from '../../../cli/target';

/** `workflow lint` and `workflow put` go through parseWorkflow: a bad definition exits non-zero, nothing stored. */
function brokenFile(): string {
  const workflow = JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8'));
  workflow.routes[0].mandatoryVariables[0].pattern = '(\\d)\\1';
  workflow.fallback.maxAttempt = 2;
  const file = join(mkdtempSync(join(tmpdir(), 'workflow-')), 'broken.json');
  writeFileSync(file, JSON.stringify(workflow));
  return file;
}

describe('smsctl workflow lint/put refuse what the schema refuses', () => {
  it('lint: exit 1, the field paths and reasons on stderr', async () => {
    const file = brokenFile();
    const failed = await promisify(execFile)('node', [
      'cli/smsctl.mjs',
      'workflow',
      'lint',
      '--file',
      file,
    ]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr).toContain(
      'routes.0.mandatoryVariables.0.pattern: backreference \\1 is not supported: patterns run in a linear-time engine (RE2)',
    );
    expect(stderr).toContain('fallback.maxAttempt: unrecognized key (did you mean maxAttempts?)');
  });

  it('put: refused before the platform is even reached, so nothing is stored', async () => {
    let reached = false;
    const target = async (): Promise<PlatformTarget> => {
      reached = true;
      throw new Error('must not be reached');
    };
    await expect(workflowPutCommand(['--tenant', 'acme', '--file', brokenFile()], target)).rejects.toThrow(
      'routes.0.mandatoryVariables.0.pattern: backreference \\1 is not supported',
    );
    expect(reached).toBe(false);
  });
});
