import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoOptOutStore } from '../../lambdas/adapters/dynamodb/opt-out-store';
import { seedTenant } from '../../local/seed';
import {
  repliesTo,
  text,
  transcriptOf,
  useLocalStack,
  waitForOutboundStatus,
  waitForReplies,
} from '../support/local-stack';
import { formBody, twilioSignature } from '../support/twilio-signing';
import { waitFor } from '../support/wait';

/**
 * The platform's own confirmation of an opt-out keyword Twilio does not confirm, on the real local
 * stand-ins: PARAR without `OptOutType` (no Advanced Opt-Out lists it) gets one Spanish
 * confirmation, let past the opt-out by the sender, and nothing after it; STOP (Twilio's own, which
 * Twilio confirms) and PARAR with `OptOutType=STOP` (Advanced Opt-Out confirmed it) get none from us.
 */
const stack = useLocalStack();

const TENANT = {
  tenantId: 'baja-co',
  name: 'Baja Co',
  accountSid: `AC${'b7'.repeat(16)}`,
  authToken: 'baja-token-0123456789abcdef012345',
  number: '+15005550451',
  workflowFile: 'examples/workflows/appointment-booking-bilingual.json',
};
const CONFIRMATION_ES =
  'Se ha dado de baja y no le enviaremos otros mensajes. Responda COMENZAR para volver a suscribirse.';

beforeAll(async () => {
  await seedTenant(stack(), TENANT);
});

const optOuts = () => new DynamoOptOutStore(stack().clients.dynamo, stack().tableName);
const textTenant = (from: string, body: string) =>
  text(stack(), { tenantId: TENANT.tenantId, from, to: TENANT.number, body });

/**
 * A message after the opt-out: its reply is refused by the sender (21610). Sends to one customer
 * from one number go through one FIFO group in order, so once it is refused every send queued
 * before it (a confirmation, if there was one) has been dealt with too.
 */
async function laterMessageRefused(customer: string, outboundIndex: number): Promise<void> {
  await textTenant(customer, 'Hola, quiero una cita');
  const blocked = await waitForOutboundStatus(stack(), customer, outboundIndex, ['failed'], TENANT.tenantId);
  expect(blocked.errorCode).toBe(21610);
}

describe("the platform's confirmation of an opt-out Twilio did not confirm", () => {
  it('PARAR without OptOutType: one Spanish confirmation, then nothing', async () => {
    const customer = '+15557720001';
    const { messageSid } = await textTenant(customer, 'PARAR');
    const [confirmation] = await waitForReplies(stack(), customer, 1);
    expect(confirmation?.resource.body).toBe(CONFIRMATION_ES);
    expect(await optOuts().optOutInForce(TENANT.tenantId, customer)).toEqual({ messageSid });

    await laterMessageRefused(customer, 1);
    expect(repliesTo(stack(), customer)).toHaveLength(1);
    const transcript = await transcriptOf(stack(), customer, TENANT.tenantId);
    expect(transcript.find((entry) => entry.body === 'PARAR')).toMatchObject({ note: 'optOut' });
    expect(transcript.find((entry) => entry.body === CONFIRMATION_ES)).toMatchObject({
      direction: 'outbound',
      sendId: `${messageSid}-optout-confirmation`,
    });
  });

  it("STOP (Twilio's own keyword, which Twilio confirms) gets nothing from us", async () => {
    const customer = '+15557720002';
    await textTenant(customer, 'STOP');
    await waitFor(
      'the opt-out',
      async () => (await optOuts().isOptedOut(TENANT.tenantId, customer)) || undefined,
    );
    await laterMessageRefused(customer, 0);
    expect(repliesTo(stack(), customer)).toHaveLength(0);
  });

  it('PARAR with OptOutType=STOP (Advanced Opt-Out confirmed it) gets nothing from us', async () => {
    const customer = '+15557720003';
    const messageSid = `SM${'7c'.repeat(16)}`;
    const params = {
      MessageSid: messageSid,
      SmsSid: messageSid,
      AccountSid: TENANT.accountSid,
      From: customer,
      To: TENANT.number,
      Body: 'PARAR',
      NumMedia: '0',
      OptOutType: 'STOP',
    };
    const path = `/webhooks/twilio/${TENANT.tenantId}/inbound`;
    const response = await fetch(`${stack().apiUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilioSignature(TENANT.authToken, `${stack().publicBaseUrl}${path}`, params),
      },
      body: formBody(params),
    });
    expect(response.status).toBe(200);
    await waitFor(
      'the opt-out',
      async () => (await optOuts().isOptedOut(TENANT.tenantId, customer)) || undefined,
    );
    await laterMessageRefused(customer, 0);
    expect(repliesTo(stack(), customer)).toHaveLength(0);
  });
});
