import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assertValidCreateMessageRequest,
  assertValidMessageList,
  assertValidMessageResource,
  TwilioContractError,
} from '../../support/twilio-contract';

interface Example {
  value: unknown;
}
interface Operation {
  requestBody?: { content: Record<string, { examples: Record<string, Example> }> };
  responses: Record<string, { content?: Record<string, { examples?: Record<string, Example> }> }>;
}
const spec = JSON.parse(
  readFileSync(new URL('../../fixtures/twilio-oai/messages-openapi.json', import.meta.url), 'utf8'),
) as { paths: Record<string, Record<string, Operation>> };

const LIST_PATH = '/2010-04-01/Accounts/{AccountSid}/Messages.json';
const INSTANCE_PATH = '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json';

function examples(operation: Operation | undefined, status: string): [string, unknown][] {
  const content = operation?.responses[status]?.content?.['application/json'];
  return Object.entries(content?.examples ?? {}).map(([name, example]) => [name, example.value]);
}

const resourceExamples = [
  ...examples(spec.paths[LIST_PATH]?.post, '201'),
  ...examples(spec.paths[INSTANCE_PATH]?.get, '200'),
  ...examples(spec.paths[INSTANCE_PATH]?.post, '200'),
];
const listExamples = examples(spec.paths[LIST_PATH]?.get, '200');
const requestExamples = Object.entries(
  spec.paths[LIST_PATH]?.post?.requestBody?.content['application/x-www-form-urlencoded']?.examples ?? {},
)
  // Twilio's own example sends To=94287277+15558675310, which is no phone number or channel address.
  .filter(([name]) => name !== 'createScheduledMessageWhatsapp')
  .map(([name, example]): [string, Record<string, string | string[]>] => [
    name,
    example.value as Record<string, string | string[]>,
  ]);

const VALID_RESOURCE = {
  account_sid: `AC${'d'.repeat(32)}`,
  api_version: '2010-04-01',
  body: 'Hello',
  date_created: 'Thu, 24 Aug 2023 05:01:45 +0000',
  date_sent: null,
  date_updated: 'Thu, 24 Aug 2023 05:01:45 +0000',
  direction: 'outbound-api',
  error_code: null,
  error_message: null,
  from: '+15005550006',
  messaging_service_sid: null,
  num_media: '0',
  num_segments: '1',
  price: null,
  price_unit: 'USD',
  sid: `SM${'a'.repeat(32)}`,
  status: 'queued',
  subresource_uris: { media: '/2010-04-01/Accounts/AC/Messages/SM/Media.json' },
  to: '+15551234567',
  uri: '/2010-04-01/Accounts/AC/Messages/SM.json',
};

function problemsOf(check: () => void): string[] {
  try {
    check();
  } catch (error) {
    if (error instanceof TwilioContractError) return error.problems;
    throw error;
  }
  return [];
}

describe('Twilio contract helpers accept Twilio’s own examples', () => {
  it('has examples to check', () => {
    expect(resourceExamples.length).toBeGreaterThanOrEqual(9);
    expect(listExamples.length).toBeGreaterThanOrEqual(7);
    expect(requestExamples.length).toBeGreaterThanOrEqual(6);
  });

  it.each(resourceExamples)('Message resource example %s', (_name, value) => {
    assertValidMessageResource(value);
  });

  it.each(listExamples)('list page example %s', (_name, value) => {
    assertValidMessageList(value);
  });

  it.each(requestExamples)('create request example %s (unknown parameters allowed)', (_name, value) => {
    assertValidCreateMessageRequest(value, { allowUnknownParameters: true });
  });
});

describe('assertValidMessageResource', () => {
  it('requires every field, as Twilio always sends them', () => {
    const { price: _price, ...withoutPrice } = VALID_RESOURCE;
    expect(problemsOf(() => assertValidMessageResource(withoutPrice))).toEqual([
      "(root) must have required property 'price'",
    ]);
  });

  it('checks enums, SID patterns and RFC 2822 dates', () => {
    const problems = problemsOf(() =>
      assertValidMessageResource({
        ...VALID_RESOURCE,
        status: 'done',
        sid: 'SMxyz',
        date_created: '2023-08-24T05:01:45Z',
        num_segments: 1,
      }),
    );
    expect(problems.join('\n')).toMatch(/\/status must be equal to one of the allowed values/);
    expect(problems.join('\n')).toMatch(/\/sid must match pattern/);
    expect(problems.join('\n')).toMatch(/\/date_created must match format "date-time-rfc-2822"/);
    expect(problems.join('\n')).toMatch(/\/num_segments must be string/);
  });
});

describe('assertValidMessageList', () => {
  it('rejects a page without paging fields', () => {
    expect(problemsOf(() => assertValidMessageList({ messages: [VALID_RESOURCE] }))).toContain(
      "(root) must have required property 'next_page_uri'",
    );
  });

  it('checks every message of the page', () => {
    const page = {
      messages: [{ ...VALID_RESOURCE, direction: 'sideways' }],
      end: 0,
      first_page_uri: '/x?Page=0',
      next_page_uri: null,
      page: 0,
      page_size: 50,
      previous_page_uri: null,
      start: 0,
      uri: '/x?Page=0',
    };
    expect(problemsOf(() => assertValidMessageList(page))[0]).toMatch(/^\/messages\/0\/direction/);
  });
});

describe('assertValidCreateMessageRequest', () => {
  const valid = {
    To: '+15551234567',
    From: '+15005550006',
    Body: 'Hi',
    StatusCallback: 'https://sms.example.com/webhooks/twilio/demo/status',
  };

  it('accepts parsed forms and raw bodies, single or repeated MediaUrl', () => {
    assertValidCreateMessageRequest(valid);
    assertValidCreateMessageRequest({ ...valid, MediaUrl: 'https://example.com/a.png' });
    assertValidCreateMessageRequest({
      ...valid,
      MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'],
    });
    assertValidCreateMessageRequest(
      `To=%2B15551234567&MessagingServiceSid=MG${'a'.repeat(32)}&Body=Hi+there&ValidityPeriod=600`,
    );
  });

  it('rejects misspelt parameters Twilio would silently ignore', () => {
    expect(problemsOf(() => assertValidCreateMessageRequest({ ...valid, StatusCallBack: 'x' }))).toEqual([
      '(root) must NOT have additional properties (StatusCallBack)',
    ]);
  });

  it('rejects repeated single-valued parameters, relative callback URLs and wrong types', () => {
    const problems = problemsOf(() =>
      assertValidCreateMessageRequest({
        ...valid,
        To: ['+15551234567', '+15557654321'],
        StatusCallback: '/webhooks/twilio/demo/status',
        ValidityPeriod: 'soon',
        MessagingServiceSid: 'MG123',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        '/To must be string',
        '/StatusCallback must match format "uri"',
        '/ValidityPeriod must be integer',
        '/MessagingServiceSid must NOT have fewer than 34 characters',
      ]),
    );
  });

  it('applies Twilio’s documented rules the schema cannot express', () => {
    expect(problemsOf(() => assertValidCreateMessageRequest({ To: '+15551234567' }))).toEqual([
      'one of From or MessagingServiceSid is required',
      'one of Body, MediaUrl or ContentSid is required',
    ]);
    const media = Array.from({ length: 11 }, (_, index) => `https://example.com/${index}.png`);
    expect(problemsOf(() => assertValidCreateMessageRequest({ ...valid, MediaUrl: media }))).toEqual([
      'at most 10 MediaUrl (got 11)',
    ]);
  });

  it('requires To', () => {
    expect(problemsOf(() => assertValidCreateMessageRequest({ From: '+15005550006', Body: 'x' }))).toEqual([
      "(root) must have required property 'To'",
    ]);
  });

  it('does not modify the form it checks', () => {
    const form = { ...valid, MediaUrl: 'https://example.com/a.png', ProvideFeedback: 'true' };
    const before = structuredClone(form);
    assertValidCreateMessageRequest(form);
    expect(form).toEqual(before);
  });
});
