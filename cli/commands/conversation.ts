import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { maskPhone } from '../../lambdas/domain/phone';
import { CliError } from '../cli-error';
import { parseCommand, phone, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';

const USAGE = 'conversation show --tenant ID --customer E164 [--number E164] [--reveal]';

/**
 * `conversation show`: the transcript, both directions; phone numbers masked unless --reveal. A
 * customer who texts several of the tenant's numbers has one conversation with each: `--number`
 * shows the one with that business number, without it all of them in time order.
 */
export async function conversationCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  if (action !== 'show') throw new CliError(`unknown conversation action "${action ?? ''}" (show)`, 2);
  const { values } = parseCommand(USAGE, args, {
    tenant: { type: 'string' },
    customer: { type: 'string' },
    number: { type: 'string' },
    reveal: { type: 'boolean' },
  });
  const reveal = values.reveal === true;
  const id = tenantId(values.tenant, USAGE);
  const customer = phone(values.customer, '--customer', USAGE);
  const number = values.number === undefined ? undefined : phone(values.number, '--number', USAGE);
  const show = (value: unknown) => (reveal ? String(value) : maskPhone(String(value)));
  const platform = await target();
  const items = await new DynamoTenantAdmin(platform.dynamo, platform.tableName).transcript(
    id,
    customer,
    number,
  );
  const entries = items.map((item) => ({
    at: String(item.at),
    direction: String(item.direction),
    from: show(item.from),
    to: show(item.to),
    body: String(item.body),
    ...(item.status ? { status: String(item.status) } : {}),
    ...(item.messageSid ? { messageSid: String(item.messageSid) } : {}),
    ...(item.sid ? { messageSid: String(item.sid) } : {}),
    ...(item.sendId ? { sendId: String(item.sendId) } : {}),
  }));
  return {
    json: { tenantId: id, customer: show(customer), ...(number ? { number: show(number) } : {}), entries },
    lines: [
      `conversation ${id} ${show(customer)}: ${entries.length} message(s)`,
      ...entries.map(
        (entry) =>
          `${entry.at} ${entry.direction === 'inbound' ? '<-' : '->'} ${entry.from} > ${entry.to}` +
          `${entry.status ? ` [${entry.status}${entry.messageSid ? ` ${entry.messageSid}` : ''}]` : ''} ${entry.body}`,
      ),
    ],
  };
}
