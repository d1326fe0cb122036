import { isE164 } from './phone';
import { segmentsPerSecondFor } from './send-pacing';

/**
 * Number pools: a named set of a tenant's numbers that a campaign spreads its sends over, each
 * number at its own rate, with a sticky sender (a customer gets the same number every time).
 */

/** Lowercase letters, digits and dashes, as workflow ids: a pool name is part of a sort key (`POOL#<name>`). */
export const POOL_NAME_PATTERN = /^[a-z0-9-]{1,64}$/;

/**
 * Twilio's own sender pool (a Messaging Service) holds at most 400 numbers by default (error
 * 21714), so a pool can always become a Messaging Service and back. The item stays small: 400
 * E.164 strings of at most 16 characters are under 7 KB (the item limit is 400 KB; one strongly
 * consistent read unit covers 4 KB, so a pool costs 2), and resolving the members' rates is 4
 * BatchGetItem requests of 100 keys.
 */
export const MAX_POOL_NUMBERS = 400;

export function isValidPoolName(name: string): boolean {
  return POOL_NAME_PATTERN.test(name);
}

/** A pool number and its configured rate (absent: the carrier default for its kind). */
export interface PoolMember {
  readonly number: string;
  readonly segmentsPerSecond?: number;
}

export type PoolNumbersCheck =
  | { readonly ok: true; readonly numbers: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * The numbers of a pool as stored: E.164, each once, sorted (a set, so the same pool always is the
 * same item), between 1 and MAX_POOL_NUMBERS of them.
 */
export function checkPoolNumbers(numbers: readonly string[]): PoolNumbersCheck {
  const invalid = numbers.filter((number) => !isE164(number));
  if (invalid.length > 0)
    return { ok: false, reason: `not an E.164 number: ${invalid.slice(0, 3).join(', ')}` };
  const unique = [...new Set(numbers)].sort();
  if (unique.length === 0) return { ok: false, reason: 'a pool needs at least one number' };
  if (unique.length > MAX_POOL_NUMBERS)
    return { ok: false, reason: `a pool holds at most ${MAX_POOL_NUMBERS} numbers (${unique.length} given)` };
  return { ok: true, numbers: unique };
}

/** Some of a pool's numbers are not numbers the tenant registered (unknown, or another tenant's). */
export class PoolNumbersNotFoundError extends Error {
  constructor(
    readonly tenantId: string,
    readonly numbers: readonly string[],
  ) {
    super(`${numbers.join(', ')} not found for tenant ${tenantId}`);
    this.name = 'PoolNumbersNotFoundError';
  }
}

/** The members once each, by number (a number's rate is the number's, so duplicates add nothing). */
function distinctMembers(members: readonly PoolMember[]): PoolMember[] {
  return [...new Map(members.map((member) => [member.number, member])).values()];
}

/** The pool's total rate in segments per second: what a campaign on it can send at most. */
export function poolRate(numbers: readonly PoolMember[]): number {
  return distinctMembers(numbers).reduce(
    (total, member) => total + segmentsPerSecondFor(member.number, member.segmentsPerSecond),
    0,
  );
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a (32 bits) continued from `state` over the UTF-16 code units of `text` (E.164 numbers are
 * ASCII, so these are their bytes). Non-cryptographic and dependency-free: nobody gains anything
 * by predicting which number texts whom.
 */
function fnv1a(text: string, state = FNV_OFFSET_BASIS): number {
  let hash = state;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * MurmurHash3's 32-bit finalizer. FNV-1a's high bits barely depend on the last characters, and
 * customers' numbers often differ only there; every output bit depends on every input bit after it.
 */
function fmix32(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

const TWO_TO_THE_32 = 2 ** 32;

interface WeightedSender {
  readonly number: string;
  readonly weight: number;
  /** FNV-1a's state after the number and a separator, so each customer costs only its own digits. */
  readonly prefixState: number;
}

/**
 * Picks a sticky sender for many customers of one pool: weighted rendezvous (highest random weight)
 * hashing. Each number draws u = hash(number, customer) in (0, 1) and scores -ln(u) / rate; the
 * lowest score wins. -ln(u) / rate is exponentially distributed with the number's rate, so a number
 * wins the race with probability rate / pool rate: faster numbers get proportionally more
 * customers. A customer's scores do not depend on the other numbers of the pool, so the same pool
 * always gives the same number, adding a number moves only the customers it now wins, and removing
 * one moves only its own customers. The order of the pool does not matter (ties go to the lower
 * number).
 */
export function stickySenderChooser(poolNumbers: readonly PoolMember[]): (customer: string) => string {
  const senders: WeightedSender[] = distinctMembers(poolNumbers).map((member) => ({
    number: member.number,
    weight: segmentsPerSecondFor(member.number, member.segmentsPerSecond),
    prefixState: fnv1a(`${member.number}\n`),
  }));
  if (senders.length === 0) throw new RangeError('a pool needs at least one number');
  return (customer) => {
    let best: WeightedSender | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const sender of senders) {
      // Centred in its 2^-32 step: never 0 (infinite score) nor 1 (a zero score).
      const uniform = (fmix32(fnv1a(customer, sender.prefixState)) + 0.5) / TWO_TO_THE_32;
      const score = -Math.log(uniform) / sender.weight;
      if (score < bestScore || (score === bestScore && best !== undefined && sender.number < best.number)) {
        best = sender;
        bestScore = score;
      }
    }
    return (best as WeightedSender).number;
  };
}

/** The pool number that sends to `customer` (for many customers, build one stickySenderChooser). */
export function stickySender(poolNumbers: readonly PoolMember[], customer: string): string {
  return stickySenderChooser(poolNumbers)(customer);
}
