import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { conversationCommand } from '../../../cli/commands/conversation';
import { messageCommand } from '../../../cli/commands/message';
import { print } from '../../../cli/output';
import type { PlatformTarget } from '../../../cli/target';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { hasActiveCharacters } from '../../../lambdas/domain/visible-text';
import { useDynamoDbTable } from '../../support/dynamodb-table';

/**
 * What smsctl prints of customers' text and other tenants' records, against DynamoDB Local: the
 * items are written the way the functions write them.
 */
const table = useDynamoDbTable('cli-customer-text');
const target = async () =>
  ({ dynamo: table().documents, tableName: table().tableName }) as unknown as PlatformTarget;
const SID = `SM${'c'.repeat(32)}`;
const CUSTOMER = '+15551239999';

async function put(item: Record<string, unknown>) {
  await table().documents.send(new PutCommand({ TableName: table().tableName, Item: item }));
}

function printed(result: Parameters<typeof print>[0], json: boolean): string {
  let written = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  });
  try {
    print(result, { json, local: true });
  } finally {
    spy.mockRestore();
  }
  return written;
}

describe('customer text in smsctl output', () => {
  it('never reaches the terminal as control sequences, in lines or JSON', async () => {
    const body = 'hi\u001b[2J\u001b]0;pwned\u0007 \u009b31m red \u202eevil\nbye';
    await put({
      ...keys.transcriptEntry('acme', CUSTOMER, '2026-12-03T10:00:00.000Z#SM1'),
      direction: 'inbound',
      messageSid: 'SM1',
      from: CUSTOMER,
      to: '+15005550006',
      body,
      at: '2026-12-03T10:00:00.000Z',
    });
    const result = await conversationCommand('show', ['--tenant', 'acme', '--customer', CUSTOMER], target);
    const lines = printed(result, false);
    expect(lines).toContain('hi\\u{1b}[2J\\u{1b}]0;pwned\\u{7} \\u{9b}31m red \\u{202e}evil\\nbye');
    expect(lines.split('\n').some(hasActiveCharacters)).toBe(false);
    const json = printed(result, true);
    expect(hasActiveCharacters(json.trimEnd())).toBe(false);
    // The JSON still carries the body exactly, for programs.
    expect((JSON.parse(json) as { entries: { body: string }[] }).entries[0]?.body).toBe(body);
  });
});

describe('message show', () => {
  it("shows only the tenant's own events for a SID another tenant also posted callbacks for", async () => {
    await put({
      ...keys.message(SID),
      tenantId: 'acme',
      status: 'delivered',
      to: CUSTOMER,
      from: '+15005550006',
      events: { queued: { at: '2026-12-03T10:00:00.000Z', source: 'api' } },
    });
    // A forged or mistaken callback for the same SID on another tenant's path.
    await put({
      ...keys.messageEvent(SID, 'undelivered'),
      tenantId: 'mallory',
      status: 'undelivered',
      at: '2026-12-03T10:00:05.000Z',
      unknownMessage: true,
    });
    const result = await messageCommand('show', ['--tenant', 'acme', SID], target);
    const events = (result.json as { events: { status: string }[] }).events;
    expect(events.map((event) => event.status)).toEqual(['queued']);
    await expect(messageCommand('show', ['--tenant', 'mallory', SID], target)).rejects.toThrow(
      `message ${SID} not found for tenant mallory`,
    );
  });
});
