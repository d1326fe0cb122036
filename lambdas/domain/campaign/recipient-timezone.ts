import { parsePhoneNumberFromString } from '../workflow/extract/phone-library';
import { isValidTimeZone, offsetMs } from './wall-clock';

/**
 * Whose clock quiet hours are read on, for one recipient, most certain first:
 * - `recipient`: the file's `timezone` column;
 * - `country`: the country of the recipient's number, when the whole country keeps one time (France,
 *   Japan, the UK; Germany too, whose second zone Busingen keeps Berlin's time);
 * - `tenant`: the tenant's default time zone, for every other number (the United States, Canada,
 *   Brazil, Russia, Australia, ... span several zones).
 *
 * Country to zones is CLDR's list that ICU ships with the runtime (`Intl.Locale`), so it is as
 * current as Node itself and costs no dependency. No maintained source maps North American area
 * codes to time zones in a form that bundles into a function (Google's libphonenumber has the map,
 * but its JavaScript ports either leave it out or ship it as 14 MB of files read from disk, pinned
 * to an older libphonenumber-js), so US and Canadian numbers without a `timezone` column use the
 * tenant's zone.
 */
export type TimeZoneSource = 'recipient' | 'country' | 'tenant';

export interface ResolvedTimeZone {
  readonly timeZone: string;
  readonly source: TimeZoneSource;
}

/** `Intl.Locale`'s time zones: a method from V8 12.x (Node 22), a getter before (Node 20). */
interface LocaleTimeZones {
  readonly getTimeZones?: () => string[] | undefined;
  readonly timeZones?: string[];
}

function zonesOfCountry(country: string): readonly string[] {
  try {
    const locale = new Intl.Locale(`und-${country}`) as unknown as LocaleTimeZones;
    return locale.getTimeZones?.() ?? locale.timeZones ?? [];
  } catch {
    return [];
  }
}

/**
 * Instants the zones are compared at: every ten days over two years either side of `year`, so a
 * summer-time rule, or a change planned for next year, that one zone has and another has not shows.
 */
function sampleInstants(year: number): number[] {
  const instants: number[] = [];
  for (let at = Date.UTC(year - 1, 0, 1); at < Date.UTC(year + 2, 0, 1); at += 10 * 86_400_000)
    instants.push(at);
  return instants;
}

const countryZones = new Map<string, string | undefined>();

/**
 * The time zone of `country` (ISO 3166 alpha-2) when the whole country keeps one time around
 * `now`: its only zone, or the first of zones that all agree. Undefined when its zones differ or
 * the runtime knows none.
 */
export function countryTimeZone(country: string, now: Date): string | undefined {
  if (!/^[A-Z]{2}$/.test(country)) return undefined;
  const year = now.getUTCFullYear();
  const key = `${country}:${year}`;
  if (countryZones.has(key)) return countryZones.get(key);
  const zones = zonesOfCountry(country).filter(isValidTimeZone);
  let zone: string | undefined;
  if (zones.length === 1) zone = zones[0];
  else if (zones.length > 1) {
    const [first, ...others] = zones as [string, ...string[]];
    const instants = sampleInstants(year);
    const agree = others.every((other) =>
      instants.every((at) => offsetMs(at, other) === offsetMs(at, first)),
    );
    zone = agree ? first : undefined;
  }
  countryZones.set(key, zone);
  return zone;
}

/** The country (ISO 3166 alpha-2) of an E.164 number, when its numbering plan says. */
export function countryOfPhone(phone: string): string | undefined {
  return parsePhoneNumberFromString(phone)?.country;
}

/**
 * The time zone quiet hours are read in for a recipient (see TimeZoneSource). `timezone` is the
 * file's column (already checked by the recipients reader; an unknown zone is passed over here
 * rather than trusted); `country` the number's country when known (the recipients reader gives
 * it), else read from `phone`. `tenantTimeZone` must be a valid zone.
 */
export function resolveRecipientTimeZone(
  recipient: { readonly timezone?: string; readonly country?: string; readonly phone?: string },
  tenantTimeZone: string,
  now: Date,
): ResolvedTimeZone {
  if (recipient.timezone !== undefined && isValidTimeZone(recipient.timezone))
    return { timeZone: recipient.timezone, source: 'recipient' };
  const country =
    recipient.country ?? (recipient.phone !== undefined ? countryOfPhone(recipient.phone) : undefined);
  const zone = country !== undefined ? countryTimeZone(country, now) : undefined;
  if (zone !== undefined) return { timeZone: zone, source: 'country' };
  if (!isValidTimeZone(tenantTimeZone))
    throw new RangeError(`the tenant's time zone "${tenantTimeZone}" is not an IANA time zone`);
  return { timeZone: tenantTimeZone, source: 'tenant' };
}
