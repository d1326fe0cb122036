/** What a customer's message says about one variable. */
export type Extraction =
  /** `matched`: the words the value was read from, when they are a part of the message. */
  | { found: true; value: string; matched?: string }
  /**
   * `refused`: a value was read but is not acceptable (a date on the wrong side of today); its
   * reason is more precise than a variable's `invalidMessage`, which is written for unreadable answers.
   */
  | { found: false; reason: string; refused?: true };

export const DATE_DIRECTIONS = ['past', 'future', 'any'] as const;
export type DateDirection = (typeof DATE_DIRECTIONS)[number];

export interface ExtractOptions {
  /** IANA time zone the customer's "today" is in; default UTC. */
  readonly timeZone?: string;
  /** How a date without a year resolves, and which side of today is accepted; default `any`. */
  readonly direction?: DateDirection;
  /** Earliest acceptable date, in days relative to today (0 = today, -30 = thirty days ago). */
  readonly min?: number;
  /** Latest acceptable date, in days relative to today (60 = sixty days from today). */
  readonly max?: number;
  /** ISO 3166 alpha-2 country a phone number without `+` and country code is read in; default `US`. */
  readonly defaultCountry?: string;
  /**
   * Whether this variable is the one the customer is answering (default true). When false,
   * readings that would only be meant as an answer to its own question are not taken: a bare "4"
   * or "about 3" as a time (it may be a count for another slot).
   */
  readonly asked?: boolean;
  /**
   * The language the customer writes in, a BCP 47 tag ("es", "pt-BR"); its primary subtag picks
   * the words read (dates, times, numbers, yes/no, choice positions) and the language of the
   * reasons. Default (and any language not read) `en`.
   */
  readonly language?: string;
}

/** Lower case, straight apostrophes, single spaces. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
