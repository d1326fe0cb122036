import { isFinalCampaignState } from '../../domain/campaign/campaign';
import { nextAllowedSendTime, parseQuietHours, type QuietHours } from '../../domain/campaign/quiet-hours';
import { resolveRecipientTimeZone } from '../../domain/campaign/recipient-timezone';
import {
  type Recipient,
  RecipientFileError,
  type RecipientFileRules,
  readRecipients,
} from '../../domain/campaign/recipients';
import type { CampaignDefinition, CampaignRecipient, CampaignRecord } from '../../ports/campaign-store';
import type { CampaignDeps } from './deps';
import { campaignNotFound, type CampaignOutcome, refused } from './refusal';
import { DEFAULT_CAMPAIGN_COUNTRY, type RecipientsRequest, type RequestedRecipient } from './request';
import { putFirstTick } from './tick';

/**
 * Adds recipients to a campaign (API `POST .../campaigns/{campaignId}/recipients`, and each chunk
 * of `smsctl campaign create --recipients FILE`). Every row is checked again as a recipients file's
 * row (recipients.ts: the number, the time zone, the values the first message needs), given the
 * time it may first be sent (the start, then the recipient's quiet hours), and stored once per
 * number; refused rows are counted and listed by line. `complete` ends the file: the campaign's
 * dispatcher gets its first tick.
 */
export interface AddRecipientsCommand {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly request: RecipientsRequest;
}

export interface RecipientsAnswer {
  /** Recipients stored by this request. */
  readonly added: number;
  /** Lines of rows whose number was already in the campaign (in this request or an earlier one). */
  readonly duplicates: readonly number[];
  /** Rows refused, by line, with the reason (never a full phone number). */
  readonly invalid: readonly { readonly line: number; readonly reason: string }[];
  readonly campaign: CampaignRecord;
}

/** The store takes recipients 25 at a time (one transaction each). */
const STORE_CHUNK = 25;

/**
 * How a campaign's recipients are read (a file by `smsctl campaign create`, a request by the API):
 * the columns its first message allows and needs, and, for a workflow, each row's values read by
 * their variables' types.
 */
export async function recipientRules(
  campaign: Pick<CampaignDefinition, 'tenantId' | 'content' | 'defaultCountry'>,
  deps: Pick<CampaignDeps, 'tenants' | 'now'>,
): Promise<CampaignOutcome<RecipientFileRules>> {
  const defaultCountry = campaign.defaultCountry ?? DEFAULT_CAMPAIGN_COUNTRY;
  const { content, tenantId } = campaign;
  // The workflow engine (dates, phones, RE2) is loaded by the first campaign request, not by every cold start.
  const { messageColumns, workflowColumns, workflowRowCheck } =
    await import('../../domain/campaign/workflow-columns');
  if (content.kind === 'message') {
    const columns = messageColumns(content.body);
    return { ok: true, value: { defaultCountry, ...columns } };
  }
  const workflow = await deps.tenants.getWorkflow(tenantId, content.workflowId);
  if (!workflow)
    return refused({
      status: 404,
      error: 'workflow-not-found',
      message: `workflow ${content.workflowId} not found for tenant ${tenantId}`,
    });
  const { prepareReaders } = await import('../../domain/workflow/readers');
  await prepareReaders(workflow);
  const columns = workflowColumns(workflow, content.routeId);
  return {
    ok: true,
    value: {
      defaultCountry,
      allowedVariables: columns.allowedVariables,
      startRequirement: columns.startRequirement,
      checkVariables: workflowRowCheck(workflow, content.routeId, deps.now()),
    },
  };
}

/**
 * The request's rows as JSON lines for the recipients reader, each with every variable any row
 * names (an empty value where a row has none): the reader takes the first line's fields as the
 * columns, as a CSV file's header, so each row is read against the same columns.
 */
async function* asJsonLines(rows: readonly RequestedRecipient[]): AsyncGenerator<string> {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.variables)))];
  for (const row of rows) {
    const variables = Object.fromEntries(names.map((name) => [name, row.variables[name] ?? '']));
    yield `${JSON.stringify({ phone: row.phone, timezone: row.timezone ?? '', ...variables })}\n`;
  }
}

/** The reader's whole-request errors name the request's first row as "line 1": the caller sent no lines. */
function withoutLine(message: string): string {
  return message.replace(/^line \d+(?: \(the header\))?: /, '');
}

/** When a recipient may first be sent: the start (or now), then past the quiet hours on its own clock. */
function notBeforeMs(
  campaign: CampaignRecord,
  quietHours: QuietHours | undefined,
  recipient: Recipient,
  now: Date,
): number {
  const base = new Date(Math.max(Date.parse(campaign.startAt), now.getTime()));
  if (!quietHours) return base.getTime();
  const { timeZone } = resolveRecipientTimeZone(recipient, campaign.defaultTimeZone, now);
  return nextAllowedSendTime(base, quietHours, timeZone).getTime();
}

function quietHoursOf(campaign: CampaignRecord): QuietHours | undefined {
  if (campaign.quietHours === undefined) return undefined;
  const parsed = parseQuietHours(campaign.quietHours);
  // Stored only after parseCampaignCreate read it: a stored one that no longer reads is a bug.
  if (!parsed.ok) throw new Error(`campaign ${campaign.campaignId} has unreadable quiet hours`);
  return parsed.quietHours;
}

export async function addCampaignRecipients(
  command: AddRecipientsCommand,
  deps: CampaignDeps,
): Promise<CampaignOutcome<RecipientsAnswer>> {
  const { tenantId, campaignId, request } = command;
  const now = deps.now();
  const campaign = await deps.campaigns.get(tenantId, campaignId);
  if (!campaign) return refused(campaignNotFound(tenantId, campaignId));
  const adds = request.recipients.length > 0 || request.invalid > 0 || request.duplicates > 0;
  if (adds && isFinalCampaignState(campaign.state))
    return refused({
      status: 409,
      error: 'campaign-state-conflict',
      message: `the campaign is ${campaign.state}: it takes no more recipients`,
    });
  if (adds && campaign.recipientsComplete)
    return refused({
      status: 409,
      error: 'recipients-complete',
      message: 'the campaign’s recipients are complete: it takes no more',
    });

  const valid: CampaignRecipient[] = [];
  const duplicates: number[] = [];
  const invalid: { line: number; reason: string }[] = [];
  if (request.recipients.length > 0) {
    const rules = await recipientRules(campaign, deps);
    if (!rules.ok) return rules;
    const quietHours = quietHoursOf(campaign);
    try {
      for await (const row of readRecipients(asJsonLines(request.recipients), {
        ...rules.value,
        format: 'jsonl',
      })) {
        const line = request.recipients[row.line - 1]?.line ?? row.line;
        if (row.kind === 'problem') {
          if (row.problem === 'duplicate') duplicates.push(line);
          else invalid.push({ line, reason: row.reason });
          continue;
        }
        valid.push({
          phone: row.phone,
          variables: row.variables,
          ...(row.timezone !== undefined ? { timezone: row.timezone } : {}),
          line,
          notBeforeMs: notBeforeMs(campaign, quietHours, row, now),
        });
      }
    } catch (error) {
      if (!(error instanceof RecipientFileError)) throw error;
      return refused({ status: 400, error: error.code, message: withoutLine(error.message) });
    }
  }

  // Rows refused here and by the caller count toward the total, so `pending` stays exact.
  const readerDuplicates = duplicates.length + request.duplicates;
  let added = 0;
  for (let start = 0; start < valid.length; start += STORE_CHUNK) {
    const stored = await deps.campaigns.addRecipients(
      tenantId,
      campaignId,
      valid.slice(start, start + STORE_CHUNK),
    );
    added += stored.added;
    duplicates.push(...stored.duplicates.map((duplicate) => duplicate.line));
  }
  if (invalid.length + request.invalid > 0)
    await deps.campaigns.countInvalid(tenantId, campaignId, invalid.length + request.invalid);
  if (readerDuplicates > 0)
    await deps.campaigns.addCounters(tenantId, campaignId, {
      total: readerDuplicates,
      skippedDuplicate: readerDuplicates,
    });

  if (request.complete && !campaign.recipientsComplete) {
    await deps.campaigns.markRecipientsComplete(tenantId, campaignId);
    const current = (await deps.campaigns.get(tenantId, campaignId)) ?? campaign;
    // Only a campaign whose dispatcher never ran: a paused one gets its tick from resume, and a
    // running one (resumed before its file was read) has its ticks already.
    if (current.state === 'scheduled') await putFirstTick(deps.ticks, current, now);
  }
  const current = (await deps.campaigns.get(tenantId, campaignId)) ?? campaign;
  return {
    ok: true,
    value: { added, duplicates: duplicates.sort((a, b) => a - b), invalid, campaign: current },
  };
}
