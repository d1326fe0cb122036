/**
 * What never enters a prompt: the customer's phone number (it is the conversation's key, and the
 * model needs none), any other phone number the message holds, and any secret the caller names.
 *
 * A phone number is any run of 7 or more digits, optionally led by `+` and broken by spaces, dots,
 * dashes or parentheses ("+1 (415) 555-0100", "415.555.0100", "4155550100"). That also hides long
 * identifiers (an 8-digit account number) from the model: digits are what the rules read best, so
 * a variable made of 7 or more digits is left to them. A 6-digit order number stays.
 */
export const SCRUBBED = '[number removed]';

const PHONE_LIKE = /\+?\(?\d(?:[\s.()-]{0,3}\d){6,}/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function scrubForPrompt(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length >= 4) scrubbed = scrubbed.replace(new RegExp(escapeRegex(secret), 'gi'), '[removed]');
  }
  return scrubbed.replace(PHONE_LIKE, SCRUBBED);
}

/** The digits of a text: how a number is recognised whatever its punctuation. */
export function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}
