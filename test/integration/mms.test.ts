import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundSend, transcriptKey } from '../../lambdas/domain/queue-messages';
import { SAMPLE_MEDIA_PATH } from '../../local/console/assets';
import { LOCAL_API_PRINCIPAL } from '../../local/stack';
import { allValues } from '../../local/twilio-sim/form';
import type { SimMessage } from '../../local/twilio-sim/messages';
import {
  repliesTo,
  text,
  transcriptOf,
  useLocalStack,
  waitForOutboundStatus,
  waitForReplies,
} from '../support/local-stack';
import { signedFetch } from '../support/sigv4';
import { useSmsctl } from '../support/smsctl';
import { sleep } from '../support/wait';

/**
 * Outbound MMS through the local stack: a workflow's reply, a conversations API start and
 * `smsctl send --media` each reach the Twilio simulator with both pictures, and every refusal
 * (too many, not a URL the stage takes, a number that cannot send MMS) happens before anything is
 * sent; the sender itself never hands Twilio pictures from such a number.
 *
 * The pictures are the local console's sample (served by the local API, loopback over http://),
 * which only the local stack's outbound URL policy admits.
 */
const stack = useLocalStack();
const { smsctl, json } = useSmsctl(stack);

const TENANT = {
  tenantId: 'mms-co',
  accountSid: `AC${'c3'.repeat(16)}`,
  authToken: 'mms-co-token-0123456789abcdef0123',
};
/** A US long code (MMS by the country rule) and a UK one (no MMS unless set). */
const US_NUMBER = '+15005550401';
const UK_NUMBER = '+447700900401';
const PHOTO_WORKFLOW = 'photo-order';

let tmp = '';
let pictures: [string, string];

/** The photo workflow: the order number's prompt carries two pictures. */
async function photoWorkflowFile(id: string, withPictures: boolean): Promise<string> {
  const file = path.join(tmp, `${id}-${String(withPictures)}.json`);
  const definition = {
    id,
    routes: [
      {
        id: 'track',
        match: { keywords: ['track'] },
        mandatoryVariables: [
          {
            name: 'order_number',
            type: 'pattern',
            pattern: '\\b\\d{6}\\b',
            prompt: 'Your order number is on the receipt, as shown.',
            ...(withPictures ? { promptMedia: pictures } : {}),
          },
        ],
        onComplete: { reply: 'Thanks! Order {{order_number}} is on its way.' },
      },
    ],
    fallback: { reply: 'Text TRACK to track an order.' },
    failureMessage: 'Sorry, something went wrong.',
  };
  await writeFile(file, JSON.stringify(definition));
  return file;
}

function start(body: unknown) {
  return signedFetch(
    `${stack().apiUrl}/v1/tenants/${TENANT.tenantId}/conversations`,
    { method: 'POST', body: JSON.stringify(body) },
    LOCAL_API_PRINCIPAL,
  );
}

/** The MediaUrl parameters Twilio (the simulator) received for a message. */
function mediaOf(message: SimMessage | undefined): string[] {
  return message ? allValues(message.request.params, 'MediaUrl') : [];
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'mms-'));
  const sample = `${stack().apiUrl}${SAMPLE_MEDIA_PATH}`;
  pictures = [sample, `${sample}?size=large`];
  await json(
    'tenant',
    'put',
    '--tenant',
    TENANT.tenantId,
    '--account-sid',
    TENANT.accountSid,
    '--auth-token',
    TENANT.authToken,
  );
  await json(
    'workflow',
    'put',
    '--tenant',
    TENANT.tenantId,
    '--file',
    await photoWorkflowFile(PHOTO_WORKFLOW, true),
  );
  await json(
    'number',
    'put',
    '--tenant',
    TENANT.tenantId,
    '--number',
    US_NUMBER,
    '--workflow',
    PHOTO_WORKFLOW,
  );
  // The UK number answers with an SMS-only workflow.
  await json(
    'workflow',
    'put',
    '--tenant',
    TENANT.tenantId,
    '--file',
    await photoWorkflowFile('plain', false),
  );
  await json('number', 'put', '--tenant', TENANT.tenantId, '--number', UK_NUMBER, '--workflow', 'plain');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('outbound MMS (local stack)', () => {
  it('sends a workflow reply with two pictures, and the transcript lists them', async () => {
    // The console's sample picture is really served where the pictures point.
    const served = await fetch(pictures[0]);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(await served.text()).toBe(await readFile('local/console/web/media/parcel.svg', 'utf8'));

    const customer = '+15557780001';
    await text(stack(), { tenantId: TENANT.tenantId, from: customer, to: US_NUMBER, body: 'track my order' });
    const [reply] = await waitForReplies(stack(), customer, 1);
    expect(reply?.resource).toMatchObject({
      from: US_NUMBER,
      body: 'Your order number is on the receipt, as shown.',
      num_media: '2',
    });
    expect(mediaOf(reply)).toEqual(pictures);

    const delivered = await waitForOutboundStatus(stack(), customer, 0, ['delivered'], TENANT.tenantId);
    expect(delivered.mediaUrls).toEqual(pictures);
    // The next reply (no pictures) is a plain SMS.
    await text(stack(), { tenantId: TENANT.tenantId, from: customer, to: US_NUMBER, body: '123456' });
    const [, done] = await waitForReplies(stack(), customer, 2);
    expect(done?.resource).toMatchObject({ body: 'Thanks! Order 123456 is on its way.', num_media: '0' });
    expect(mediaOf(done)).toEqual([]);
  });

  it('sends the API’s message with two pictures, a message of pictures only, and a workflow start with them', async () => {
    const customer = '+15557780002';
    const message = await start({ from: US_NUMBER, to: customer, body: 'Your parcel', mediaUrls: pictures });
    expect(message.status).toBe(201);
    const [sent] = await waitForReplies(stack(), customer, 1);
    expect(sent?.resource).toMatchObject({ body: 'Your parcel', num_media: '2' });
    expect(mediaOf(sent)).toEqual(pictures);

    const picturesOnly = await start({ from: US_NUMBER, to: customer, mediaUrls: [pictures[1]] });
    expect(picturesOnly.status).toBe(201);
    const [, onlyPictures] = await waitForReplies(stack(), customer, 2);
    expect(onlyPictures?.resource).toMatchObject({ body: '', num_media: '1' });
    expect(mediaOf(onlyPictures)).toEqual([pictures[1]]);
    const transcript = await transcriptOf(stack(), customer, TENANT.tenantId);
    expect(transcript.map((entry) => entry.mediaUrls)).toEqual([pictures, [pictures[1]]]);

    // A workflow start: the caller's picture after the workflow's own, each once.
    const other = '+15557780003';
    const extra = `${pictures[0]}?size=small`;
    const workflowStart = await start({
      from: US_NUMBER,
      to: other,
      workflowId: PHOTO_WORKFLOW,
      mediaUrls: [pictures[0], extra],
    });
    expect(workflowStart.status).toBe(201);
    const [opening] = await waitForReplies(stack(), other, 1);
    expect(mediaOf(opening)).toEqual([...pictures, extra]);
  });

  it('sends `smsctl send --media A --media B` with both pictures', async () => {
    const customer = '+15557780004';
    const sent = await json<{ kind: string }>(
      'send',
      '--tenant',
      TENANT.tenantId,
      '--from',
      US_NUMBER,
      '--to',
      customer,
      '--body',
      'From the CLI',
      '--media',
      pictures[0],
      '--media',
      pictures[1],
    );
    expect(sent.kind).toBe('message');
    const [sms] = await waitForReplies(stack(), customer, 1);
    expect(sms?.resource).toMatchObject({ body: 'From the CLI', num_media: '2' });
    expect(mediaOf(sms)).toEqual(pictures);
  });

  it('refuses what cannot be sent before sending anything: API 400/422, smsctl errors', async () => {
    const customer = '+15557780005';
    const eleven = Array.from({ length: 11 }, (_, index) => `${pictures[0]}?n=${index}`);
    const refusals = [
      [{ body: 'x', mediaUrls: eleven }, 400, 'invalid-request', /at most 10 per message/],
      [
        { body: 'x', mediaUrls: ['http://example.com/a.jpg'] },
        400,
        'invalid-request',
        /mediaUrls\.0: must use https/,
      ],
      [
        { body: 'x', mediaUrls: ['https://169.254.169.254/a.jpg'] },
        400,
        'invalid-request',
        /endpoint not allowed/,
      ],
      [{ body: 'x', mediaUrls: 'one.jpg' }, 400, 'invalid-request', /must be a list of URLs/],
      [
        { body: 'x', from: UK_NUMBER, mediaUrls: pictures },
        422,
        'mms-not-supported',
        /^from cannot send MMS: Twilio sends MMS only from US and Canadian numbers/,
      ],
    ] as const;
    for (const [body, status, error, message] of refusals) {
      const response = await start({ from: US_NUMBER, to: customer, ...body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      const answer = (await response.json()) as { error: string; message: string };
      expect(answer.error).toBe(error);
      expect(answer.message).toMatch(message);
    }
    const cli = await smsctl(
      'send',
      '--tenant',
      TENANT.tenantId,
      '--from',
      UK_NUMBER,
      '--to',
      customer,
      '--body',
      'x',
      '--media',
      pictures[0],
    );
    expect(cli.code).toBe(1);
    expect(cli.error).toMatch(/^\+447700900401 cannot send MMS: Twilio sends MMS only from US and Canadian/);
    const badUrl = await smsctl(
      'send',
      '--tenant',
      TENANT.tenantId,
      '--from',
      US_NUMBER,
      '--to',
      customer,
      '--media',
      'ftp://example.com/a.jpg',
    );
    expect(badUrl.code).toBe(2);
    expect(badUrl.error).toMatch(/^--media\.0: must use https/);

    await sleep(300);
    expect(repliesTo(stack(), customer)).toEqual([]);
    // A plain SMS from the UK number goes.
    expect((await start({ from: UK_NUMBER, to: customer, body: 'plain' })).status).toBe(201);
    await waitForReplies(stack(), customer, 1);
  });

  it('refuses to route a number that cannot send MMS to a workflow with pictures, and a workflow with pictures to such a number', async () => {
    const routeUk = await smsctl(
      'number',
      'put',
      '--tenant',
      TENANT.tenantId,
      '--number',
      UK_NUMBER,
      '--workflow',
      PHOTO_WORKFLOW,
    );
    expect(routeUk.code).toBe(1);
    expect(routeUk.error).toMatch(
      /^\+447700900401 cannot send the pictures of workflow photo-order \(routes\.track\.mandatoryVariables\.order_number\.promptMedia\): Twilio sends MMS only/,
    );
    const setOff = await smsctl(
      'number',
      'put',
      '--tenant',
      TENANT.tenantId,
      '--number',
      US_NUMBER,
      '--workflow',
      PHOTO_WORKFLOW,
      '--mms',
      'false',
    );
    expect(setOff.error).toMatch(/^\+15005550401 cannot send .*: the number is set not to send MMS/);
    // The UK number answers with `plain`: pictures added to it are refused while it is routed there.
    const picturesOnPlain = await smsctl(
      'workflow',
      'put',
      '--tenant',
      TENANT.tenantId,
      '--file',
      await photoWorkflowFile('plain', true),
    );
    expect(picturesOnPlain.code).toBe(1);
    expect(picturesOnPlain.error).toMatch(/^\+447700900401 cannot send the pictures of workflow plain/);

    const listed = await json<{ numbers: { number: string; mms: boolean }[] }>(
      'number',
      'list',
      '--tenant',
      TENANT.tenantId,
    );
    expect(listed.numbers.map(({ number, mms }) => [number, mms]).sort()).toEqual([
      [US_NUMBER, true],
      [UK_NUMBER, false],
    ]);
  });

  it('routes a number whose MMS setting overrides the country rule, and sends its pictures', async () => {
    const uk = '+447700900402';
    const put = await json<{ number: { mms: boolean } }>(
      'number',
      'put',
      '--tenant',
      TENANT.tenantId,
      '--number',
      uk,
      '--workflow',
      PHOTO_WORKFLOW,
      '--mms',
      'true',
    );
    expect(put.number.mms).toBe(true);
    const customer = '+15557780006';
    await text(stack(), { tenantId: TENANT.tenantId, from: customer, to: uk, body: 'track' });
    const [reply] = await waitForReplies(stack(), customer, 1);
    expect(mediaOf(reply)).toEqual(pictures);
  });

  it('never hands Twilio pictures from a number that cannot send MMS: the sender records the failure', async () => {
    const customer = '+15557780007';
    const at = new Date().toISOString();
    const sendId = 'mms-guard-1';
    const queued = outboundSend(
      { tenantId: TENANT.tenantId, conversationId: '', from: UK_NUMBER, to: customer },
      { sendId, transcriptKey: transcriptKey(at, sendId), body: 'Look', mediaUrls: pictures },
      at,
    );
    await stack().clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack().queues.outbound.url,
        MessageBody: JSON.stringify(queued.body),
        MessageGroupId: queued.groupId,
        MessageDeduplicationId: queued.deduplicationId,
      }),
    );
    const failed = await waitForOutboundStatus(stack(), customer, 0, ['failed'], TENANT.tenantId);
    expect(String(failed.reason)).toMatch(
      /^sender number cannot send MMS: Twilio sends MMS only from US and Canadian/,
    );
    await sleep(300);
    expect(repliesTo(stack(), customer)).toEqual([]);
    // No request for this customer reached the simulator at all (refused there or not).
    expect(JSON.stringify(stack().simulator.apiRequests())).not.toContain(customer.slice(1));
  });
});
