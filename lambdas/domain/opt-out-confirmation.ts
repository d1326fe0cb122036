import { builtinMessage } from './language/builtin-messages';
import { carrierKeyword, type KeywordIntent, keywordForm } from './language/carrier-keywords';
import { type BuiltinLanguage, type LanguageSettings, workflowLanguageFor } from './language/languages';
import { type LocalizedText, textIn } from './language/localized-text';
import type { SendPurpose } from './queue-messages';

/**
 * Carriers (CTIA) expect one confirmation of an opt-out, and nothing after it. Twilio sends it for
 * its own keywords, and for those a Messaging Service's Advanced Opt-Out lists (then its webhook
 * carries `OptOutType`). The platform also reads other languages' keywords (PARAR, ARRET, SAIR,
 * STOPP: language/carrier-keywords.ts), which Twilio neither blocks nor confirms when no Advanced
 * Opt-Out lists them: those the platform confirms itself, once, in the keyword's language. The
 * same for an opt-in keyword (COMENZAR) Twilio did not handle.
 */

/**
 * The keywords Twilio handles on every long code without Advanced Opt-Out, English only: "Twilio
 * support for opt-out keywords (SMS STOP filtering)"
 * (https://help.twilio.com/hc/en-us/articles/223134027) and the Advanced Opt-Out tutorial
 * (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out), which lists STOP,
 * UNSUBSCRIBE, END, QUIT, STOPALL, REVOKE, OPTOUT, CANCEL; START, YES, UNSTOP opt back in; HELP,
 * INFO get Twilio's help text.
 */
export const TWILIO_DEFAULT_KEYWORDS: Readonly<Record<KeywordIntent, readonly string[]>> = {
  optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  optIn: ['START', 'YES', 'UNSTOP'],
  help: ['HELP', 'INFO'],
};

const TWILIO_DEFAULTS: ReadonlySet<string> = new Set(Object.values(TWILIO_DEFAULT_KEYWORDS).flat());

/** Whether Twilio handles this message as a keyword by default (the whole message, as it matches). */
export function isTwilioDefaultKeyword(body: string): boolean {
  return TWILIO_DEFAULTS.has(keywordForm(body));
}

/** A confirmation the platform owes the customer: of which change, in which language. */
export interface OwnConfirmation {
  readonly intent: 'optOut' | 'optIn';
  readonly language: BuiltinLanguage;
}

/**
 * Whether the platform itself must confirm the opt-out or opt-in `message` made (`intent`: what the
 * turn decided it is; an opt-in keyword from a customer who is not opted out is an answer, and gets
 * none). Never when Twilio sent `OptOutType` (Advanced Opt-Out matched it, and confirms it), nor for
 * a keyword Twilio handles by default (it confirmed it); always for any other keyword the platform
 * read as that change.
 */
export function ownConfirmationOf(
  message: { readonly body: string; readonly optOutType?: string | undefined },
  intent: KeywordIntent | undefined,
): OwnConfirmation | undefined {
  if (intent !== 'optOut' && intent !== 'optIn') return undefined;
  if (message.optOutType !== undefined && message.optOutType.trim() !== '') return undefined;
  if (isTwilioDefaultKeyword(message.body)) return undefined;
  const keyword = carrierKeyword(message.body);
  if (keyword?.intent !== intent) return undefined;
  return { intent, language: keyword.language };
}

/** A workflow's own confirmations (`optOutConfirmation`, `optInConfirmation`), and its languages. */
export interface ConfirmationTexts extends LanguageSettings {
  readonly optOutConfirmation?: LocalizedText;
  readonly optInConfirmation?: LocalizedText;
}

/**
 * The confirmation's text: the workflow's own when it has one and speaks the keyword's language
 * (a map's entry for it, or its one string); else the built-in text in the keyword's language (a
 * workflow of English only still confirms PARAR in Spanish). A workflow that cannot be read:
 * undefined, the built-in text.
 */
export function confirmationText(confirmation: OwnConfirmation, workflow?: ConfirmationTexts): string {
  const own = confirmation.intent === 'optOut' ? workflow?.optOutConfirmation : workflow?.optInConfirmation;
  const spoken = workflow && workflowLanguageFor(workflow, confirmation.language);
  if (own !== undefined && workflow && spoken !== undefined) return textIn(own, spoken, workflow);
  return builtinMessage(
    confirmation.intent === 'optOut' ? 'optOutConfirmation' : 'optInConfirmation',
    confirmation.language,
  );
}

/** The confirmation's send id: one per keyword message, so the sender sends it at most once. */
export function confirmationSendId(intent: OwnConfirmation['intent'], keywordMessageSid: string): string {
  return intent === 'optOut'
    ? `${keywordMessageSid}-optout-confirmation`
    : `${keywordMessageSid}-optin-confirmation`;
}

/** The purpose an opt-out's confirmation is queued with; an opt-in's is an ordinary send. */
export function confirmationPurpose(intent: OwnConfirmation['intent']): SendPurpose | undefined {
  return intent === 'optOut' ? 'opt-out-confirmation' : undefined;
}

/**
 * Whether a send may go to a customer despite the opt-out in force: only the confirmation of that
 * very opt-out (marked so, its send id the one derived from the opting message's SID), a text
 * alone (no pictures, no campaign's). Anything else, even marked, is refused like any send: an
 * older STOP's confirmation after a newer opt-out, one whose opt-out came from Twilio's 21610 or an
 * erasure (no SID), a hand-made message.
 */
export function passesOptOut(
  send: {
    readonly sendId: string;
    readonly purpose?: SendPurpose;
    readonly mediaUrls: readonly string[];
    readonly campaignId?: string;
  },
  optOut: { readonly messageSid?: string },
): boolean {
  return (
    send.purpose === 'opt-out-confirmation' &&
    optOut.messageSid !== undefined &&
    send.sendId === confirmationSendId('optOut', optOut.messageSid) &&
    send.mediaUrls.length === 0 &&
    send.campaignId === undefined
  );
}
