import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { splitArgs } from '../../../cli/main';
import { readWorkflowFile, simulateCommand } from '../../../cli/workflow-commands';
import type { Workflow } from '../../../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';

const ORDER_STATUS = 'examples/workflows/order-status.json';

describe('smsctl workflow simulate', () => {
  it('runs the Cloom order-status conversation offline, one JSON object per line', async () => {
    const lines: string[] = [];
    await simulateCommand(
      ORDER_STATUS,
      Readable.from(['Where is my package?\n123456\nDecember 10th\n']),
      (line) => lines.push(line),
      () => new Date('2026-11-22T12:00:00Z'),
    );
    const turns = lines.map((line) => JSON.parse(line));
    expect(turns.map((turn) => turn.status)).toEqual(['collecting', 'collecting', 'completed']);
    expect(turns[0].replies).toEqual([
      "Thanks for reaching out! I can help track your order. I'd be happy to help! Can you provide your order number?",
    ]);
    expect(turns[1].replies).toEqual(['Thank you! When did you place this order?']);
    expect(turns[2]).toEqual({
      replies: ['Thanks! Checking order 123456 from 2025-12-10. - Elegi+'],
      variables: { order_number: '123456', order_date: '2025-12-10' },
      route: 'track-order',
      status: 'completed',
    });
  });

  it('is the `npx smsctl` binary, with a one-line reason and non-zero exit on failure', async () => {
    const run = promisify(execFile);
    const ok = await run('node', ['cli/smsctl.mjs', '--json', 'workflow', 'lint', '--file', ORDER_STATUS]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, errors: [] });
    const failed = await run('node', ['cli/smsctl.mjs', 'workflow', 'lint', '--file', 'missing.json']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stderr: 'smsctl: cannot read missing.json: ENOENT\n' });
  });
});

describe('smsctl workflow lint', () => {
  it('reports every reply of the example in one GSM-7 segment', async () => {
    const report = lintWorkflow(await readWorkflowFile(ORDER_STATUS));
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.replies.every((reply) => reply.segments === 1 && reply.encoding === 'GSM-7')).toBe(true);
  });

  it('rejects unknown template variables and prompts that use what is not collected yet', async () => {
    const base = await readWorkflowFile(ORDER_STATUS);
    const route = base.routes[0] as Workflow['routes'][number];
    const broken: Workflow = {
      ...base,
      greeting: 'Hi {{name}}',
      routes: [
        {
          ...route,
          mandatoryVariables: [
            { name: 'order_number', type: 'pattern', pattern: '\\d{6}', prompt: 'Order for {{order_date}}?' },
            { name: 'order_date', type: 'date', prompt: 'When?' },
          ],
          onComplete: { reply: 'Done {{vrbl:order_number}} {{entity:missing}}' },
        },
      ],
    };
    expect(lintWorkflow(broken).errors).toEqual([
      'greeting: unknown template variable "name" (known here: none)',
      'routes.track-order.mandatoryVariables.order_number.prompt: unknown template variable "order_date" (known here: none)',
      'routes.track-order.onComplete.reply: unknown template variable "missing" (known here: order_number, order_date)',
    ]);
  });

  it('warns when a reply needs more than one segment at worst-case lengths', async () => {
    const base = await readWorkflowFile(ORDER_STATUS);
    const report = lintWorkflow({ ...base, greeting: `${'Hello there! '.repeat(12)}😀` });
    expect(report.warnings).toEqual([expect.stringMatching(/^greeting: 3 segments \(UCS-2/)]);
  });
});

describe('smsctl argument parsing', () => {
  it('accepts global flags anywhere', () => {
    expect(splitArgs(['workflow', '--json', 'lint', '--file', 'f.json', '--stack', 'S'])).toEqual({
      flags: { json: true, local: false, help: false, stack: 'S' },
      command: 'workflow',
      action: 'lint',
      commandArgs: ['--file', 'f.json'],
    });
  });
});
