import { describe, expect, it } from 'vitest';
import {
  MAX_RECIPIENTS_PER_REQUEST,
  parseCampaignCreate,
  parseRecipientsRequest,
} from '../../../../lambdas/conversations-api/campaigns/request';

const BASE = { from: '+15005550101', workflowId: 'order-status' };

describe('parseCampaignCreate', () => {
  it('reads a full request and fills the defaults of a short one', () => {
    expect(
      parseCampaignCreate({
        name: ' Spring sale ',
        pool: 'main',
        workflowId: 'order-status',
        routeId: 'track-order',
        mediaUrls: ['https://example.com/a.png'],
        quietHours: '21:00 - 08:00',
        startAt: '2026-12-01T09:00:00-05:00',
        timeZone: 'America/Chicago',
        defaultCountry: 'de',
      }),
    ).toEqual({
      ok: true,
      value: {
        name: 'Spring sale',
        sender: { kind: 'pool', pool: 'main' },
        content: { kind: 'workflow', workflowId: 'order-status', routeId: 'track-order' },
        mediaUrls: ['https://example.com/a.png'],
        quietHours: '21:00-08:00',
        startAt: '2026-12-01T09:00:00-05:00',
        timeZone: 'America/Chicago',
        defaultCountry: 'DE',
      },
    });
    expect(
      parseCampaignCreate({ messagingService: true, from: '+15005550101', body: 'Hi {{first_name}}' }),
    ).toEqual({
      ok: true,
      value: {
        sender: { kind: 'messaging-service', from: '+15005550101' },
        content: { kind: 'message', body: 'Hi {{first_name}}' },
        timeZone: 'UTC',
        defaultCountry: 'US',
      },
    });
    // The number its conversations are kept on: replies come back to a number.
    expect(parseCampaignCreate({ messagingService: true, body: 'Hi' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('a messagingService campaign needs from'),
    });
    expect(
      parseCampaignCreate({ messagingService: true, pool: 'p', from: '+15005550101', body: 'Hi' }),
    ).toMatchObject({
      ok: false,
    });
    // Pictures only: no body needed.
    expect(
      parseCampaignCreate({ from: '+15005550101', mediaUrls: ['https://example.com/a.png'] }),
    ).toMatchObject({
      ok: true,
      value: { content: { kind: 'message', body: '' } },
    });
  });

  it.each([
    ['not an object', [], /JSON object/],
    ['an unknown field', { ...BASE, tenant: 'acme' }, /unknown field\(s\): tenant/],
    ['no sender', { workflowId: 'order-status' }, /exactly one of from, pool and messagingService/],
    ['two senders', { ...BASE, pool: 'main' }, /exactly one of from, pool and messagingService/],
    ['a from that is not E.164', { ...BASE, from: '5005550101' }, /from must be an E\.164/],
    ['a bad pool name', { pool: 'Main Pool', body: 'hi' }, /pool must be a pool name/],
    ['messagingService false', { messagingService: false, body: 'hi' }, /messagingService must be true/],
    ['no content', { from: '+15005550101' }, /exactly one of workflowId and body/],
    ['a workflow and a body', { ...BASE, body: 'hi' }, /exactly one of workflowId and body/],
    [
      'a route with a body',
      { from: '+15005550101', body: 'hi', routeId: 'r' },
      /routeId goes with workflowId/,
    ],
    ['an empty body', { from: '+15005550101', body: '  ' }, /non-empty/],
    ['a body over 1600 characters', { from: '+15005550101', body: 'x'.repeat(1601) }, /over 1600/],
    ['a bad workflow id', { from: '+15005550101', workflowId: 'Order Status' }, /workflowId must be/],
    ['media that is not a list', { ...BASE, mediaUrls: 'https://example.com/a.png' }, /list of URLs/],
    ['eleven pictures', { ...BASE, mediaUrls: Array(11).fill('https://example.com/a.png') }, /at most 10/],
    ['quiet hours that are not HH:MM-HH:MM', { ...BASE, quietHours: '9pm-8am' }, /HH:MM-HH:MM/],
    ['quiet hours that never open', { ...BASE, quietHours: '00:00-23:00' }, /leave 1 h a day to send/],
    ['quiet hours of no length', { ...BASE, quietHours: '08:00-08:00' }, /same time/],
    ['a start time that is not a string', { ...BASE, startAt: 1767225600000 }, /startAt must be an ISO 8601/],
    ['an unknown time zone', { ...BASE, timeZone: 'Mars/Olympus' }, /IANA time zone/],
    ['a country that is not a code', { ...BASE, defaultCountry: 'USA' }, /ISO 3166/],
    ['a country unknown to the phone library', { ...BASE, defaultCountry: 'ZZ' }, /not a country/],
    ['an empty name', { ...BASE, name: ' ' }, /name must be/],
  ])('refuses %s', (_name, body, reason) => {
    const parsed = parseCampaignCreate(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('parseRecipientsRequest', () => {
  it('numbers rows by position unless they carry their line, and reads the counts', () => {
    expect(
      parseRecipientsRequest({
        recipients: [
          { phone: '+14155550100', variables: { order_number: '123456' } },
          { phone: '(415) 555-0101', timezone: 'America/Los_Angeles', line: 17 },
        ],
        invalid: 2,
        duplicates: 1,
        complete: true,
      }),
    ).toEqual({
      ok: true,
      value: {
        recipients: [
          { phone: '+14155550100', variables: { order_number: '123456' }, line: 1 },
          { phone: '(415) 555-0101', variables: {}, timezone: 'America/Los_Angeles', line: 17 },
        ],
        invalid: 2,
        duplicates: 1,
        complete: true,
      },
    });
    expect(parseRecipientsRequest({ complete: true })).toEqual({
      ok: true,
      value: { recipients: [], invalid: 0, duplicates: 0, complete: true },
    });
  });

  it.each([
    ['not an object', 'phone', /JSON object/],
    ['an unknown field', { recipients: [], complete: true, done: true }, /unknown field\(s\): done/],
    ['nothing to do', {}, /nothing to do/],
    ['recipients that are not a list', { recipients: {} }, /recipients must be a list/],
    [
      'too many recipients',
      { recipients: Array(MAX_RECIPIENTS_PER_REQUEST + 1).fill({ phone: '+14155550100' }) },
      /at most 500 recipients per request \(501 given\)/,
    ],
    ['a row that is not an object', { recipients: ['+14155550100'] }, /recipients\[0\] must be an object/],
    [
      'a row with an unknown field',
      { recipients: [{ phone: '+1', name: 'x' }] },
      /recipients\[0\]: unknown field/,
    ],
    [
      'a phone that is not a string',
      { recipients: [{ phone: 14155550100 }] },
      /recipients\[0\]\.phone must be a string/,
    ],
    ['a bad line', { recipients: [{ phone: '+1', line: 0 }] }, /line must be a whole number/],
    [
      'variables that are not strings',
      { recipients: [{ phone: '+1', variables: { a: 1 } }] },
      /variables\.a must be a string/,
    ],
    [
      'a variable named like a reserved column',
      { recipients: [{ phone: '+1', variables: { Phone: 'x' } }] },
      /reserved column/,
    ],
    ['a negative invalid count', { invalid: -1 }, /invalid must be a whole number/],
    ['complete that is not a boolean', { complete: 'yes' }, /complete must be true or false/],
  ])('refuses %s', (_name, body, reason) => {
    const parsed = parseRecipientsRequest(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});
