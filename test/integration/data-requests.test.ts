import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoDataRequests, type ExportLine } from '../../lambdas/adapters/dynamodb/data-requests';
import { DynamoEventSubscriptions } from '../../lambdas/adapters/dynamodb/event-subscriptions';
import { keys } from '../../lambdas/adapters/dynamodb/keys';
import { DynamoLanguagePreferences } from '../../lambdas/adapters/dynamodb/language-preferences';
import { SecretsManagerTenantCredentials } from '../../lambdas/adapters/secrets-manager-credentials';
import { itemBelongsToTenant, suppressionHash } from '../../lambdas/domain/data-requests';
import type { InboundQueueMessage, StatusQueueMessage } from '../../lambdas/domain/queue-messages';
import { tenantSecretsRoot } from '../../lambdas/domain/tenant';
import { handleWebhook } from '../../lambdas/ingest/webhook';
import { RecordingQueue } from '../support/fakes';
import { text, transcriptOf, waitForOutboundStatus, waitForReplies } from '../support/local-stack';
import { useLocalStack } from '../support/local-stack';
import { useSmsctl } from '../support/smsctl';
import { formBody, twilioSignature } from '../support/twilio-signing';
import { waitFor } from '../support/wait';

/**
 * Data on request (issue #18 part 4) against a real local stack (DynamoDB Local, the Secrets
 * Manager stand-in, the functions, the Twilio simulator): tenant delete, customer erase, export,
 * and a tenant's retention in the TTL of what its traffic writes.
 */
const stack = useLocalStack();
const { smsctl, json } = useSmsctl(stack);

const DAY = 24 * 60 * 60;
const WORKFLOW = 'examples/workflows/order-status.json';

interface TenantFixture {
  readonly id: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly number: string;
}

const GONE: TenantFixture = {
  id: 'gone-co',
  accountSid: `AC${'c3'.repeat(16)}`,
  authToken: 'gone-co-secret-token-0123456789ab',
  number: '+15005550311',
};
const KEPT: TenantFixture = {
  id: 'kept-co',
  accountSid: `AC${'c4'.repeat(16)}`,
  authToken: 'kept-co-secret-token-0123456789ab',
  number: '+15005550312',
};

async function onboard(tenant: TenantFixture, ...extra: string[]) {
  await json(
    'tenant',
    'put',
    '--tenant',
    tenant.id,
    '--account-sid',
    tenant.accountSid,
    '--auth-token',
    tenant.authToken,
    ...extra,
  );
  await json('workflow', 'put', '--tenant', tenant.id, '--file', WORKFLOW);
  await json('number', 'put', '--tenant', tenant.id, '--number', tenant.number, '--workflow', 'order-status');
}

/** A customer's turn: texted, answered, and the answer delivered (nothing of it still moving). */
async function converse(tenant: TenantFixture, customer: string, body: string, replies: number) {
  await text(stack(), { tenantId: tenant.id, from: customer, to: tenant.number, body });
  await waitForReplies(stack(), customer, replies);
  await waitForOutboundStatus(stack(), customer, replies - 1, ['delivered'], tenant.id);
}

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stack().clients.dynamo.send(
      new ScanCommand({ TableName: stack().tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const keyOf = (item: Record<string, unknown>) => `${String(item.pk)}|${String(item.sk)}`;

async function tenantSecretNames(tenantId: string, includePlannedDeletion: boolean): Promise<string[]> {
  const root = `${tenantSecretsRoot(stack().tenantSecretPrefix)}${tenantId}/`;
  const listed = await stack().clients.secrets.send(
    new ListSecretsCommand({
      Filters: [{ Key: 'name', Values: [root] }],
      IncludePlannedDeletion: includePlannedDeletion,
    }),
  );
  return (listed.SecretList ?? []).map((secret) => String(secret.Name)).sort();
}

/**
 * The ingest's answer to a webhook signed with `tenant`'s token, from an ingest container whose
 * credential cache is cold (as every warm one is CREDENTIALS_TTL_MS after the delete).
 */
async function ingestAnswer(tenantId: string, authToken: string) {
  const base = stack().publicBaseUrl;
  const params = {
    MessageSid: `SM${'f'.repeat(32)}`,
    SmsSid: `SM${'f'.repeat(32)}`,
    AccountSid: GONE.accountSid,
    From: '+15551110000',
    To: GONE.number,
    Body: 'hello?',
    NumMedia: '0',
  };
  const url = `${base}/webhooks/twilio/${tenantId}/inbound`;
  const event = {
    resource: '/webhooks/twilio/{tenantId}/inbound',
    path: `/webhooks/twilio/${tenantId}/inbound`,
    httpMethod: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilioSignature(authToken, url, params),
    },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { tenantId },
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: formBody(params),
    isBase64Encoded: false,
  } as APIGatewayProxyEvent;
  const inbound = new RecordingQueue<InboundQueueMessage>();
  const response = await handleWebhook(event, {
    publicBaseUrl: base,
    credentials: new SecretsManagerTenantCredentials(
      new SecretsManagerClient({
        region: 'us-east-1',
        endpoint: stack().endpoints.secretsManager,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      stack().tenantSecretPrefix,
      60_000,
    ),
    inboundQueue: inbound,
    statusQueue: new RecordingQueue<StatusQueueMessage>(),
    now: () => new Date(),
    onSignatureRejected: () => {},
    onAccepted: () => {},
  });
  return { status: response.statusCode, body: response.body, queued: inbound.sent.length };
}

function expectTtlDays(item: Record<string, unknown> | undefined, fromIso: string, days: number) {
  expect(item, 'item').toBeDefined();
  const expected = Math.floor(Date.parse(fromIso) / 1000) + days * DAY;
  // The writers take their own clock for some items (a send's queuedAt, a message's sent time).
  expect(Math.abs(Number(item?.expiresAt) - expected)).toBeLessThan(120);
}

describe('data on request --local', () => {
  it('tenant put --retention-days: out of range refused with nothing changed; the TTL of a turn and a send follow it', async () => {
    await onboard(KEPT, '--retention-days', '7');
    for (const bad of ['0', '3651', 'ten', '7.5', '-3']) {
      const refused = await smsctl('tenant', 'put', '--tenant', KEPT.id, `--retention-days=${bad}`);
      expect(refused.code).toBe(2);
      expect(refused.error).toMatch(/--retention-days must be a whole number of days from 1 to 3650/);
    }
    const shown = await json<{ tenant: { retentionDays: number } }>('tenant', 'get', '--tenant', KEPT.id);
    expect(shown.tenant.retentionDays).toBe(7);
    // A token-only re-put keeps it.
    await json('tenant', 'put', '--tenant', KEPT.id, '--name', 'Kept Co');
    expect(
      (await json<{ tenant: { retentionDays: number } }>('tenant', 'get', '--tenant', KEPT.id)).tenant
        .retentionDays,
    ).toBe(7);

    // A conversation turn: the inbound entry, the conversation state, the reply and its message.
    const customer = '+15557770001';
    await converse(KEPT, customer, 'where is my order', 1);
    const entries = await transcriptOf(stack(), customer, KEPT.id);
    const inbound = entries.find((entry) => entry.direction === 'inbound');
    const reply = entries.find((entry) => entry.direction === 'outbound');
    const get = async (key: { pk: string; sk: string }) =>
      (await stack().clients.dynamo.send(new GetCommand({ TableName: stack().tableName, Key: key }))).Item;
    expectTtlDays(await get({ pk: String(inbound?.pk), sk: String(inbound?.sk) }), String(inbound?.at), 7);
    const state = await get(
      keys.conversationState({ tenantId: KEPT.id, businessNumber: KEPT.number, customer }),
    );
    expectTtlDays(state, String(state?.conversationExpiresAt), 7);
    expectTtlDays(await get({ pk: String(reply?.pk), sk: String(reply?.sk) }), String(reply?.at), 7);
    const replyMessage = await get(keys.message(String(reply?.sid)));
    expectTtlDays(replyMessage, String(replyMessage?.createdAt), 7);

    // A send from the CLI (the conversations API's path, then the sender).
    const sendTo = '+15557770002';
    await json(
      'send',
      '--tenant',
      KEPT.id,
      '--from',
      KEPT.number,
      '--to',
      sendTo,
      '--body',
      'Your parcel left',
    );
    const sent = await waitForOutboundStatus(stack(), sendTo, 0, ['delivered'], KEPT.id);
    expectTtlDays(await get({ pk: String(sent.pk), sk: String(sent.sk) }), String(sent.at), 7);
    const sentMessage = await get(keys.message(String(sent.sid)));
    expectTtlDays(sentMessage, String(sentMessage?.createdAt), 7);

    // The default for a tenant that sets none (the demo tenant): 90 days.
    const demoCustomer = '+15557770003';
    await text(stack(), { tenantId: 'demo', from: demoCustomer, to: '+15005550006', body: 'order' });
    await waitForReplies(stack(), demoCustomer, 1);
    const demoEntry = (await transcriptOf(stack(), demoCustomer)).find(
      (entry) => entry.direction === 'inbound',
    );
    expectTtlDays(
      await get({ pk: String(demoEntry?.pk), sk: String(demoEntry?.sk) }),
      String(demoEntry?.at),
      90,
    );
  });

  it('customer erase: nothing with the number is left, and the opt-out stays in force (hashed)', async () => {
    const customer = '+15557771234';
    const other = '+15557775678';
    await converse(KEPT, customer, 'I want to track my order', 1);
    await converse(KEPT, customer, '123456', 2);
    await converse(KEPT, other, 'order', 1);
    await text(stack(), { tenantId: KEPT.id, from: customer, to: KEPT.number, body: 'STOP' });
    await waitFor(
      'the opt-out',
      async () =>
        (
          await stack().clients.dynamo.send(
            new GetCommand({ TableName: stack().tableName, Key: keys.optOut(KEPT.id, customer) }),
          )
        ).Item,
    );
    // The customer's language (issue 19) lives in their partition: erased with it.
    await new DynamoLanguagePreferences(stack().clients.dynamo, stack().tableName).set(KEPT.id, customer, {
      language: 'es',
      at: new Date().toISOString(),
    });
    const otherBefore = (await scanAll()).filter((item) => JSON.stringify(item).includes(other)).map(keyOf);

    const bad = await smsctl('customer', 'erase', '--tenant', KEPT.id, '--customer', '5557771234');
    expect(bad.code).toBe(2);
    expect(bad.error).toMatch(/not an E\.164 number/);
    const unknown = await smsctl('customer', 'erase', '--tenant', 'no-such-co', '--customer', customer);
    expect(unknown.code).toBe(1);
    expect(unknown.error).toBe('tenant no-such-co not found');

    const erased = await json<{
      removed: Record<string, number>;
      suppressionKept: boolean;
      customer: string;
    }>('customer', 'erase', '--tenant', KEPT.id, '--customer', customer);
    expect(erased.suppressionKept).toBe(true);
    expect(erased.customer).not.toContain('7771234'.slice(0, 4));
    expect(erased.removed).toMatchObject({ conversations: 1, optOuts: 1, languagePreferences: 1 });
    expect(erased.removed.transcriptEntries).toBeGreaterThanOrEqual(5);
    expect(erased.removed.messages).toBe(2);

    const everything = await scanAll();
    const digits = customer.slice(1);
    expect(everything.filter((item) => JSON.stringify(item).includes(digits))).toEqual([]);
    // The other customer's history is untouched.
    expect(everything.filter((item) => JSON.stringify(item).includes(other)).map(keyOf)).toEqual(otherBefore);
    const suppression = everything.find(
      (item) => item.pk === keys.optOutSuppression(KEPT.id, suppressionHash(KEPT.id, customer)).pk,
    );
    expect(suppression).toMatchObject({ tenantId: KEPT.id, source: 'erasure' });

    // Still opted out: the API refuses a start, and the sender refuses the reply a turn queues.
    const refused = await smsctl(
      'send',
      '--tenant',
      KEPT.id,
      '--from',
      KEPT.number,
      '--to',
      customer,
      '--body',
      'hi',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.error).toMatch(/opted out/);
    const delivered = stack()
      .simulator.messages()
      .filter((message) => message.resource.to === customer).length;
    await text(stack(), { tenantId: KEPT.id, from: customer, to: KEPT.number, body: 'order' });
    const blocked = await waitForOutboundStatus(stack(), customer, 0, ['failed'], KEPT.id);
    expect(blocked.errorCode).toBe(21610);
    expect(
      stack()
        .simulator.messages()
        .filter((message) => message.resource.to === customer),
    ).toHaveLength(delivered);

    // Erasing again is harmless: nothing but what the new message wrote.
    const again = await json<{ suppressionKept: boolean }>(
      'customer',
      'erase',
      '--tenant',
      KEPT.id,
      '--customer',
      customer,
    );
    expect(again.suppressionKept).toBe(false);
    expect((await scanAll()).filter((item) => JSON.stringify(item).includes(digits))).toEqual([]);
  });

  it('conversation export: JSON lines with statuses, streamed page by page, filtered by customer and time', async () => {
    const customer = '+15557772222';
    await converse(KEPT, customer, 'track my order please', 1);
    const all = await smsctl('conversation', 'export', '--tenant', KEPT.id);
    expect(all.code).toBe(0);
    const lines = all.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportLine);
    expect(lines.every((line) => line.tenantId === KEPT.id)).toBe(true);
    const mine = lines.filter((line) => line.customer === customer);
    expect(mine.find((line) => line.type === 'conversation')).toMatchObject({
      businessNumber: KEPT.number,
      status: 'collecting',
      workflowId: 'order-status',
    });
    expect(mine.filter((line) => line.type === 'message')).toEqual([
      expect.objectContaining({
        direction: 'inbound',
        from: customer,
        body: 'track my order please',
        status: 'received',
      }),
      expect.objectContaining({ direction: 'outbound', to: customer, status: 'delivered' }),
    ]);

    // One customer: the conversation first, then the transcript in time order.
    const parse = (stdout: string) =>
      stdout
        .trimEnd()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ExportLine);
    const byCustomer = [
      ...mine.filter((line) => line.type === 'conversation'),
      ...mine.filter((line) => line.type === 'message'),
    ];
    const one = await smsctl('conversation', 'export', '--tenant', KEPT.id, '--customer', customer);
    expect(parse(one.stdout)).toEqual(byCustomer);
    const inboundAt = String((byCustomer[1] as Record<string, unknown>).at);
    const sinceInbound = await smsctl(
      'conversation',
      'export',
      '--tenant',
      KEPT.id,
      '--customer',
      customer,
      '--since',
      inboundAt,
    );
    expect(parse(sinceInbound.stdout)).toEqual(byCustomer);
    const afterReply = new Date(
      Date.parse(String((byCustomer[2] as Record<string, unknown>).at)) + 1,
    ).toISOString();
    for (const args of [
      ['--customer', customer, '--since', afterReply],
      ['--since', '2999-01-01'],
    ]) {
      const later = await smsctl('conversation', 'export', '--tenant', KEPT.id, ...args);
      expect(later).toMatchObject({ code: 0 });
      expect(parse(later.stdout).filter((line) => line.customer === customer)).toEqual([]);
    }
    const badSince = await smsctl('conversation', 'export', '--tenant', KEPT.id, '--since', 'yesterday');
    expect(badSince.code).toBe(2);
    expect(badSince.error).toMatch(/--since: "yesterday" is not an ISO 8601/);

    // Streamed: with pages of 2 items, the first line comes after the first page (a Query and the
    // statuses of its replies), not after every page; the whole tenant's scan pages the same way.
    let requests = 0;
    const counting = new Proxy(stack().clients.dynamo, {
      get(target, property, receiver) {
        if (property === 'send')
          return (command: Parameters<typeof target.send>[0]) => {
            requests += 1;
            return target.send(command);
          };
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const requestsFor = new DynamoDataRequests(counting, stack().tableName);
    const paged = requestsFor.exportTranscripts(KEPT.id, { customer, pageSize: 2 });
    const first = await paged.next();
    expect(first.done).toBe(false);
    expect(requests).toBeLessThanOrEqual(2);
    const customerLines: ExportLine[] = [first.value as ExportLine];
    for await (const line of paged) customerLines.push(line);
    expect(customerLines).toEqual(byCustomer);
    expect(requests).toBeGreaterThanOrEqual(2);
    const scanned: ExportLine[] = [];
    for await (const line of requestsFor.exportTranscripts(KEPT.id, { pageSize: 2 })) scanned.push(line);
    expect(scanned).toEqual(lines);
  });

  it('tenant delete: refused without the right --confirm; then nothing of the tenant is left, another tenant untouched, its webhooks unknown', async () => {
    await onboard(GONE);
    await json('tenant', 'webhook-key', '--tenant', GONE.id);
    // A lifecycle-event subscription: removed first, and its cache waited out, before the rest.
    await new DynamoEventSubscriptions(stack().clients.dynamo, stack().tableName).put({
      tenantId: GONE.id,
      subscriptionId: 'sub_gone',
      url: 'https://hooks.example.com/gone-co',
      types: 'all',
      createdAt: new Date().toISOString(),
    });
    await converse(GONE, '+15557773001', 'where is my package', 1);
    await converse(GONE, '+15557773001', '654321', 2);
    await converse(GONE, '+15557773002', 'order', 1);
    await new DynamoLanguagePreferences(stack().clients.dynamo, stack().tableName).set(
      GONE.id,
      '+15557773001',
      {
        language: 'fr',
        at: new Date().toISOString(),
      },
    );
    await text(stack(), { tenantId: GONE.id, from: '+15557773002', to: GONE.number, body: 'STOP' });
    await waitFor(
      'the opt-out',
      async () =>
        (
          await stack().clients.dynamo.send(
            new GetCommand({ TableName: stack().tableName, Key: keys.optOut(GONE.id, '+15557773002') }),
          )
        ).Item,
    );
    // The STOP's transcript entry is committed after the opt-out item: wait for it too, so the
    // snapshot below holds everything the tenant has.
    await waitFor('the STOP recorded', async () =>
      (await transcriptOf(stack(), '+15557773002', GONE.id)).find((entry) => entry.body === 'STOP'),
    );
    const before = await scanAll();
    const keptBefore = before
      .filter((item) => itemBelongsToTenant(item, KEPT.id))
      .map(keyOf)
      .sort();
    expect(await ingestAnswer(GONE.id, GONE.authToken)).toMatchObject({ status: 200, queued: 1 });

    const wrong = await smsctl('tenant', 'delete', '--tenant', GONE.id, '--confirm', 'gone-c0');
    expect(wrong.code).toBe(2);
    expect(wrong.error).toMatch(/--confirm "gone-c0" does not match --tenant "gone-co".*nothing was changed/);
    const missing = await smsctl('tenant', 'delete', '--tenant', GONE.id);
    expect(missing.code).toBe(2);
    expect((await scanAll()).map(keyOf).sort()).toEqual(before.map(keyOf).sort());
    expect(await tenantSecretNames(GONE.id, false)).toHaveLength(2);
    const unknown = await smsctl('tenant', 'delete', '--tenant', 'no-such-co', '--confirm', 'no-such-co');
    expect(unknown).toMatchObject({ code: 1, error: 'tenant no-such-co not found' });
    const badWindow = await smsctl(
      'tenant',
      'delete',
      '--tenant',
      GONE.id,
      '--confirm',
      GONE.id,
      '--recovery-window-days',
      '3',
    );
    expect(badWindow.code).toBe(2);

    const report = await json<{
      removed: Record<string, number>;
      secrets: { name: string; scheduledNow: boolean; deletionDate?: string }[];
      resumed: boolean;
    }>('tenant', 'delete', '--tenant', GONE.id, '--confirm', GONE.id, '--recovery-window-days', '7');
    expect(report.resumed).toBe(false);
    expect(report.removed).toMatchObject({
      profile: 1,
      numbers: 1,
      workflows: 1,
      numberOwners: 1,
      conversations: 2,
      optOuts: 1,
      languagePreferences: 1,
      messages: 3,
      eventSubscriptions: 1,
    });
    expect(report.removed.transcriptEntries).toBeGreaterThanOrEqual(7);
    expect(report.secrets.map((secret) => secret.scheduledNow)).toEqual([true, true]);
    const sevenDays = Date.now() + 7 * DAY * 1000;
    for (const secret of report.secrets)
      expect(Math.abs(Date.parse(String(secret.deletionDate)) - sevenDays)).toBeLessThan(120_000);

    // Scanned: nothing of the tenant, the other tenant's items exactly as they were.
    const after = await scanAll();
    expect(after.filter((item) => itemBelongsToTenant(item, GONE.id))).toEqual([]);
    expect(after.filter((item) => JSON.stringify(item).includes(GONE.id))).toEqual([]);
    expect(after.filter((item) => JSON.stringify(item).includes('+155577730'))).toEqual([]);
    expect(
      after
        .filter((item) => itemBelongsToTenant(item, KEPT.id))
        .map(keyOf)
        .sort(),
    ).toEqual(keptBefore);
    // Its secrets wait out the recovery window, unreadable; the other tenant's are untouched.
    expect(await tenantSecretNames(GONE.id, false)).toEqual([]);
    expect(await tenantSecretNames(GONE.id, true)).toHaveLength(2);
    expect(await tenantSecretNames(KEPT.id, false)).toHaveLength(1);

    // Its webhooks get the unknown tenant's answer, and nothing is queued.
    const deletedAnswer = await ingestAnswer(GONE.id, GONE.authToken);
    expect(deletedAnswer).toEqual(await ingestAnswer('never-was', GONE.authToken));
    expect(deletedAnswer).toMatchObject({ status: 404, queued: 0 });

    // Running it again sweeps what is left (nothing) and says so.
    const again = await json<{ removed: Record<string, number>; resumed: boolean }>(
      'tenant',
      'delete',
      '--tenant',
      GONE.id,
      '--confirm',
      GONE.id,
    );
    expect(again).toMatchObject({ resumed: true, removed: {} });
    const gone = await smsctl('tenant', 'get', '--tenant', GONE.id);
    expect(gone).toMatchObject({ code: 1, error: `tenant ${GONE.id} not found` });
  });
});
