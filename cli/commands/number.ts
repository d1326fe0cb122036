import { mmsCapability } from '../../lambdas/domain/outbound-media';
import { segmentsPerSecondFor } from '../../lambdas/domain/send-pacing';
import { mmsRoutingProblems } from '../../lambdas/domain/workflow/media';
import { readStoredWorkflow, StoredWorkflowError } from '../../lambdas/domain/workflow/stored';
import { DynamoTenantAdmin, NumberOwnedElsewhereError } from '../../lambdas/adapters/dynamodb/tenant-admin';
import {
  canonicalLanguageTag,
  languagesOf,
  workflowLanguageFor,
} from '../../lambdas/domain/language/languages';
import { CliError } from '../cli-error';
import { booleanFlag, parseCommand, phone, positiveNumberFlag, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';

const PUT_USAGE =
  'number put --tenant ID --number E164 --workflow WID [--allow-inbound-start true|false] [--segments-per-second N] [--mms true|false] [--language TAG]';
/** Twilio's fastest senders (short codes) go to a few hundred segments per second. */
const SEGMENTS_PER_SECOND_RANGE = { min: 0.1, max: 1000 };

export async function numberCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  switch (action) {
    case 'put': {
      const { values } = parseCommand(PUT_USAGE, args, {
        tenant: { type: 'string' },
        number: { type: 'string' },
        workflow: { type: 'string' },
        'allow-inbound-start': { type: 'string' },
        'segments-per-second': { type: 'string' },
        mms: { type: 'string' },
        language: { type: 'string' },
      });
      const language = languageFlag(values.language);
      const segmentsPerSecond = positiveNumberFlag(
        values['segments-per-second'],
        '--segments-per-second',
        SEGMENTS_PER_SECOND_RANGE,
      );
      const entry = {
        tenantId: tenantId(values.tenant, PUT_USAGE),
        number: phone(values.number, '--number', PUT_USAGE),
        workflowId: required(values.workflow, '--workflow', PUT_USAGE),
        allowInboundStart: booleanFlag(values['allow-inbound-start'], '--allow-inbound-start', true),
        ...(segmentsPerSecond !== undefined ? { segmentsPerSecond } : {}),
        // Only when given: without it, the country rule decides (outbound-media.ts mmsCapability).
        ...(values.mms !== undefined ? { mms: booleanFlag(values.mms, '--mms', false) } : {}),
        ...(language !== undefined ? { language } : {}),
      };
      const platform = await target();
      // Without the flag, the stage's default (lib/config.ts numberDefaults) applies.
      if (values['allow-inbound-start'] === undefined)
        entry.allowInboundStart = platform.numberDefaults?.allowInboundStart ?? entry.allowInboundStart;
      const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
      if (!(await admin.getProfile(entry.tenantId))) throw new CliError(`tenant ${entry.tenantId} not found`);
      const workflowItem = await admin.getWorkflowItem(entry.tenantId, entry.workflowId);
      if (!workflowItem)
        throw new CliError(
          `workflow ${entry.workflowId} not found for tenant ${entry.tenantId}; put it first with smsctl workflow put`,
        );
      // A stored workflow that cannot be read is not this command's to judge: its turns dead-letter.
      const stored = storedWorkflow(workflowItem);
      const [cannotSendMms] = stored ? mmsRoutingProblems(stored, [entry]) : [];
      if (cannotSendMms)
        throw new CliError(`${cannotSendMms}; route the number to a workflow without pictures`);
      if (stored && language !== undefined && !workflowLanguageFor(stored, language))
        throw new CliError(
          `--language ${language}: workflow ${entry.workflowId} speaks ${languagesOf(stored).join(', ')}; add it to the workflow's languages first`,
        );
      try {
        await admin.claimNumber(entry);
      } catch (error) {
        if (error instanceof NumberOwnedElsewhereError)
          throw new CliError(`${entry.number} is already owned by another tenant`);
        throw error;
      }
      return {
        json: { ok: true, number: entry },
        lines: [
          `${entry.number} -> ${entry.tenantId}/${entry.workflowId} (inbound start ${entry.allowInboundStart}, ` +
            `${segmentsPerSecondFor(entry.number, entry.segmentsPerSecond)} segments/s, ${mmsLabel(entry.number, entry.mms)}` +
            `${entry.language !== undefined ? `, language ${entry.language}` : ''})`,
        ],
      };
    }
    case 'list': {
      const usage = 'number list --tenant ID';
      const id = tenantId(parseCommand(usage, args, { tenant: { type: 'string' } }).values.tenant, usage);
      const platform = await target();
      const numbers = (await new DynamoTenantAdmin(platform.dynamo, platform.tableName).listNumbers(id)).map(
        (item) => ({
          number: String(item.number),
          workflowId: String(item.workflowId),
          allowInboundStart: item.allowInboundStart !== false,
          segmentsPerSecond: segmentsPerSecondFor(
            String(item.number),
            typeof item.segmentsPerSecond === 'number' ? item.segmentsPerSecond : undefined,
          ),
          mms: mmsCapability(String(item.number), typeof item.mms === 'boolean' ? item.mms : undefined)
            .canSend,
          ...(typeof item.language === 'string' ? { language: item.language } : {}),
        }),
      );
      return {
        json: { tenantId: id, numbers },
        lines: numbers.map(
          (n) =>
            `${n.number.padEnd(16)} ${n.workflowId.padEnd(24)} inbound start ${n.allowInboundStart}, ` +
            `${n.segmentsPerSecond} segments/s, MMS ${n.mms ? 'yes' : 'no'}` +
            `${n.language !== undefined ? `, language ${n.language}` : ''}`,
        ),
      };
    }
    default:
      throw new CliError(`unknown number action "${action ?? ''}" (put, list)`, 2);
  }
}

/** `--language`: a BCP 47 language tag, as the workflow's `languages` write it (canonical form). */
function languageFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const canonical = canonicalLanguageTag(value.trim());
  if (canonical === undefined)
    throw new CliError(
      `--language: "${value}" is not a BCP 47 language tag (a language code such as en, es or pt-BR)`,
      2,
    );
  return canonical;
}

/** The stored workflow, for the MMS check; undefined when it cannot be read. */
function storedWorkflow(item: Record<string, unknown>) {
  try {
    return readStoredWorkflow(String(item.definition));
  } catch (error) {
    if (error instanceof StoredWorkflowError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Whether the number sends MMS, and why: its own setting or the country rule. */
function mmsLabel(number: string, mms: boolean | undefined): string {
  const capability = mmsCapability(number, mms);
  return `MMS ${capability.canSend ? 'yes' : 'no'}${capability.source === 'override' ? ' (set)' : ''}`;
}
