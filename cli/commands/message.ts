import { DynamoTenantAdmin, messageEventsOf } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { maskPhone } from '../../lambdas/domain/phone';
import { CliError } from '../cli-error';
import { parseCommand, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';

const USAGE = 'message show --tenant ID SID [--reveal]';

/** Masks every E.164 number inside a value (keys such as `CONV#tenant#+1555…` carry them too). */
function maskNumbersIn(value: string): string {
  return value.replace(/\+[1-9][0-9]{6,14}/g, (number) => maskPhone(number));
}

function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...rest } = item;
  return rest;
}

/** `message show`: a sent message's state and status history, only to the tenant that sent it. */
export async function messageCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  if (action !== 'show') throw new CliError(`unknown message action "${action ?? ''}" (show)`, 2);
  const { values, positionals } = parseCommand(
    USAGE,
    args,
    { tenant: { type: 'string' }, reveal: { type: 'boolean' } },
    { positionals: 1 },
  );
  // Phone numbers masked as in `conversation show`, unless --reveal.
  const reveal = values.reveal === true;
  const id = tenantId(values.tenant, USAGE);
  const sid = positionals[0];
  if (!sid) throw new CliError(`a message SID is required; usage: smsctl ${USAGE}`, 2);
  const platform = await target();
  const items = await new DynamoTenantAdmin(platform.dynamo, platform.tableName).messageHistory(sid);
  const meta = items.find((item) => item.sk === 'META');
  // Another tenant's message is "not found", not "forbidden": its existence is not ours to tell.
  if (!meta || meta.tenantId !== id) throw new CliError(`message ${sid} not found for tenant ${id}`);
  // Only this tenant's: a callback for an unknown SID records its event under the caller's tenant,
  // and another tenant may have posted one for the same SID.
  const events = messageEventsOf(items.filter((item) => item.sk === 'META' || item.tenantId === id));
  const { events: _history, ...message } = withoutKeys(meta);
  for (const field of ['to', 'from', 'conversationPk', 'transcriptSk'] as const) {
    const value = message[field];
    if (typeof value === 'string' && !reveal) message[field] = maskNumbersIn(value);
  }
  return {
    json: { message, events },
    lines: [
      `message ${sid}: ${String(message.status ?? 'unknown')}`,
      ...events.map((event) => `  ${event.at.padEnd(26)} ${event.status}`),
    ],
  };
}
