import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import {
  combineMedia,
  MAX_MEDIA_PER_MESSAGE,
  MMS_COUNTRY_REASON,
  MMS_OVERRIDE_REASON,
  mediaUrlProblem,
  mediaUrlsProblem,
  mmsCapability,
  mmsSendRefusal,
  NANP_AREA_CODES_OUTSIDE_US_AND_CANADA,
} from '../../../lambdas/domain/outbound-media';
import { DEPLOYED_URL_POLICY, LOCAL_URL_POLICY } from '../../../lambdas/domain/outbound-url-policy';

const REFUSED = 'endpoint not allowed';
const HTTPS_ONLY = 'must use https:// (http:// only for 127.0.0.1, [::1] or localhost during development)';
const OK = undefined;

describe('mediaUrlProblem', () => {
  /** [url, answer when deployed, answer in the local stack]: the outbound URL policy, worded for pictures. */
  it.each([
    ['https://example.com/menu.jpg', OK, OK],
    ['https://cdn.example.com/a/b.png?size=large', OK, OK],
    ['http://example.com/menu.jpg', HTTPS_ONLY, HTTPS_ONLY],
    ['ftp://example.com/menu.jpg', HTTPS_ONLY, HTTPS_ONLY],
    ['data:image/png;base64,iVBORw0KGgo=', HTTPS_ONLY, HTTPS_ONLY],
    // The local console's sample picture: loopback, over http://, only on the local stack.
    ['http://127.0.0.1:3000/console/media/parcel.svg', REFUSED, OK],
    ['http://localhost:3000/console/media/parcel.svg', REFUSED, OK],
    ['https://169.254.169.254/latest/meta-data', REFUSED, REFUSED],
    ['https://10.0.0.7/picture.jpg', REFUSED, REFUSED],
    ['https://[fd00:ec2::254]/', REFUSED, REFUSED],
    ['https://example.com/menu.jpg#top', 'must not have a #fragment', 'must not have a #fragment'],
    [
      'https://user:secret@example.com/menu.jpg',
      'must not carry credentials (user:password@)',
      'must not carry credentials (user:password@)',
    ],
    [
      'menu.jpg',
      'must be an absolute https:// URL such as https://example.com/menu.jpg',
      'must be an absolute https:// URL such as https://example.com/menu.jpg',
    ],
    [
      `https://example.com/${'x'.repeat(2048)}`,
      'must be at most 2048 characters',
      'must be at most 2048 characters',
    ],
  ])('%s: deployed %s, local %s', (url, deployed, local) => {
    expect(mediaUrlProblem(url, DEPLOYED_URL_POLICY)).toBe(deployed);
    expect(mediaUrlProblem(url, LOCAL_URL_POLICY)).toBe(local);
  });

  it('accepts every https:// URL to a public name, with any path and query, on every stage', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }), (url) => {
        fc.pre(!/^https:\/\/[^/]*\.(localhost|\d+)([:/]|$)/i.test(url) && url.length <= 2048);
        fc.pre(new URL(url).hostname.includes('.') && !new URL(url).hostname.endsWith('.'));
        expect(mediaUrlProblem(url, DEPLOYED_URL_POLICY)).toBeUndefined();
        expect(mediaUrlProblem(url, LOCAL_URL_POLICY)).toBeUndefined();
      }),
    );
  });
});

describe('mediaUrlsProblem', () => {
  const picture = (index: number) => `https://example.com/${index}.jpg`;

  it(`takes up to ${MAX_MEDIA_PER_MESSAGE} pictures and refuses more (Twilio's limit)`, () => {
    const ten = Array.from({ length: 10 }, (_, index) => picture(index));
    expect(mediaUrlsProblem(ten, DEPLOYED_URL_POLICY, 'mediaUrls')).toBeUndefined();
    expect(mediaUrlsProblem([...ten, picture(10)], DEPLOYED_URL_POLICY, 'mediaUrls')).toBe(
      "mediaUrls: at most 10 per message (Twilio's limit), 11 given",
    );
    expect(mediaUrlsProblem([], DEPLOYED_URL_POLICY, 'mediaUrls')).toBeUndefined();
  });

  it('names the first picture refused by its place in the list', () => {
    expect(
      mediaUrlsProblem(
        [picture(0), 'http://127.0.0.1:3000/a.svg', 'http://example.com/b.jpg'],
        DEPLOYED_URL_POLICY,
        '--media',
      ),
    ).toBe(`--media.1: ${REFUSED}`);
    expect(
      mediaUrlsProblem(
        [picture(0), 'http://127.0.0.1:3000/a.svg', 'http://example.com/b.jpg'],
        LOCAL_URL_POLICY,
        'routes.track.onComplete.media',
      ),
    ).toBe(`routes.track.onComplete.media.2: ${HTTPS_ONLY}`);
  });
});

describe('combineMedia', () => {
  it('keeps every picture once, in the order first given', () => {
    expect(combineMedia(['a', 'b'], undefined, ['b', 'c', 'a'], [])).toEqual(['a', 'b', 'c']);
    expect(combineMedia()).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 6 })), (lists) => {
        const combined = combineMedia(...lists);
        const flat = lists.flat();
        expect(new Set(combined).size).toBe(combined.length);
        expect(new Set(combined)).toEqual(new Set(flat));
        // Order of first appearance.
        expect(combined).toEqual(flat.filter((url, index) => flat.indexOf(url) === index));
      }),
    );
  });
});

describe('mmsCapability', () => {
  it.each([
    ['+15005550006', true], // Twilio's test number (area code 500)
    ['+12125550100', true], // New York long code
    ['+14165550100', true], // Toronto long code
    ['+16045550100', true], // Vancouver
    ['+18005550100', true], // toll-free
    ['+18885550100', true], // toll-free
    ['+17875550100', true], // Puerto Rico: a US number
    ['+16715550100', true], // Guam: a US number
    ['12345', true], // short code
    ['898211', true], // short code
    ['+447700900123', false], // United Kingdom
    ['+4915112345678', false], // Germany
    ['+61412345678', false], // Australia
    ['+18765550100', false], // Jamaica
    ['+18095550100', false], // Dominican Republic
    ['+12425550100', false], // Bahamas
    ['+14415550100', false], // Bermuda
    ['+1212555010', false], // too short for NANP
    ['1234', false], // not a short code
  ])('%s can send MMS: %s (country rule)', (number, canSend) => {
    const capability = mmsCapability(number);
    expect(capability.canSend).toBe(canSend);
    expect(capability.source).toBe('country');
    if (!capability.canSend) expect(capability.reason).toBe(MMS_COUNTRY_REASON);
  });

  it('lets the number setting win over the country rule, both ways', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.stringMatching(/^\+[1-9]\d{6,14}$/), fc.stringMatching(/^\d{5,6}$/)),
        fc.boolean(),
        (number, override) => {
          const capability = mmsCapability(number, override);
          expect(capability).toMatchObject({ canSend: override, source: 'override' });
          if (!capability.canSend) expect(capability.reason).toBe(MMS_OVERRIDE_REASON);
        },
      ),
    );
  });

  it('knows every NANP area code outside the US and Canada that libphonenumber-js knows, and no other', () => {
    // US territories dial +1 and are US numbers for Twilio.
    const US_TERRITORIES = new Set(['PR', 'VI', 'GU', 'MP', 'AS']);
    const outside: string[] = [];
    for (let areaCode = 200; areaCode <= 999; areaCode++) {
      const country = parsePhoneNumberFromString(`+1${areaCode}2345678`)?.country;
      if (country && country !== 'US' && country !== 'CA' && !US_TERRITORIES.has(country))
        outside.push(String(areaCode));
    }
    expect(outside.length).toBeGreaterThan(15);
    expect([...NANP_AREA_CODES_OUTSIDE_US_AND_CANADA].sort()).toEqual(outside.sort());
  });

  it('sends MMS from any +1 number whose area code is not another country', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+1[2-9]\d{9}$/), (number) => {
        const foreign = NANP_AREA_CODES_OUTSIDE_US_AND_CANADA.has(number.slice(2, 5));
        expect(mmsCapability(number).canSend).toBe(!foreign);
      }),
    );
  });
});

describe('mmsSendRefusal (the sender, before Twilio)', () => {
  const PICTURES = ['https://example.com/a.jpg', 'https://example.com/b.jpg'];

  it('never refuses a plain SMS, from any number', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.boolean(), { nil: undefined }), (from, senderMms) => {
        expect(
          mmsSendRefusal({ from, mediaUrls: [], ...(senderMms === undefined ? {} : { senderMms }) }),
        ).toBe(undefined);
      }),
    );
  });

  it('refuses pictures from a number that cannot send MMS, saying why', () => {
    expect(mmsSendRefusal({ from: '+447700900123', mediaUrls: PICTURES })).toBe(
      `sender number cannot send MMS: ${MMS_COUNTRY_REASON}`,
    );
    expect(mmsSendRefusal({ from: '+15005550006', mediaUrls: PICTURES, senderMms: false })).toBe(
      `sender number cannot send MMS: ${MMS_OVERRIDE_REASON}`,
    );
    expect(mmsSendRefusal({ from: '+15005550006', mediaUrls: PICTURES })).toBeUndefined();
    expect(mmsSendRefusal({ from: '+447700900123', mediaUrls: PICTURES, senderMms: true })).toBeUndefined();
  });

  it('refuses more than 10 pictures whatever the number', () => {
    const eleven = Array.from({ length: 11 }, (_, index) => `https://example.com/${index}.jpg`);
    expect(mmsSendRefusal({ from: '+15005550006', mediaUrls: eleven })).toBe(
      '11 media: at most 10 per message',
    );
  });
});
