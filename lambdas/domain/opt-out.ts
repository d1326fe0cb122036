import { builtinMessage } from './language/builtin-messages';
import { carrierKeyword, type KeywordIntent } from './language/carrier-keywords';

/**
 * Carrier-mandated keywords, matched the way Twilio matches them: the whole message body,
 * case-insensitive, surrounding whitespace and trailing punctuation ignored, in English and in
 * the other built-in languages (PARAR, ARRET, AYUDA, ...: language/carrier-keywords.ts lists them
 * and their sources). Twilio's `OptOutType` parameter (Advanced Opt-Out) wins when present.
 */
export type { KeywordIntent } from './language/carrier-keywords';

const OPT_OUT_TYPES: Readonly<Record<string, KeywordIntent>> = {
  STOP: 'optOut',
  START: 'optIn',
  HELP: 'help',
};

export function keywordIntent(body: string, optOutType?: string): KeywordIntent | undefined {
  if (optOutType) {
    const intent = OPT_OUT_TYPES[optOutType.toUpperCase()];
    if (intent) return intent;
  }
  return carrierKeyword(body)?.intent;
}

/** The answer to HELP when the workflow has none: in English (builtinMessage has the others). */
export const DEFAULT_HELP_MESSAGE = builtinMessage('help', 'en');

/** Twilio's error when the recipient has opted out: the send is refused and the opt-out recorded. */
export const UNSUBSCRIBED_ERROR_CODE = 21610;
