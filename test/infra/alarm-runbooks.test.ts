/**
 * Every alarm the stack creates has a row in the Alarms table of docs/operations.md and a runbook
 * under its "Runbooks" heading. Per-queue and per-function alarms share a row and a runbook each
 * (`<Queue>DlqDepth`, `<Function>Errors`), and the table names every queue and function.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackName } from '../../lib/stack-contract';
import { pascal } from '../../lib/stateful';
import { functions, queues } from '../../lib/topology';
import { dispose, props, resourcesOfType, type Synthesized, synthesize } from './helpers';

const DOC = 'docs/operations.md';

/** `InboundDlqDepth` -> `<Queue>DlqDepth`, `ConversationsApiErrors` -> `<Function>Errors`. */
function generic(alarmId: string): { id: string; member?: string } {
  for (const queue of Object.keys(queues).map(pascal)) {
    if (alarmId.startsWith(queue) && /^Dlq[A-Z]/.test(alarmId.slice(queue.length)))
      return { id: `<Queue>${alarmId.slice(queue.length)}`, member: queue };
  }
  for (const fn of Object.keys(functions).map(pascal)) {
    const rest = alarmId.slice(fn.length);
    if (alarmId.startsWith(fn) && (rest === 'Errors' || rest === 'Throttles'))
      return { id: `<Function>${rest}`, member: fn };
  }
  return { id: alarmId };
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${DOC} has no "${heading}"`);
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown.slice(start, next < 0 ? undefined : next);
}

describe('alarm runbooks (docs/operations.md)', () => {
  let synth: Synthesized | undefined;
  let alarmIds: string[] = [];
  const doc = readFileSync(DOC, 'utf8');

  beforeAll(() => {
    synth = synthesize({ stage: 'dev' });
    const prefix = `${stackName('dev')}-`;
    alarmIds = resourcesOfType(synth.json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => {
      const name = props<{ AlarmName: string }>(alarm).AlarmName;
      expect(name.startsWith(prefix), name).toBe(true);
      return name.slice(prefix.length);
    });
  });
  afterAll(() => dispose(synth));

  it('has a runbook for every alarm', () => {
    const runbooks = new Set(
      [...section(doc, '## Runbooks').matchAll(/^### (.+)$/gm)].map((match) =>
        (match[1] ?? '').replace(/`/g, '').trim(),
      ),
    );
    const missing = [...new Set(alarmIds.map((id) => generic(id).id))].filter((id) => !runbooks.has(id));
    expect(missing).toEqual([]);
  });

  it('lists every alarm in the Alarms table, naming each queue and function', () => {
    const rows = section(doc, '## Alarms')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|')[1] ?? '');
    for (const alarmId of alarmIds) {
      const { id, member } = generic(alarmId);
      const row = rows.find((cell) => cell.includes(`\`${id}\``));
      expect(row, `no row for ${id}`).toBeDefined();
      // The first row of a family (`<Queue>…`, `<Function>…`) names its members.
      const family = id.slice(0, id.indexOf('>') + 1);
      if (member)
        expect(
          rows.some((cell) => cell.includes(`\`${family}`) && cell.includes(`\`${member}\``)),
          `the ${family} rows name ${member}`,
        ).toBe(true);
    }
  });

  it('recognises the per-queue and per-function alarms (the mapping itself is sound)', () => {
    expect(alarmIds).toContain('DeliveryRate');
    expect(generic('WebhooksDlqAge')).toEqual({ id: '<Queue>DlqAge', member: 'Webhooks' });
    expect(generic('ConversationsApiThrottles')).toEqual({
      id: '<Function>Throttles',
      member: 'ConversationsApi',
    });
    expect(generic('SignatureRejections')).toEqual({ id: 'SignatureRejections' });
  });
});
