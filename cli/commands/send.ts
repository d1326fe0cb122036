import { createHash, randomUUID } from 'node:crypto';
import { rememberOperatorSend } from '../../lambdas/adapters/dynamodb/operator-sends';
import { DynamoConversationStore } from '../../lambdas/adapters/dynamodb/conversation-store';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { SqsMessageQueue } from '../../lambdas/adapters/sqs-message-queue';
import { transcriptKey } from '../../lambdas/conversation/turn';
import { maskPhone } from '../../lambdas/domain/phone';
import { conversationGroupId, type OutboundQueueMessage } from '../../lambdas/domain/queue-messages';
import { CliError } from '../cli-error';
import { parseCommand, phone, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';

const USAGE = 'send --tenant ID --from E164 --to E164 --body TEXT [--idempotency-key K]';

/** The same key (per tenant) always names the same send; no key, a fresh one. */
export function operatorSendId(tenant: string, idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return `op-${randomUUID()}`;
  return `op-${createHash('sha256').update(`${tenant}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

/**
 * `send`: a message outside any turn, the way the conversation function sends its apology:
 * the transcript entry first (so the sender has something to fill in), then the outbound queue.
 */
export async function sendCommand(
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  const { values } = parseCommand(USAGE, args, {
    tenant: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    body: { type: 'string' },
    'idempotency-key': { type: 'string' },
    workflow: { type: 'string' },
  });
  if (values.workflow !== undefined)
    throw new CliError('send --workflow is not supported yet; use --body', 2);
  const id = tenantId(values.tenant, USAGE);
  const from = phone(values.from, '--from', USAGE);
  const to = phone(values.to, '--to', USAGE);
  const body = required(values.body, '--body', USAGE);
  const platform = await target();
  if (!(await new DynamoTenantAdmin(platform.dynamo, platform.tableName).getNumber(id, from)))
    throw new CliError(`${from} is not a number of tenant ${id}`);

  const sendId = operatorSendId(id, values['idempotency-key']);
  const at = new Date().toISOString();
  const { request, repeated } = await rememberOperatorSend(platform.dynamo, platform.tableName, id, {
    sendId,
    transcriptKey: transcriptKey(at, sendId),
    at,
    from,
    to,
    body,
  });
  if (repeated && (request.from !== from || request.to !== to || request.body !== body))
    throw new CliError('this --idempotency-key was already used for a different message');

  await new DynamoConversationStore(platform.dynamo, platform.tableName).recordReply({
    sendId,
    transcriptKey: request.transcriptKey,
    body,
    tenantId: id,
    customer: to,
    businessNumber: from,
    at: request.at,
  });
  const message: OutboundQueueMessage = {
    v: 1,
    tenantId: id,
    sendId,
    conversationId: '',
    transcriptKey: request.transcriptKey,
    from,
    to,
    body,
    mediaUrls: [],
    queuedAt: new Date().toISOString(),
  };
  // Enqueued again on a repeat: if the first run died before this, the repeat finishes it; if
  // not, FIFO dedup (5 minutes) or the sender's claim on the send id drops it.
  await new SqsMessageQueue<OutboundQueueMessage>(platform.sqs, platform.queues.outbound.url).send([
    { body: message, groupId: conversationGroupId(id, to), deduplicationId: sendId },
  ]);
  return {
    json: { ok: true, tenantId: id, sendId, transcriptKey: request.transcriptKey, repeated },
    lines: [`${repeated ? 'already queued' : 'queued'} ${sendId} to ${maskPhone(to)}`],
  };
}
