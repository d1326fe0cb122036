import { createHmac } from 'node:crypto';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { describe, expect, it } from 'vitest';
import { type SignedParams, signaturePayload, twilioSignature } from '../../../local/twilio-sim/signature';

const TOKEN = '0123456789abcdef0123456789abcdef';

/** Vectors covering what Twilio posts: plain forms, repeated names, unicode, empties, odd URLs. */
const VECTORS: { name: string; url: string; params: SignedParams }[] = [
  {
    name: 'status callback',
    url: 'https://sms.example.com/webhooks/twilio/demo/status',
    params: {
      AccountSid: `AC${'d'.repeat(32)}`,
      ApiVersion: '2010-04-01',
      From: '+15005550006',
      MessageSid: `SM${'a'.repeat(32)}`,
      MessageStatus: 'delivered',
      RawDlrDoneDate: '2611221846',
      SmsSid: `SM${'a'.repeat(32)}`,
      SmsStatus: 'delivered',
      To: '+15551234567',
    },
  },
  {
    name: 'repeated parameter (values in unsorted order)',
    url: 'http://127.0.0.1:3000/webhooks/twilio/demo/inbound',
    params: {
      Body: 'hi',
      MediaUrl: ['https://b.example/2.png', 'https://a.example/1.png', 'https://c.example/0.png'],
    },
  },
  {
    name: 'repeated parameter with identical values',
    url: 'http://127.0.0.1:3000/hook',
    params: { Tag: ['x', 'y', 'x'] },
  },
  {
    name: 'unicode, spaces, symbols and empty values',
    url: 'https://example.com/hook',
    params: { Body: 'Ça va? 👍 {braces} & = + %20', FromCity: '', ToState: '', Emoji: '😀😀' },
  },
  {
    name: 'URL with query string and explicit port',
    url: 'https://example.com:8443/hook?tenant=demo&x=1',
    params: { MessageSid: `SM${'b'.repeat(32)}`, MessageStatus: 'sent' },
  },
  {
    name: 'names whose sort order differs from insertion order (case matters)',
    url: 'https://example.com/hook',
    params: { b: '1', B: '2', a: '3', A: '4', _z: '5' },
  },
  { name: 'no parameters', url: 'https://example.com/hook?bodySHA256=abc', params: {} },
];

describe('twilioSignature', () => {
  it.each(VECTORS)('agrees with twilio validateRequest: $name', ({ url, params }) => {
    const signature = twilioSignature(TOKEN, url, params);
    // twilio's validator takes mutable params; copy so the vector stays untouched.
    expect(validateRequest(TOKEN, signature, url, structuredClone(params) as Record<string, string>)).toBe(
      true,
    );
  });

  it.each(VECTORS)('is rejected by validateRequest with another token or URL: $name', ({ url, params }) => {
    const signature = twilioSignature(TOKEN, url, params);
    const copy = () => structuredClone(params) as Record<string, string>;
    expect(validateRequest('another-token', signature, url, copy())).toBe(false);
    expect(validateRequest(TOKEN, signature, `${url}x`, copy())).toBe(false);
  });

  it('is rejected when a parameter changes or is added', () => {
    const url = 'https://example.com/hook';
    const signature = twilioSignature(TOKEN, url, { MessageStatus: 'sent', To: '+15551234567' });
    expect(validateRequest(TOKEN, signature, url, { MessageStatus: 'delivered', To: '+15551234567' })).toBe(
      false,
    );
    expect(validateRequest(TOKEN, signature, url, { MessageStatus: 'sent', To: '+15551234567', X: '' })).toBe(
      false,
    );
  });

  it('is base64 HMAC-SHA1 over the URL followed by sorted name+value pairs', () => {
    const url = 'https://example.com/hook?a=1';
    const params = { To: '+1555', Body: 'hi', MediaUrl: ['u2', 'u1'] };
    expect(signaturePayload(url, params)).toBe(
      'https://example.com/hook?a=1BodyhiMediaUrlu1MediaUrlu2To+1555',
    );
    const expected = createHmac('sha1', TOKEN).update(signaturePayload(url, params)).digest('base64');
    expect(twilioSignature(TOKEN, url, params)).toBe(expected);
  });
});
