import { startOutboundDeps } from '../../lambdas/conversations-api/deps';
import { startOutbound } from '../../lambdas/conversations-api/start-outbound';
import { isValidIdempotencyKey, parseOutboundStart } from '../../lambdas/domain/outbound-request';
import { maskPhone } from '../../lambdas/domain/phone';
import { CliError } from '../cli-error';
import { parseCommand, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';
import { webhookUrlPolicyOf } from './workflow-put';

const USAGE =
  'send --tenant ID --from E164 --to E164 (--body TEXT [--media URL]... | --media URL... | --workflow WID [--route R] [--var k=v]... [--media URL]...) [--idempotency-key K]';

const FLAGS = {
  tenant: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  body: { type: 'string' },
  workflow: { type: 'string' },
  route: { type: 'string' },
  // `--var k=v` may repeat: every value is kept, in order.
  var: { type: 'string', multiple: true },
  // `--media URL` may repeat: the pictures of the message (or of a workflow's first prompt), in order.
  media: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
} as const;

/** The use case's reasons name the API's fields; the CLI user typed flags. */
function inFlags(reason: string): string {
  return reason
    .replace(/^give exactly one of workflowId and body$/, 'give exactly one of --workflow and --body')
    .replaceAll('mediaUrls', '--media');
}

/** The flags of `send`; `--var k=v` pairs become the workflow's variables (a value may contain =). */
export function parseSendArgs(args: readonly string[]) {
  const { values } = parseCommand(USAGE, args, FLAGS);
  const variables: Record<string, string> = {};
  for (const pair of values.var ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new CliError(`--var ${pair}: expected name=value`, 2);
    variables[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return { values, variables };
}

/**
 * `send`: starts a workflow conversation or sends one message, through the same use case the
 * conversations API runs (lambdas/conversations-api/start-outbound.ts), against the local stack
 * or a deployed one: same validation, opt-out check, idempotency and queues.
 */
export async function sendCommand(
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  const { values, variables } = parseSendArgs(args);
  const id = tenantId(values.tenant, USAGE);
  if (values.workflow === undefined && (Object.keys(variables).length > 0 || values.route !== undefined))
    throw new CliError('--var and --route go with --workflow', 2);
  const parsed = parseOutboundStart({
    from: values.from,
    to: values.to,
    ...(values.body !== undefined ? { body: values.body } : {}),
    ...(values.workflow !== undefined ? { workflowId: values.workflow, variables } : {}),
    ...(values.route !== undefined ? { routeId: values.route } : {}),
    ...(values.media !== undefined ? { mediaUrls: values.media } : {}),
  });
  if (!parsed.ok) throw new CliError(`${inFlags(parsed.reason)}; usage: smsctl ${USAGE}`, 2);
  const idempotencyKey = values['idempotency-key'];
  if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey))
    throw new CliError('--idempotency-key must be 1 to 255 printable ASCII characters', 2);

  const platform = await target();
  const result = await startOutbound(
    { tenantId: id, start: parsed.start, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
    startOutboundDeps(platform, {
      tableName: platform.tableName,
      outboundQueueUrl: platform.queues.outbound.url,
      remindersQueueUrl: platform.queues.reminders.url,
      // The target stage's, as for completion webhooks: loopback pictures only on the local stack.
      mediaUrlPolicy: webhookUrlPolicyOf(platform),
    }),
  );
  if (!result.ok) {
    const { refusal } = result;
    if (refusal.error === 'number-not-found')
      throw new CliError(`${parsed.start.from} is not a number of tenant ${id}`);
    if (refusal.error === 'mms-not-supported')
      throw new CliError(refusal.message.replace(/^from /, `${parsed.start.from} `));
    throw new CliError(inFlags(refusal.message));
  }
  const { started, replayed } = result;
  const [first] = started.sends;
  return {
    json: {
      ok: true,
      ...started,
      sendId: first?.sendId,
      transcriptKey: first?.transcriptKey,
      repeated: replayed,
    },
    lines: [
      `${replayed ? 'already queued' : 'queued'} ${started.kind === 'workflow' ? `conversation ${started.conversationId}` : (first?.sendId ?? '')} to ${maskPhone(parsed.start.to)}`,
    ],
  };
}
