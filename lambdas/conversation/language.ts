import { carrierKeyword } from '../domain/language/carrier-keywords';
import { defaultLanguageOf, isMultilingual, workflowLanguageFor } from '../domain/language/languages';
import { builtinMessage } from '../domain/language/builtin-messages';
import { listsByLanguage, textIn } from '../domain/language/localized-text';
import type { Workflow } from '../domain/workflow/definition';
import type { SlotState } from '../domain/workflow/engine';
import type { ConversationStore } from '../ports/conversation-store';
import type { LanguagePreferences } from '../ports/language-preferences';
import type { TenantNumber } from '../ports/tenant-directory';

/**
 * The language a conversation speaks (issue 19), for a workflow of several languages: the one the
 * conversation already speaks; else the customer's stored preference (a switching keyword, or a
 * language detected before); else, on a conversation's first message, the language detected in it
 * (franc-min and the workflow's keywords: domain/language/detect.ts); else the number's language
 * (`smsctl number put --language`); else the workflow's default. A workflow of one language
 * speaks it, and reads nothing.
 */
export type LanguageSource = 'conversation' | 'preference' | 'detected' | 'number' | 'default';

export interface LanguageDecision {
  readonly language: string;
  readonly source: LanguageSource;
}

export interface LanguageDeps {
  /** Absent (tests, tools without a table): no preference is read or kept. */
  readonly languages?: LanguagePreferences;
}

export async function decideLanguage(
  deps: LanguageDeps,
  input: {
    readonly tenantId: string;
    readonly customer: string;
    readonly workflow: Workflow;
    readonly number: TenantNumber;
    readonly text: string;
    /** The active conversation's state; undefined when this message starts one. */
    readonly state: SlotState | undefined;
  },
): Promise<LanguageDecision> {
  const { workflow } = input;
  if (!isMultilingual(workflow)) return { language: defaultLanguageOf(workflow), source: 'default' };
  const speaking = workflowLanguageFor(workflow, input.state?.language);
  if (speaking) return { language: speaking, source: 'conversation' };
  const preferred = workflowLanguageFor(workflow, await deps.languages?.get(input.tenantId, input.customer));
  if (preferred) return { language: preferred, source: 'preference' };
  if (input.state === undefined) {
    const { detectLanguage } = await import('../domain/language/detect');
    const detected = workflowLanguageFor(
      workflow,
      detectLanguage(input.text, workflow.languages ?? [], workflowKeywordsByLanguage(workflow)),
    );
    if (detected) return { language: detected, source: 'detected' };
  }
  return fallbackLanguage(workflow, input.number);
}

/**
 * The language of an answer to HELP (no conversation is read for it): the keyword's own language
 * when it is not English (AYUDA: Spanish; HELP is every carrier's word, so it says nothing), else
 * the customer's preference, the number's language, the workflow's default.
 */
export async function helpLanguage(
  deps: LanguageDeps,
  input: { tenantId: string; customer: string; workflow: Workflow; number: TenantNumber; text: string },
): Promise<string> {
  const { workflow } = input;
  const keyword = carrierKeyword(input.text);
  const said = keyword && keyword.language !== 'en' ? keyword.language : undefined;
  // A workflow of one language still answers AYUDA in Spanish when it has no help text of its own.
  if (said && (workflowLanguageFor(workflow, said) || workflow.help === undefined)) return said;
  if (!isMultilingual(workflow)) return defaultLanguageOf(workflow);
  const preferred = workflowLanguageFor(workflow, await deps.languages?.get(input.tenantId, input.customer));
  return preferred ?? fallbackLanguage(workflow, input.number).language;
}

/** The number's language when the workflow speaks it, else the workflow's default. */
export function fallbackLanguage(workflow: Workflow, number: TenantNumber | undefined): LanguageDecision {
  const numbers = workflowLanguageFor(workflow, number?.language);
  return numbers
    ? { language: numbers, source: 'number' }
    : { language: defaultLanguageOf(workflow), source: 'default' };
}

/**
 * Keeps the customer's language for their next conversations: after a switching keyword, or when
 * it was detected. Idempotent (a retried turn writes the same), and written before the turn's
 * commit so a retry after a crash writes it again.
 */
export async function rememberLanguage(
  deps: LanguageDeps,
  input: {
    tenantId: string;
    customer: string;
    number: TenantNumber;
    at: string;
    decision: LanguageDecision;
    switchedTo: string | undefined;
  },
): Promise<void> {
  const language =
    input.switchedTo ?? (input.decision.source === 'detected' ? input.decision.language : undefined);
  if (language === undefined || !deps.languages) return;
  await deps.languages.set(input.tenantId, input.customer, {
    language,
    at: input.at,
    ...(input.number.retentionDays !== undefined ? { retentionDays: input.number.retentionDays } : {}),
  });
}

/** The workflow's keywords given per language (routes' and hand-off's), as evidence of a language. */
function workflowKeywordsByLanguage(workflow: Workflow): Map<string, string[]> {
  const byLanguage = new Map<string, string[]>();
  const lists = [
    ...workflow.routes.map((route) => route.match.keywords),
    ...(workflow.handoffKeywords !== undefined ? [workflow.handoffKeywords] : []),
  ];
  for (const list of lists)
    for (const [language, keywords] of listsByLanguage(list)) {
      if (language === undefined) continue;
      byLanguage.set(language, [...(byLanguage.get(language) ?? []), ...keywords]);
    }
  return byLanguage;
}

/**
 * The apology for a turn that failed for good, in the conversation's language: the workflow's
 * `failureMessage`, else the built-in text (a workflow that cannot be read has none). The language:
 * the conversation's, else the customer's preference, the number's, the workflow's default.
 * Nothing read here may fail the apology: a read that fails counts as absent.
 */
export async function apologyText(
  deps: LanguageDeps & { readonly conversations: Pick<ConversationStore, 'load'> },
  input: {
    tenantId: string;
    customer: string;
    businessNumber: string;
    workflow: Workflow | undefined;
    number: TenantNumber;
  },
): Promise<string> {
  const { workflow } = input;
  const settings = workflow ?? { languages: input.number.language ? [input.number.language] : undefined };
  let language: string | undefined;
  if (workflow === undefined || isMultilingual(workflow)) {
    const state = await deps.conversations
      .load({ tenantId: input.tenantId, businessNumber: input.businessNumber, customer: input.customer })
      .catch(() => undefined);
    language =
      workflowLanguageFor(settings, state?.slots.language) ??
      workflowLanguageFor(
        settings,
        await deps.languages?.get(input.tenantId, input.customer).catch(() => undefined),
      );
  }
  language ??= workflow ? fallbackLanguage(workflow, input.number).language : defaultLanguageOf(settings);
  return workflow?.failureMessage !== undefined
    ? textIn(workflow.failureMessage, language, workflow)
    : builtinMessage('failure', language);
}

/** The answer to HELP in `language`: the workflow's `help`, else the built-in text. */
export function helpText(workflow: Workflow, language: string): string {
  return workflow.help !== undefined
    ? textIn(workflow.help, language, workflow)
    : builtinMessage('help', language);
}
