/**
 * Carrier-mandated keywords, matched the way Twilio matches them: the whole message body,
 * case-insensitive, surrounding whitespace and trailing punctuation ignored. Twilio's
 * `OptOutType` parameter (Advanced Opt-Out) wins when present.
 */
export type KeywordIntent = 'optOut' | 'optIn' | 'help';

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

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
  const word = body
    .normalize('NFKC')
    .trim()
    .replace(/[.!?,;:]+$/u, '')
    .toUpperCase();
  if (OPT_OUT.has(word)) return 'optOut';
  if (OPT_IN.has(word)) return 'optIn';
  if (HELP.has(word)) return 'help';
  return undefined;
}

export const DEFAULT_HELP_MESSAGE = 'Reply STOP to unsubscribe. Msg&data rates may apply.';

/** Twilio's error when the recipient has opted out: the send is refused and the opt-out recorded. */
export const UNSUBSCRIBED_ERROR_CODE = 21610;
