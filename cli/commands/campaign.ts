import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { controlCampaign, isCampaignAction } from '../../lambdas/conversations-api/campaigns/control';
import {
  createCampaign,
  type CreateCampaignCommand,
  existingCampaignFor,
  prepareCampaign,
} from '../../lambdas/conversations-api/campaigns/create';
import type { CampaignDeps } from '../../lambdas/conversations-api/campaigns/deps';
import { dynamoCampaignDeps } from '../../lambdas/conversations-api/campaigns/dynamo-deps';
import { addCampaignRecipients, recipientRules } from '../../lambdas/conversations-api/campaigns/recipients';
import {
  DEFAULT_LIST_LIMIT,
  listCampaigns,
  MAX_LIST_LIMIT,
  showCampaign,
} from '../../lambdas/conversations-api/campaigns/read';
import type { CampaignRefusal } from '../../lambdas/conversations-api/campaigns/refusal';
import {
  MAX_RECIPIENTS_PER_REQUEST,
  parseCampaignCreate,
  type RequestedRecipient,
} from '../../lambdas/conversations-api/campaigns/request';
import { type CampaignView, campaignView } from '../../lambdas/conversations-api/campaigns/view';
import { isCampaignId } from '../../lambdas/domain/campaign/campaign';
import { RecipientFileTally, strictRefusal } from '../../lambdas/domain/campaign/recipient-report';
import {
  type RecipientFileRules,
  recipientFormatFromFileName,
  type RecipientProblem,
  RecipientFileError,
  readRecipients,
} from '../../lambdas/domain/campaign/recipients';
import { isValidIdempotencyKey } from '../../lambdas/domain/outbound-request';
import type { CampaignRecord } from '../../lambdas/ports/campaign-store';
import { CliError } from '../cli-error';
import { parseCommand, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';
import { webhookUrlPolicyOf } from './workflow-put';

const CREATE_USAGE =
  'campaign create --tenant ID (--from E164 | --pool NAME | --messaging-service --from E164) (--workflow WID [--route R] | --body TEXT) [--media URL]... --recipients FILE [--start-at ISO] [--quiet-hours HH:MM-HH:MM] [--time-zone IANA] [--default-country CC] [--name N] [--idempotency-key K] [--strict]';
const SHOW_USAGE = 'campaign show --tenant ID --campaign ID';
const LIST_USAGE = `campaign list --tenant ID [--limit 1-${MAX_LIST_LIMIT}]`;
const controlUsage = (action: string) => `campaign ${action} --tenant ID --campaign ID`;

const CREATE_FLAGS = {
  tenant: { type: 'string' },
  from: { type: 'string' },
  pool: { type: 'string' },
  'messaging-service': { type: 'boolean' },
  workflow: { type: 'string' },
  route: { type: 'string' },
  body: { type: 'string' },
  media: { type: 'string', multiple: true },
  recipients: { type: 'string' },
  'start-at': { type: 'string' },
  'quiet-hours': { type: 'string' },
  'time-zone': { type: 'string' },
  'default-country': { type: 'string' },
  name: { type: 'string' },
  'idempotency-key': { type: 'string' },
  strict: { type: 'boolean' },
} as const;

/** The use cases' reasons name the API's fields; the CLI user typed flags. */
function inFlags(reason: string): string {
  return reason
    .replace(
      'exactly one of from, pool and messagingService',
      'exactly one of --from, --pool and --messaging-service',
    )
    .replace('exactly one of workflowId and body', 'exactly one of --workflow and --body')
    .replace(/^a messagingService campaign needs from:/, '--messaging-service needs --from:')
    .replace(/^routeId goes with workflowId/, '--route goes with --workflow')
    .replace(/^quietHours /, '--quiet-hours ')
    .replace(/^timeZone /, '--time-zone ')
    .replace(/^defaultCountry /, '--default-country ')
    .replace(/^start-at /, '--start-at ')
    .replace(/^from is not a number/, '--from is not a number')
    .replaceAll('mediaUrls', '--media');
}

function refusalError(refusal: CampaignRefusal): CliError {
  return new CliError(inFlags(refusal.message));
}

function campaignDepsOf(platform: PlatformTarget): CampaignDeps {
  return dynamoCampaignDeps(platform, {
    tableName: platform.tableName,
    campaignsQueueUrl: platform.queues.campaigns.url,
    // The target stage's, as for `send`: loopback pictures only on the local stack.
    mediaUrlPolicy: webhookUrlPolicyOf(platform),
  });
}

function campaignIdFlag(value: string | undefined, usage: string): string {
  const id = required(value, '--campaign', usage);
  if (!isCampaignId(id))
    throw new CliError(`invalid campaign id "${id}": expected cmp- and 32 hex digits`, 2);
  return id;
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${Math.round(rate * 1000) / 10}%`;
}

/** The campaign for people: who sends what, when, and how far it got. */
function campaignLines(view: CampaignView): string[] {
  const { progress } = view;
  const sender =
    view.from ??
    (view.pool !== undefined
      ? `pool ${view.pool} (${view.numbers?.length ?? 0} numbers)`
      : 'the Messaging Service');
  const content =
    view.workflowId !== undefined
      ? `workflow ${view.workflowId}${view.routeId !== undefined ? ` (route ${view.routeId})` : ''}`
      : 'a text';
  return [
    `campaign ${view.campaignId}${view.name !== undefined ? ` "${view.name}"` : ''} of tenant ${view.tenantId}: ${view.state}` +
      `${view.recipientsComplete ? '' : ' (recipients still being added)'}`,
    `  sends ${content} from ${sender}, starting ${view.startAt}` +
      `${view.quietHours !== undefined ? `, quiet hours ${view.quietHours}` : ''} (default time zone ${view.timeZone})`,
    `  total ${progress.total}, pending ${progress.pending}, queued ${progress.queued}, sent ${progress.sent}, ` +
      `delivered ${progress.delivered}, undelivered ${progress.undelivered}, failed ${progress.failed} ` +
      `(delivery rate ${percent(progress.deliveryRate)})`,
    `  skipped ${progress.skipped.total} (invalid ${progress.skipped.invalid}, duplicate ${progress.skipped.duplicate}, ` +
      `opted out ${progress.skipped.optedOut}, in another conversation ${progress.skipped.conversationActive}); ` +
      `opted out after ${progress.optedOut}, replied ${progress.replied}, completed ${progress.completed}`,
  ];
}

function fileChunks(file: string): AsyncIterable<Uint8Array | string> {
  return createReadStream(file);
}

/** Reads the whole file once, for its whole-file errors and the tally (`--strict` decides on it). */
async function checkFile(file: string, rules: RecipientFileRules) {
  const tally = new RecipientFileTally();
  try {
    for await (const row of readRecipients(fileChunks(file), rules)) tally.add(row);
  } catch (error) {
    if (error instanceof RecipientFileError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
  return tally.summary();
}

interface UploadReport {
  readonly added: number;
  /** Lines of numbers already in the campaign, found by the store (beyond the reader's window). */
  readonly storeDuplicates: readonly number[];
  /** Rows the use case refused that the reader had let through (a value read by the workflow). */
  readonly refused: readonly { readonly line: number; readonly reason: string }[];
  readonly campaign: CampaignRecord;
}

/**
 * Reads the file again and sends its recipients in requests of at most 500, as the API takes them.
 * The rows it skips are counted with the last request, which completes the file: a run that stops
 * midway and is run again (same --idempotency-key) sends the stored rows again, which count once,
 * and counts the skipped ones once.
 */
async function upload(
  file: string,
  rules: RecipientFileRules,
  campaign: CampaignRecord,
  deps: CampaignDeps,
): Promise<UploadReport> {
  const { tenantId, campaignId } = campaign;
  let chunk: RequestedRecipient[] = [];
  let invalid = 0;
  let duplicates = 0;
  let added = 0;
  const storeDuplicates: number[] = [];
  const refused: { line: number; reason: string }[] = [];
  let current = campaign;
  const send = async (complete: boolean) => {
    const outcome = await addCampaignRecipients(
      {
        tenantId,
        campaignId,
        request: {
          recipients: chunk,
          invalid: complete ? invalid : 0,
          duplicates: complete ? duplicates : 0,
          complete,
        },
      },
      deps,
    );
    if (!outcome.ok)
      throw new CliError(
        `campaign ${campaignId}: ${inFlags(outcome.refusal.message)} (its recipients are incomplete)`,
      );
    added += outcome.value.added;
    storeDuplicates.push(...outcome.value.duplicates);
    refused.push(...outcome.value.invalid);
    current = outcome.value.campaign;
    chunk = [];
  };
  try {
    for await (const row of readRecipients(fileChunks(file), rules)) {
      if (row.kind === 'problem') {
        if (row.problem === 'duplicate') duplicates += 1;
        else invalid += 1;
        continue;
      }
      chunk.push({
        phone: row.phone,
        variables: row.variables,
        ...(row.timezone !== undefined ? { timezone: row.timezone } : {}),
        line: row.line,
      });
      if (chunk.length === MAX_RECIPIENTS_PER_REQUEST) await send(false);
    }
  } catch (error) {
    if (error instanceof RecipientFileError)
      throw new CliError(
        `${file} changed while it was read: ${error.message} (campaign ${campaignId} is incomplete)`,
      );
    throw error;
  }
  await send(true);
  return { added, storeDuplicates, refused, campaign: current };
}

function problemLine(problem: Pick<RecipientProblem, 'line' | 'reason'> & { problem?: string }): string {
  return `  line ${problem.line}: ${problem.problem !== undefined ? `${problem.problem}: ` : ''}${problem.reason}`;
}

async function create(args: string[], target: () => Promise<PlatformTarget>): Promise<CommandResult> {
  const { values } = parseCommand(CREATE_USAGE, args, CREATE_FLAGS);
  const id = tenantId(values.tenant, CREATE_USAGE);
  const file = required(values.recipients, '--recipients', CREATE_USAGE);
  if (values.workflow === undefined && values.route !== undefined)
    throw new CliError('--route goes with --workflow', 2);
  const parsed = parseCampaignCreate({
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.from !== undefined ? { from: values.from } : {}),
    ...(values.pool !== undefined ? { pool: values.pool } : {}),
    ...(values['messaging-service'] ? { messagingService: true } : {}),
    ...(values.workflow !== undefined ? { workflowId: values.workflow } : {}),
    ...(values.route !== undefined ? { routeId: values.route } : {}),
    ...(values.body !== undefined ? { body: values.body } : {}),
    ...(values.media !== undefined ? { mediaUrls: values.media } : {}),
    ...(values['quiet-hours'] !== undefined ? { quietHours: values['quiet-hours'] } : {}),
    ...(values['start-at'] !== undefined ? { startAt: values['start-at'] } : {}),
    ...(values['time-zone'] !== undefined ? { timeZone: values['time-zone'] } : {}),
    ...(values['default-country'] !== undefined ? { defaultCountry: values['default-country'] } : {}),
  });
  if (!parsed.ok) throw new CliError(`${inFlags(parsed.reason)}; usage: smsctl ${CREATE_USAGE}`, 2);
  const idempotencyKey = values['idempotency-key'];
  if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey))
    throw new CliError('--idempotency-key must be 1 to 255 printable ASCII characters', 2);
  try {
    await access(file);
  } catch {
    throw new CliError(`--recipients ${file}: cannot read the file`);
  }

  const platform = await target();
  const deps = campaignDepsOf(platform);
  const command: CreateCampaignCommand = {
    tenantId: id,
    request: parsed.value,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  };
  // A key that names a campaign: a run to finish (its file not complete), or one that is done.
  const existing = await existingCampaignFor(command, deps);
  if (existing.kind === 'conflict') throw refusalError(existing.refusal);
  if (existing.kind === 'replay' && existing.campaign.recipientsComplete) {
    const view = campaignView(existing.campaign);
    return {
      json: { ok: true, repeated: true, campaign: view },
      lines: [
        `campaign ${view.campaignId} was already created with this --idempotency-key`,
        ...campaignLines(view),
      ],
    };
  }
  const definition =
    existing.kind === 'replay'
      ? existing.campaign
      : await prepareCampaign(command, deps).then((prepared) => {
          if (!prepared.ok) throw refusalError(prepared.refusal);
          return prepared.value;
        });
  const rules = await recipientRules(definition, deps);
  if (!rules.ok) throw refusalError(rules.refusal);
  const fileRules: RecipientFileRules = {
    ...rules.value,
    ...(recipientFormatFromFileName(file) !== undefined ? { format: recipientFormatFromFileName(file) } : {}),
  };

  // Nothing is created until the whole file was read: its errors refuse the campaign.
  const summary = await checkFile(file, fileRules);
  if (values.strict) {
    const refusal = strictRefusal(summary);
    if (refusal !== undefined)
      return {
        json: { ok: false, error: refusal, report: summary },
        lines: [refusal, ...summary.problems.map(problemLine)],
        exitCode: 1,
      };
  }
  const created = await createCampaign(command, deps);
  if (!created.ok) throw refusalError(created.refusal);
  const uploaded = await upload(file, fileRules, created.value.campaign, deps);
  const view = campaignView(uploaded.campaign);
  const report = {
    rows: summary.rows,
    recipients: summary.recipients,
    added: uploaded.added,
    invalid: summary.invalid + uploaded.refused.length,
    duplicates: summary.duplicates + uploaded.storeDuplicates.length,
    problems: [
      ...summary.problems.map(({ line, problem, reason }) => ({ line, problem, reason })),
      ...uploaded.refused.map(({ line, reason }) => ({ line, problem: 'invalid-row', reason })),
      ...uploaded.storeDuplicates.map((line) => ({
        line,
        problem: 'duplicate',
        reason: 'number already in the campaign',
      })),
    ].sort((a, b) => a.line - b.line),
    unlistedProblems: summary.unlistedProblems,
  };
  return {
    json: { ok: true, repeated: created.value.replayed, campaign: view, report },
    lines: [
      `campaign ${view.campaignId} ${created.value.replayed ? 'resumed' : 'created'} (${platform.description}): ` +
        `${report.added} recipient(s) added, ${report.invalid} invalid row(s) skipped, ${report.duplicates} duplicate(s) skipped`,
      ...report.problems.map(problemLine),
      ...(report.unlistedProblems > 0 ? [`  … and ${report.unlistedProblems} more`] : []),
      ...campaignLines(view),
    ],
  };
}

/**
 * `campaign`: create a campaign from a recipients file, and show, list, pause, resume or cancel
 * campaigns, through the same use cases the conversations API runs
 * (lambdas/conversations-api/campaigns), directly against the table and the `campaigns` queue
 * with the caller's credentials.
 */
export async function campaignCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  if (action === 'create') return create(args, target);
  if (action === 'show') {
    const { values } = parseCommand(SHOW_USAGE, args, {
      tenant: { type: 'string' },
      campaign: { type: 'string' },
    });
    const id = tenantId(values.tenant, SHOW_USAGE);
    const campaignId = campaignIdFlag(values.campaign, SHOW_USAGE);
    const outcome = await showCampaign({ tenantId: id, campaignId }, campaignDepsOf(await target()));
    if (!outcome.ok) throw refusalError(outcome.refusal);
    const view = campaignView(outcome.value);
    return { json: { campaign: view }, lines: campaignLines(view) };
  }
  if (action === 'list') {
    const { values } = parseCommand(LIST_USAGE, args, {
      tenant: { type: 'string' },
      limit: { type: 'string' },
    });
    const id = tenantId(values.tenant, LIST_USAGE);
    const outcome = await listCampaigns(
      { tenantId: id, limit: values.limit ?? String(DEFAULT_LIST_LIMIT) },
      campaignDepsOf(await target()),
    );
    if (!outcome.ok) throw new CliError(`--${inFlags(outcome.refusal.message)}`, 2);
    const views = outcome.value.campaigns.map(campaignView);
    return {
      json: { tenantId: id, campaigns: views, ...(outcome.value.cursor !== undefined ? { more: true } : {}) },
      lines: views.map(
        (view) =>
          `${view.campaignId}  ${view.state.padEnd(9)} ${view.createdAt}  total ${view.progress.total}, ` +
          `queued ${view.progress.queued}, delivered ${view.progress.delivered}${view.name !== undefined ? `  ${view.name}` : ''}`,
      ),
    };
  }
  if (action !== undefined && isCampaignAction(action)) {
    const usage = controlUsage(action);
    const { values } = parseCommand(usage, args, {
      tenant: { type: 'string' },
      campaign: { type: 'string' },
    });
    const id = tenantId(values.tenant, usage);
    const campaignId = campaignIdFlag(values.campaign, usage);
    const outcome = await controlCampaign(
      { tenantId: id, campaignId, action },
      campaignDepsOf(await target()),
    );
    if (!outcome.ok) throw refusalError(outcome.refusal);
    const view = campaignView(outcome.value.campaign);
    return {
      json: { ok: true, changed: outcome.value.changed, campaign: view },
      lines: [`campaign ${campaignId} ${outcome.value.changed ? 'is now' : 'was already'} ${view.state}`],
    };
  }
  throw new CliError(
    `unknown campaign action "${action ?? ''}" (create, show, list, pause, resume, cancel)`,
    2,
  );
}
