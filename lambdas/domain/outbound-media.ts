import { type OutboundUrlPolicy, outboundUrlProblem } from './outbound-url-policy';
import { senderKind } from './send-pacing';

/**
 * Outbound MMS: the pictures a message carries (Twilio's `MediaUrl`, fetched by Twilio when it sends)
 * and which business numbers may send them. One module for every place a send starts (workflow
 * replies, the conversations API, `smsctl send`) and for the sender's last check before Twilio, so
 * they all refuse the same things with the same words.
 */

/** Twilio's limit: at most 10 `MediaUrl` per message. */
export const MAX_MEDIA_PER_MESSAGE = 10;

/**
 * Why `url` cannot be a picture of an outbound message; undefined when it can. The outbound URL
 * policy of the stage decides, as for completion webhooks: `https://` to a public host, and on the
 * local stack also loopback, over `http://` too (the console's sample picture).
 */
export function mediaUrlProblem(url: string, policy: OutboundUrlPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute https:// URL such as https://example.com/menu.jpg';
  }
  // The policy's own words for this one speak of signed webhook requests.
  if (parsed.username || parsed.password) return 'must not carry credentials (user:password@)';
  return outboundUrlProblem(url, policy);
}

/**
 * Why a message cannot carry `urls`, naming the list as `field` (`mediaUrls`, `--media`,
 * `routes.0.onComplete.media`) and the first URL refused by its position; undefined when it can.
 */
export function mediaUrlsProblem(
  urls: readonly string[],
  policy: OutboundUrlPolicy,
  field: string,
): string | undefined {
  if (urls.length > MAX_MEDIA_PER_MESSAGE)
    return `${field}: at most ${MAX_MEDIA_PER_MESSAGE} per message (Twilio's limit), ${urls.length} given`;
  for (const [index, url] of urls.entries()) {
    const problem = mediaUrlProblem(url, policy);
    if (problem) return `${field}.${index}: ${problem}`;
  }
  return undefined;
}

/**
 * The pictures of a message made of several texts (a greeting and a prompt, a reason and a prompt),
 * in order, each once: the same picture twice in one MMS only costs its bytes again.
 */
export function combineMedia(...lists: readonly (readonly string[] | undefined)[]): string[] {
  return [...new Set(lists.flatMap((list) => list ?? []))];
}

/**
 * North American Numbering Plan area codes of countries other than the US and Canada (the
 * Caribbean nations and Bermuda): +1 numbers that Twilio does not send MMS from. The US
 * territories (Puerto Rico 787/939, USVI 340, Guam 671, Northern Marianas 670, American Samoa 684)
 * are US numbers. A unit test checks this list against libphonenumber-js's metadata.
 */
export const NANP_AREA_CODES_OUTSIDE_US_AND_CANADA: ReadonlySet<string> = new Set([
  '242', // Bahamas
  '246', // Barbados
  '264', // Anguilla
  '268', // Antigua and Barbuda
  '284', // British Virgin Islands
  '345', // Cayman Islands
  '441', // Bermuda
  '473', // Grenada
  '649', // Turks and Caicos
  '658', // Jamaica
  '664', // Montserrat
  '721', // Sint Maarten
  '758', // Saint Lucia
  '767', // Dominica
  '784', // Saint Vincent and the Grenadines
  '809', // Dominican Republic
  '829', // Dominican Republic
  '849', // Dominican Republic
  '868', // Trinidad and Tobago
  '869', // Saint Kitts and Nevis
  '876', // Jamaica
]);

const NANP_NUMBER = /^\+1(\d{3})\d{7}$/;

/** What a number may send, and why not when it may not. */
export type MmsCapability =
  | { readonly canSend: true; readonly source: 'override' | 'country' }
  | { readonly canSend: false; readonly source: 'override' | 'country'; readonly reason: string };

export const MMS_COUNTRY_REASON =
  'Twilio sends MMS only from US and Canadian numbers (+1 long codes, toll-free numbers and short codes); ' +
  'if this number can, set smsctl number put ... --mms true';
export const MMS_OVERRIDE_REASON = 'the number is set not to send MMS (smsctl number put ... --mms false)';

/**
 * Whether MMS may be sent from `number`: its explicit setting when it has one (`smsctl number put
 * --mms true|false`, for the cases the country rule gets wrong), else the country rule: Twilio sends
 * MMS only from US and Canadian numbers, that is +1 long codes and toll-free numbers outside the
 * other NANP countries, and short codes.
 */
export function mmsCapability(number: string, override?: boolean): MmsCapability {
  if (override === true) return { canSend: true, source: 'override' };
  if (override === false) return { canSend: false, source: 'override', reason: MMS_OVERRIDE_REASON };
  if (senderKind(number) === 'shortCode') return { canSend: true, source: 'country' };
  const areaCode = NANP_NUMBER.exec(number)?.[1];
  if (areaCode !== undefined && !NANP_AREA_CODES_OUTSIDE_US_AND_CANADA.has(areaCode))
    return { canSend: true, source: 'country' };
  return { canSend: false, source: 'country', reason: MMS_COUNTRY_REASON };
}

/**
 * The sender's last check before it calls Twilio (lambdas/sender/send.ts): why this send must not
 * go, recorded as its failure; undefined for a plain SMS or an MMS its number may send. Every place
 * a send starts refuses these earlier; this catches what changed in between or bypassed them.
 */
export function mmsSendRefusal(send: {
  readonly from: string;
  readonly mediaUrls: readonly string[];
  /** The sender number's explicit MMS setting, as queued (OutboundQueueMessage.senderMms). */
  readonly senderMms?: boolean;
}): string | undefined {
  if (send.mediaUrls.length === 0) return undefined;
  if (send.mediaUrls.length > MAX_MEDIA_PER_MESSAGE)
    return `${send.mediaUrls.length} media: at most ${MAX_MEDIA_PER_MESSAGE} per message`;
  const capability = mmsCapability(send.from, send.senderMms);
  return capability.canSend ? undefined : `sender number cannot send MMS: ${capability.reason}`;
}
