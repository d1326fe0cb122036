import { UNDELIVERED_ERRORS } from './errors';

/**
 * Fault injection settings. Rates are probabilities from 0 to 1, drawn independently per API
 * request (api*), per message (undelivered, reorderCallbacks), per callback (duplicateCallbacks) or
 * per incoming message (duplicateInbound).
 */
export interface FaultSettings {
  /** Answer an API request with 429 / Twilio error 20429. */
  api429: number;
  /** Answer an API request with 500 / Twilio error 20500 (no message is created). */
  api500: number;
  /** Delay of a slowed API response, in ms. The request is processed first, as a slow Twilio would. */
  apiSlowMs: number;
  /** Share of API responses delayed by `apiSlowMs`. */
  apiSlowRate: number;
  /** Post a status callback twice (same parameters, signature and idempotency token). */
  duplicateCallbacks: number;
  /**
   * Post an incoming-message webhook from the phone twice (same MessageSid, parameters and
   * signature), as Twilio does when it retries a webhook it thinks failed.
   */
  duplicateInbound: number;
  /** Post a message's final callback before its `sent` callback. */
  reorderCallbacks: number;
  /** End a message `undelivered` with `undeliveredErrorCode` instead of `delivered`. */
  undelivered: number;
  undeliveredErrorCode: number;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  api429: 0,
  api500: 0,
  apiSlowMs: 0,
  apiSlowRate: 0,
  duplicateCallbacks: 0,
  duplicateInbound: 0,
  reorderCallbacks: 0,
  undelivered: 0,
  undeliveredErrorCode: 30003,
});

const RATE_KEYS = [
  'api429',
  'api500',
  'apiSlowRate',
  'duplicateCallbacks',
  'duplicateInbound',
  'reorderCallbacks',
  'undelivered',
] as const;
type RateKey = (typeof RATE_KEYS)[number];
const MAX_SLOW_MS = 120_000;

function isRateKey(key: string): key is RateKey {
  return (RATE_KEYS as readonly string[]).includes(key);
}

export type FaultParseResult = { ok: true; value: FaultSettings } | { ok: false; reason: string };

/**
 * Validates a fault document. Keys left out are off: a document describes the whole fault set,
 * so one test's faults never leak into the next by omission.
 */
export function parseFaultSettings(input: unknown): FaultParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reason: 'fault settings must be a JSON object' };
  }
  const settings: FaultSettings = { ...NO_FAULTS };
  for (const [key, value] of Object.entries(input)) {
    if (isRateKey(key)) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        return { ok: false, reason: `${key} must be a number from 0 to 1` };
      }
      settings[key] = value;
    } else if (key === 'apiSlowMs') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SLOW_MS) {
        return { ok: false, reason: `apiSlowMs must be an integer from 0 to ${MAX_SLOW_MS}` };
      }
      settings.apiSlowMs = value;
    } else if (key === 'undeliveredErrorCode') {
      if (typeof value !== 'number' || UNDELIVERED_ERRORS[value] === undefined) {
        return {
          ok: false,
          reason: `undeliveredErrorCode must be one of ${Object.keys(UNDELIVERED_ERRORS).join(', ')}`,
        };
      }
      settings.undeliveredErrorCode = value;
    } else {
      return { ok: false, reason: `unknown fault setting ${JSON.stringify(key)}` };
    }
  }
  return { ok: true, value: settings };
}

/** Draws faults from a (seedable) random source. */
export class FaultDice {
  constructor(private readonly random: () => number) {}

  /** True with probability `rate`; never for 0, always for 1. */
  roll(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }
}
