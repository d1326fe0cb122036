import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressProblem,
  DEPLOYED_URL_POLICY,
  LOCAL_URL_POLICY,
  outboundUrlProblem,
} from '../../../lambdas/domain/outbound-url-policy';

const REFUSED = 'endpoint not allowed';
const HTTPS_ONLY = 'must use https:// (http:// only for 127.0.0.1, [::1] or localhost during development)';
const OK = undefined;

/**
 * [url, answer when deployed, answer in the local stack]. Every spelling of a refused address reads
 * exactly `endpoint not allowed`; only the local stack reaches loopback, and http:// only there.
 */
const URL_FORMS: readonly (readonly [string, string | undefined, string | undefined])[] = [
  // Loopback, however IPv4 is spelled (the URL parser turns each into 127.0.0.1).
  ['http://2130706433/', REFUSED, OK],
  ['https://2130706433/', REFUSED, OK],
  ['https://0x7f.1/', REFUSED, OK],
  ['https://0x7f000001/', REFUSED, OK],
  ['https://0177.0.0.1/', REFUSED, OK],
  ['https://127.1/', REFUSED, OK],
  ['https://%31%32%37.0.0.1/', REFUSED, OK],
  ['https://127。0。0。1/', REFUSED, OK],
  ['http://127.0.0.1:9001/2018-06-01/runtime/invocation/next', REFUSED, OK],
  ['http://127.255.255.254/', REFUSED, OK],
  ['http://localhost:3000/hook', REFUSED, OK],
  ['http://LOCALHOST/hook', REFUSED, OK],
  ['https://foo.localhost/', REFUSED, OK],
  ['http://[::1]:4000/hook', REFUSED, OK],
  ['https://[0:0:0:0:0:0:0:1]/', REFUSED, OK],
  ['https://[::ffff:127.0.0.1]/', REFUSED, OK],
  ['https://[::ffff:7f00:1]/', REFUSED, OK],
  // Trailing dot: never, not even locally.
  ['http://localhost./hook', REFUSED, REFUSED],
  ['https://example.com./hook', REFUSED, REFUSED],
  // IPv6 forms of private, link-local, metadata.
  ['https://[::ffff:a9fe:a9fe]/latest/meta-data', REFUSED, REFUSED],
  ['https://[::ffff:10.0.0.1]/', REFUSED, REFUSED],
  ['https://[fe80::1]/', REFUSED, REFUSED],
  ['https://[febf::1]/', REFUSED, REFUSED],
  ['https://[fd00:ec2::254]/latest/meta-data', REFUSED, REFUSED],
  ['https://[fc00::1]/', REFUSED, REFUSED],
  ['https://[64:ff9b::a00:1]/', REFUSED, REFUSED],
  ['https://[64:ff9b::7f00:1]/', REFUSED, REFUSED],
  ['https://[64:ff9b:1::1]/', REFUSED, REFUSED],
  ['https://[2002:a9fe:a9fe::1]/', REFUSED, REFUSED],
  ['https://[2002:7f00:1::]/', REFUSED, REFUSED],
  ['https://[::7f00:1]/', REFUSED, REFUSED],
  ['https://[::]/', REFUSED, REFUSED],
  ['https://[ff02::1]/', REFUSED, REFUSED],
  ['https://[2001:db8::1]/', REFUSED, REFUSED],
  ['https://[2001::1]/', REFUSED, REFUSED],
  ['https://[3fff::1]/', REFUSED, REFUSED],
  ['https://[100::1]/', REFUSED, REFUSED],
  // IPv4 special ranges and their edges.
  ['https://169.254.169.254/latest/meta-data', REFUSED, REFUSED],
  ['http://169.254.169.254/latest/meta-data', REFUSED, REFUSED],
  ['https://169.254.0.1/', REFUSED, REFUSED],
  ['https://10.0.0.1/', REFUSED, REFUSED],
  ['https://10.255.255.255/', REFUSED, REFUSED],
  ['https://172.15.255.255/', OK, OK],
  ['https://172.16.0.0/', REFUSED, REFUSED],
  ['https://172.31.255.255/', REFUSED, REFUSED],
  ['https://172.32.0.0/', OK, OK],
  ['https://192.168.0.1/', REFUSED, REFUSED],
  ['https://100.63.255.255/', OK, OK],
  ['https://100.64.0.0/', REFUSED, REFUSED],
  ['https://100.127.255.255/', REFUSED, REFUSED],
  ['https://100.128.0.0/', OK, OK],
  ['https://0.0.0.0/', REFUSED, REFUSED],
  ['http://0/', REFUSED, REFUSED],
  ['https://255.255.255.255/', REFUSED, REFUSED],
  ['https://240.0.0.1/', REFUSED, REFUSED],
  ['https://224.0.0.1/', REFUSED, REFUSED],
  ['https://198.18.0.1/', REFUSED, REFUSED],
  ['https://198.19.255.255/', REFUSED, REFUSED],
  ['https://198.20.0.0/', OK, OK],
  ['https://192.0.2.1/', REFUSED, REFUSED],
  ['https://198.51.100.1/', REFUSED, REFUSED],
  ['https://203.0.113.1/', REFUSED, REFUSED],
  ['https://192.0.0.1/', REFUSED, REFUSED],
  // Public: https:// only, in every stage.
  ['https://example.com/hook', OK, OK],
  ['https://8.8.8.8/hook', OK, OK],
  ['https://[2606:4700:4700::1111]/hook', OK, OK],
  ['https://[::ffff:8.8.8.8]/hook', OK, OK],
  ['https://[64:ff9b::808:808]/hook', OK, OK],
  ['https://[2002:808:808::1]/hook', OK, OK],
  ['https://127.0.0.1.nip.io/hook', OK, OK], // a name: judged by what it resolves to, at connect time
  ['http://example.com/hook', HTTPS_ONLY, HTTPS_ONLY],
  ['http://8.8.8.8/hook', HTTPS_ONLY, HTTPS_ONLY],
  ['http://127.0.0.1.nip.io/hook', HTTPS_ONLY, HTTPS_ONLY],
  ['ftp://example.com/hook', HTTPS_ONLY, HTTPS_ONLY],
  ['file:///etc/passwd', HTTPS_ONLY, HTTPS_ONLY],
  // The syntactic refusals keep their fix.
  [
    'https://user:secret@example.com/hook',
    'must not carry credentials (user:password@); the request is signed instead',
    'must not carry credentials (user:password@); the request is signed instead',
  ],
  ['https://example.com/hook#x', 'must not have a #fragment', 'must not have a #fragment'],
  ['https://example.com/hook#', 'must not have a #fragment', 'must not have a #fragment'],
  [
    'example.com/hook',
    'must be an absolute URL such as https://example.com/sms/completed',
    'must be an absolute URL such as https://example.com/sms/completed',
  ],
  [
    'https://[fe80::1%25eth0]/',
    'must be an absolute URL such as https://example.com/sms/completed',
    'must be an absolute URL such as https://example.com/sms/completed',
  ],
  [
    `https://example.com/${'a'.repeat(2048)}`,
    'must be at most 2048 characters',
    'must be at most 2048 characters',
  ],
];

describe('outboundUrlProblem', () => {
  it(`covers ${URL_FORMS.length} URL forms`, () => {
    expect(URL_FORMS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(URL_FORMS)('%s: deployed %s, local %s', (url, deployed, local) => {
    expect(outboundUrlProblem(url, DEPLOYED_URL_POLICY)).toBe(deployed);
    expect(outboundUrlProblem(url, LOCAL_URL_POLICY)).toBe(local);
  });
});

describe('addressProblem (every address a name resolves to, at connect time)', () => {
  it.each([
    ['127.0.0.1', 'https:', REFUSED, OK],
    ['127.0.0.1', 'http:', REFUSED, OK],
    ['::1', 'http:', REFUSED, OK],
    ['::ffff:127.0.0.1', 'https:', REFUSED, OK],
    ['0:0:0:0:0:ffff:7f00:1', 'https:', REFUSED, OK],
    ['169.254.169.254', 'https:', REFUSED, REFUSED],
    ['::ffff:169.254.169.254', 'https:', REFUSED, REFUSED],
    ['fd00:ec2::254', 'https:', REFUSED, REFUSED],
    ['fd00:0ec2:0000:0000:0000:0000:0000:0254', 'https:', REFUSED, REFUSED],
    ['64:ff9b::10.0.0.1', 'https:', REFUSED, REFUSED],
    ['10.1.2.3', 'https:', REFUSED, REFUSED],
    ['fe80::1%eth0', 'https:', REFUSED, REFUSED], // a zone is not parsed: refused
    ['93.184.215.14', 'https:', OK, OK],
    ['93.184.215.14', 'http:', REFUSED, REFUSED], // plain HTTP only to loopback
    ['2606:4700:4700::1111', 'https:', OK, OK],
    ['2001:4860:4860:0:0:0:0:8888', 'https:', OK, OK],
    ['2001:4860:4860::8888', 'https:', OK, OK],
    // Not an address as a resolver prints one: refused, never guessed at.
    ['', 'https:', REFUSED, REFUSED],
    ['localhost', 'https:', REFUSED, REFUSED],
    ['example.com', 'https:', REFUSED, REFUSED],
    ['08.8.8.8', 'https:', REFUSED, REFUSED],
    ['8.8.8.256', 'https:', REFUSED, REFUSED],
    ['8.8.8', 'https:', REFUSED, REFUSED],
    ['1::2::3', 'https:', REFUSED, REFUSED],
    ['2001:4860:4860:0:0:0:0:0:8888', 'https:', REFUSED, REFUSED],
    ['2001:4860::12345', 'https:', REFUSED, REFUSED],
    ['::ffff:8.8.8', 'https:', REFUSED, REFUSED],
  ] as const)('%s over %s: deployed %s, local %s', (address, protocol, deployed, local) => {
    expect(addressProblem(address, DEPLOYED_URL_POLICY, protocol)).toBe(deployed);
    expect(addressProblem(address, LOCAL_URL_POLICY, protocol)).toBe(local);
  });

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const dotted = (octets: readonly number[]) => octets.join('.');
  const hex = (high: number, low: number) => ((high << 8) | low).toString(16);

  it('answers every IPv4 address as it answers its IPv4-mapped IPv6 spellings', () => {
    fc.assert(
      fc.property(ipv4, ([a, b, c, d]) => {
        const answer = addressProblem(dotted([a, b, c, d]), DEPLOYED_URL_POLICY, 'https:');
        expect(addressProblem(`::ffff:${dotted([a, b, c, d])}`, DEPLOYED_URL_POLICY, 'https:')).toBe(answer);
        expect(addressProblem(`::ffff:${hex(a, b)}:${hex(c, d)}`, DEPLOYED_URL_POLICY, 'https:')).toBe(
          answer,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every address of the private, CGNAT, link-local and loopback blocks', () => {
    const inBlock = (first: number, second: fc.Arbitrary<number>) =>
      fc.tuple(fc.constant(first), second, fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(
        fc.oneof(
          inBlock(10, fc.nat(255)),
          inBlock(127, fc.nat(255)),
          inBlock(172, fc.integer({ min: 16, max: 31 })),
          inBlock(192, fc.constant(168)),
          inBlock(169, fc.constant(254)),
          inBlock(100, fc.integer({ min: 64, max: 127 })),
        ),
        (octets) => {
          expect(outboundUrlProblem(`https://${dotted(octets)}/`, DEPLOYED_URL_POLICY)).toBe(REFUSED);
          expect(
            outboundUrlProblem(
              `https://${octets[0] * 2 ** 24 + octets[1] * 2 ** 16 + octets[2] * 256 + octets[3]}/`,
              DEPLOYED_URL_POLICY,
            ),
          ).toBe(REFUSED);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('answers an IPv6 address the same in its full and its compressed spelling', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), fc.nat(7), (groups, zeroRun) => {
        const withZeros = groups.map((group, index) => (index >= zeroRun && index < zeroRun + 3 ? 0 : group));
        const full = withZeros.map((group) => group.toString(16).padStart(4, '0')).join(':');
        const compressed = new URL(`https://[${full}]/`).hostname.slice(1, -1);
        expect(addressProblem(compressed, DEPLOYED_URL_POLICY, 'https:')).toBe(
          addressProblem(full, DEPLOYED_URL_POLICY, 'https:'),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
