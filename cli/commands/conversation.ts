import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { handoffDeps } from '../../lambdas/conversations-api/deps';
import {
  type HandoffRefusal,
  listHandoffs,
  releaseFromHandoff,
  replyToHandoff,
} from '../../lambdas/conversations-api/handoffs';
import { isValidIdempotencyKey } from '../../lambdas/domain/outbound-request';
import { maskPhone } from '../../lambdas/domain/phone';
import { CliError } from '../cli-error';
import { parseCommand, phone, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';

const USAGE = 'conversation show --tenant ID --customer E164 [--number E164] [--reveal]';
const LIST_USAGE = 'conversation list --tenant ID --status handed-off [--reveal]';
const REPLY_USAGE =
  'conversation reply --tenant ID --customer E164 [--to BUSINESS_NUMBER] --body TEXT [--idempotency-key K]';
const RELEASE_USAGE =
  'conversation release --tenant ID --customer E164 [--to BUSINESS_NUMBER] (--restart | --resume)';
const ACTIONS = 'show, list, reply, release, export';

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
  if (action === 'list') return listCommand(args, target);
  if (action === 'reply') return replyCommand(args, target);
  if (action === 'release') return releaseCommand(args, target);
  if (action !== 'show') throw new CliError(`unknown conversation action "${action ?? ''}" (${ACTIONS})`, 2);
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
    // A person's reply in a hand-off, and what a message was recorded as (`handed-off`: for a person).
    ...(item.author ? { author: String(item.author) } : {}),
    ...(item.note ? { note: String(item.note) } : {}),
  }));
  return {
    json: { tenantId: id, customer: show(customer), ...(number ? { number: show(number) } : {}), entries },
    lines: [
      `conversation ${id} ${show(customer)}: ${entries.length} message(s)`,
      ...entries.map(
        (entry) =>
          `${entry.at} ${entry.direction === 'inbound' ? '<-' : '->'} ${entry.from} > ${entry.to}` +
          `${entry.status ? ` [${entry.status}${entry.messageSid ? ` ${entry.messageSid}` : ''}]` : ''}` +
          `${entry.author ? ` (${entry.author})` : ''}${entry.note ? ` (${entry.note})` : ''} ${entry.body}`,
      ),
    ],
  };
}

function handoffsOf(platform: PlatformTarget) {
  return handoffDeps(platform, {
    tableName: platform.tableName,
    outboundQueueUrl: platform.queues.outbound.url,
    remindersQueueUrl: platform.queues.reminders.url,
  });
}

/** A refused hand-off call as one line (409 and 404 are the operator's to read, not usage errors). */
function refused(refusal: HandoffRefusal): never {
  throw new CliError(
    refusal.message.replace(/^to must/, '--to must').replace(/with to$/, 'with --to'),
    refusal.status === 400 ? 2 : 1,
  );
}

/**
 * `conversation list --status handed-off`: the tenant's handed-off conversations, oldest hand-off
 * first (the tenant keeps a list of those; other statuses are not listed).
 */
async function listCommand(args: string[], target: () => Promise<PlatformTarget>): Promise<CommandResult> {
  const { values } = parseCommand(LIST_USAGE, args, {
    tenant: { type: 'string' },
    status: { type: 'string' },
    reveal: { type: 'boolean' },
  });
  const id = tenantId(values.tenant, LIST_USAGE);
  if (values.status !== 'handed-off')
    throw new CliError(
      `conversation list needs --status handed-off (the only status listed); usage: smsctl ${LIST_USAGE}`,
      2,
    );
  const show = (value: string) => (values.reveal === true ? value : maskPhone(value));
  const result = await listHandoffs(id, handoffsOf(await target()));
  if (!result.ok) refused(result.refusal);
  const conversations = result.value.conversations.map((entry) => ({
    ...entry,
    customer: show(entry.customer),
    businessNumber: show(entry.businessNumber),
  }));
  return {
    json: { tenantId: id, status: 'handed-off', conversations },
    lines: [
      `${conversations.length} handed-off conversation(s) of ${id}`,
      ...conversations.map(
        (entry) =>
          `${entry.customer} on ${entry.businessNumber}: handed off ${entry.at} (${entry.reason}), last message ${entry.lastActivityAt}, expires ${entry.expiresAt}` +
          (entry.optedOut ? ', opted out (STOP)' : ''),
      ),
    ],
  };
}

/** `conversation reply`: a person answers a handed-off conversation (through the sender, like every reply). */
async function replyCommand(args: string[], target: () => Promise<PlatformTarget>): Promise<CommandResult> {
  const { values } = parseCommand(REPLY_USAGE, args, {
    tenant: { type: 'string' },
    customer: { type: 'string' },
    to: { type: 'string' },
    body: { type: 'string' },
    'idempotency-key': { type: 'string' },
  });
  const id = tenantId(values.tenant, REPLY_USAGE);
  const customer = phone(values.customer, '--customer', REPLY_USAGE);
  const to = values.to === undefined ? undefined : phone(values.to, '--to', REPLY_USAGE);
  if (values.body === undefined) throw new CliError(`--body is required; usage: smsctl ${REPLY_USAGE}`, 2);
  const key = values['idempotency-key'];
  if (key !== undefined && !isValidIdempotencyKey(key))
    throw new CliError('--idempotency-key must be 1 to 255 printable ASCII characters', 2);
  const result = await replyToHandoff(
    {
      tenantId: id,
      customer,
      ...(to !== undefined ? { to } : {}),
      body: values.body,
      ...(key !== undefined ? { idempotencyKey: key } : {}),
    },
    handoffsOf(await target()),
  );
  if (!result.ok) refused(result.refusal);
  const { value } = result;
  return {
    json: { ...value, businessNumber: maskPhone(value.businessNumber), replayed: result.replayed },
    lines: [
      `${result.replayed ? 'already queued' : 'queued'} reply ${value.sends.map((send) => send.sendId).join(', ')} to ${maskPhone(customer)} from ${maskPhone(value.businessNumber)}` +
        ' (its delivery shows in conversation show)',
    ],
  };
}

/** `conversation release`: gives a handed-off conversation back to the bot, from the start or where it was. */
async function releaseCommand(args: string[], target: () => Promise<PlatformTarget>): Promise<CommandResult> {
  const { values } = parseCommand(RELEASE_USAGE, args, {
    tenant: { type: 'string' },
    customer: { type: 'string' },
    to: { type: 'string' },
    restart: { type: 'boolean' },
    resume: { type: 'boolean' },
  });
  const id = tenantId(values.tenant, RELEASE_USAGE);
  const customer = phone(values.customer, '--customer', RELEASE_USAGE);
  const to = values.to === undefined ? undefined : phone(values.to, '--to', RELEASE_USAGE);
  if ((values.restart === true) === (values.resume === true))
    throw new CliError(`say --restart or --resume (one of them); usage: smsctl ${RELEASE_USAGE}`, 2);
  const mode = values.restart === true ? 'restart' : 'resume';
  const result = await releaseFromHandoff(
    { tenantId: id, customer, ...(to !== undefined ? { to } : {}), mode },
    handoffsOf(await target()),
  );
  if (!result.ok) refused(result.refusal);
  const { value } = result;
  return {
    json: { ...value, businessNumber: maskPhone(value.businessNumber) },
    lines: [
      `released ${maskPhone(customer)} on ${maskPhone(value.businessNumber)} to the bot (${mode}): ` +
        (value.sends.length > 0
          ? `asked again "${value.sends.map((send) => send.body).join(' ')}"`
          : "nothing sent; the customer's next message starts the workflow"),
    ],
  };
}
