import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseFormBody } from '../../../lambdas/domain/form-body';
import {
  isValidTwilioSignature,
  isWellFormedTwilioSignature,
} from '../../../lambdas/domain/webhook-signature';

// Vectors from twilio-node's spec/validation.spec.js (the reference implementation's own tests).
const token = '12345';
const defaultParams = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const requestUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const defaultSignature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
const body = '{"property": "value", "boolean": true}';
const bodySignature = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const bodySignatureEmpty = '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

function check(
  signature: string,
  url: string,
  params: Record<string, string | string[]> = defaultParams,
  jsonBody = '',
) {
  return jsonBody
    ? isValidTwilioSignature({ authToken: token, signature, url, jsonBody })
    : isValidTwilioSignature({ authToken: token, signature, url, params });
}

describe('X-Twilio-Signature (twilio-node validation.spec vectors)', () => {
  const valid: [string, string, string, Record<string, string | string[]>?, string?][] = [
    ['the correct signature', defaultSignature, requestUrl],
    ['https URL with a port, by stripping it', defaultSignature, requestUrl.replace('.com', '.com:1234')],
    [
      'http URL with a port',
      'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=',
      requestUrl.replace('.com', '.com:1234').replace('https', 'http'),
    ],
    ['https URL signed with :443 added', 'kvajT1Ptam85bY51eRf/AJRuM3w=', requestUrl],
    ['http URL signed with :80 added', '0ZXoZLH/DfblKGATFgpif+LLRf4=', requestUrl.replace('https', 'http')],
    [
      'URL with credentials',
      'CukzLTc1tT5dXEDIHm/tKBanW10=',
      'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2',
    ],
    [
      'URL with just a username',
      '2YRLlVAflCqxaNicjMpJcSTgzSs=',
      'https://user@mycompany.com/myapp.php?foo=1&bar=2',
    ],
    [
      'URL with credentials, port added',
      'ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=',
      'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2',
    ],
    ['URL with special characters', 'dsq4Ehbj6cs+KdTkpF5sSSplOWw=', `${requestUrl}&Body=It's+amazing`],
    [
      'an array parameter',
      '83O6e2vORAoJHUNzJjDWN1jz+BA=',
      requestUrl,
      { 'MessagingBinding.Address': ['+1325xxxxxxx', '+1415xxxxxxx'] },
    ],
    [
      'an array parameter in another order',
      '83O6e2vORAoJHUNzJjDWN1jz+BA=',
      requestUrl,
      { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] },
    ],
    [
      'multiple params and repeated values',
      'IK+Dwps556ElfBT0I3Rgjkr1wJU=',
      requestUrl,
      { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] },
    ],
    [
      'a body hash (bodySHA256)',
      'a9nBmqA0ju/hNViExpshrM61xv4=',
      `${requestUrl}&bodySHA256=${bodySignature}`,
      {},
      body,
    ],
    [
      'an empty JSON body hash',
      'Ldidvp12m26NI7eqEvxnEpkd9Hc=',
      `${requestUrl}&bodySHA256=${bodySignatureEmpty}`,
      {},
      '{}',
    ],
    [
      'only the bodySHA256 param',
      'y77kIzt2vzLz71DgmJGsen2scGs=',
      `https://mycompany.com/myapp.php?bodySHA256=${bodySignature.replace('+', '%2B').replace('=', '%3D')}`,
      {},
      body,
    ],
  ];
  it.each(valid)('accepts %s', (_name, signature, url, params, rawBody) => {
    expect(check(signature, url, params ?? defaultParams, rawBody ?? '')).toBe(true);
  });

  const invalid: [string, string, string, Record<string, string | string[]>?, string?][] = [
    ['a wrong signature', 'WRONG_SIGNATURE', requestUrl],
    ['an empty signature', '', requestUrl],
    [
      'a body with the wrong hash',
      'a9nBmqA0ju/hNViExpshrM61xv4=',
      `${requestUrl}&bodySHA256=${bodySignature.slice(0, -1)}`,
      {},
      body,
    ],
    ['a body without a bodySHA256 param', defaultSignature, requestUrl, defaultParams, body],
    ['an unexpected extra query parameter', defaultSignature, `${requestUrl}&somethingUnexpected=true`],
    ['a truncated signature', defaultSignature.slice(0, -2), requestUrl],
    ['a tampered parameter', defaultSignature, requestUrl, { ...defaultParams, Digits: '1235' }],
    ['an added parameter', defaultSignature, requestUrl, { ...defaultParams, Extra: '' }],
  ];
  it.each(invalid)('rejects %s', (_name, signature, url, params, rawBody) => {
    expect(check(signature, url, params ?? defaultParams, rawBody ?? '')).toBe(false);
  });

  it('agrees with a signature computed from the algorithm over a parsed form body', () => {
    const url = 'https://example.execute-api.us-east-1.amazonaws.com/dev/webhooks/twilio/demo/inbound';
    const raw = 'Body=Hi+there%21&From=%2B15551234567&To=%2B15005550006&NumMedia=0';
    const parsed = parseFormBody(raw);
    if (!parsed.ok) throw new Error(parsed.reason);
    const data = Object.keys(parsed.params)
      .sort()
      .reduce((acc, key) => acc + key + String(parsed.params[key]), url);
    const signature = createHmac('sha1', 'secret-token').update(data).digest('base64');
    expect(isValidTwilioSignature({ authToken: 'secret-token', signature, url, params: parsed.params })).toBe(
      true,
    );
    expect(isValidTwilioSignature({ authToken: 'other-token', signature, url, params: parsed.params })).toBe(
      false,
    );
  });
});

describe('the shape of X-Twilio-Signature (checked before any secret is read)', () => {
  it('accepts what Twilio sends: base64 of a 20-byte HMAC-SHA1', () => {
    for (let i = 0; i < 200; i++) {
      const signature = createHmac('sha1', `token-${i}`).update(`data-${i}`).digest('base64');
      expect(isWellFormedTwilioSignature(signature), signature).toBe(true);
    }
  });

  it.each([
    ['empty', ''],
    ['one character', 'x'],
    ['unpadded', 'A'.repeat(27)],
    ['two padding characters', `${'A'.repeat(26)}==`],
    ['29 characters', `${'A'.repeat(28)}=`],
    ['an HMAC-SHA256', createHmac('sha256', 'k').update('d').digest('base64')],
    ['hex', createHmac('sha1', 'k').update('d').digest('hex')],
    ['base64url', `${'-'.repeat(26)}_=`],
    ['non-canonical last character', `${'A'.repeat(26)}B=`],
    ['a trailing space', `${createHmac('sha1', 'k').update('d').digest('base64')} `],
    ['a line break', `${'A'.repeat(13)}\n${'A'.repeat(13)}=`],
  ])('refuses %s', (_name, signature) => {
    expect(isWellFormedTwilioSignature(signature)).toBe(false);
    expect(isValidTwilioSignature({ authToken: 'k', signature, url: 'https://x.test/', params: {} })).toBe(
      false,
    );
  });
});
