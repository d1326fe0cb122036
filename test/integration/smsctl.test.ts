import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SecretsManagerWebhookKeys } from '../../lambdas/adapters/secrets-manager-webhook-keys';
import { DEMO_TENANT } from '../../local/seed';
import { deadLetterCounts, redriveAll } from '../../local/soak/dead-letters';
import { readTenantSecret } from '../../local/tenants';
import { messageRecord, repliesTo, text, useLocalStack, waitForReplies } from '../support/local-stack';
import { smsctlBinary, useSmsctl } from '../support/smsctl';
import { waitFor } from '../support/wait';

/**
 * smsctl against a real local stack: a second tenant onboarded with nothing but the CLI, then
 * operated with it. The CLI finds the stack through a temp endpoints file, never the repo's.
 */
const stack = useLocalStack();
const { smsctl, json } = useSmsctl(stack);

const ACME = {
  tenantId: 'acme-co',
  accountSid: `AC${'a1'.repeat(16)}`,
  authToken: 'acme-secret-token-0123456789abcd',
  numbers: ['+15005550101', '+15005550102'],
};
const WORKFLOW = 'examples/workflows/order-status.json';

describe('smsctl --local', () => {
  it('onboards a tenant with two numbers and a workflow, and both numbers answer', async () => {
    const put = await json(
      'tenant',
      'put',
      '--tenant',
      ACME.tenantId,
      '--account-sid',
      ACME.accountSid,
      '--auth-token',
      ACME.authToken,
      '--name',
      'Acme Co',
    );
    expect(JSON.stringify(put)).not.toContain(ACME.authToken);
    await json('workflow', 'put', '--tenant', ACME.tenantId, '--file', WORKFLOW);
    for (const number of ACME.numbers)
      await json(
        'number',
        'put',
        '--tenant',
        ACME.tenantId,
        '--number',
        number,
        '--workflow',
        'order-status',
      );

    const listed = await json<{ numbers: { number: string }[] }>('number', 'list', '--tenant', ACME.tenantId);
    expect(listed.numbers.map((n) => n.number).sort()).toEqual(ACME.numbers);
    const tenants = await json<{ tenants: { tenantId: string }[] }>('tenant', 'list');
    expect(tenants.tenants.map((t) => t.tenantId)).toEqual(expect.arrayContaining(['acme-co', 'demo']));

    for (const [index, number] of ACME.numbers.entries()) {
      const customer = `+1555777000${index}`;
      await text(stack(), {
        tenantId: ACME.tenantId,
        from: customer,
        to: number,
        body: 'Where is my package?',
      });
      const [reply] = await waitForReplies(stack(), customer, 1);
      expect(reply?.resource.from).toBe(number);
      expect(reply?.resource.body).toContain('order number');
    }
  });

  it('tenant get --json never shows the auth token, also after a token rotation', async () => {
    await json(
      'tenant',
      'put',
      '--tenant',
      ACME.tenantId,
      '--account-sid',
      ACME.accountSid,
      '--auth-token',
      ACME.authToken,
    );
    const result = await smsctl('--json', 'tenant', 'get', '--tenant', ACME.tenantId);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ACME.authToken);
    expect(JSON.parse(result.stdout)).toMatchObject({
      tenant: { tenantId: ACME.tenantId, name: 'Acme Co', accountSid: ACME.accountSid },
    });
  });

  it('tenant webhook-key writes the signing key the notifier reads, shown once only when generated', async () => {
    const keys = () => new SecretsManagerWebhookKeys(stack().clients.secrets, stack().tenantSecretPrefix, 0);
    const generated = await json<{ signingKey: string }>(
      'tenant',
      'webhook-key',
      '--tenant',
      DEMO_TENANT.tenantId,
    );
    // A Standard Webhooks secret: whsec_ and the base64 of 32 random bytes.
    expect(generated.signingKey).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await keys().get(DEMO_TENANT.tenantId)).toEqual({ key: generated.signingKey });

    const given = 'k'.repeat(40);
    const rotated = await smsctl(
      '--json',
      'tenant',
      'webhook-key',
      '--tenant',
      DEMO_TENANT.tenantId,
      '--key',
      given,
    );
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).not.toContain(given);
    expect(await keys().get(DEMO_TENANT.tenantId)).toEqual({ key: given });

    expect(
      await smsctl('tenant', 'webhook-key', '--tenant', DEMO_TENANT.tenantId, '--key', 'short'),
    ).toMatchObject({
      code: 2,
      error: '--key must be at least 32 characters',
    });
    expect(await smsctl('tenant', 'webhook-key', '--tenant', 'nobody')).toMatchObject({
      code: 1,
      error: 'tenant nobody not found',
    });
  });

  it('refuses bad input with a one-line reason', async () => {
    const badSid = await smsctl(
      'tenant',
      'put',
      '--tenant',
      'x-y',
      '--account-sid',
      'AC12',
      '--auth-token',
      't',
    );
    expect(badSid.code).not.toBe(0);
    expect(badSid.error).toMatch(/--account-sid must be AC/);
    const badNumber = await smsctl(
      'number',
      'put',
      '--tenant',
      ACME.tenantId,
      '--number',
      '5550101',
      '--workflow',
      'x',
    );
    expect(badNumber.error).toMatch(/E\.164/);
    const noWorkflow = await smsctl(
      'number',
      'put',
      '--tenant',
      ACME.tenantId,
      '--number',
      '+15005550199',
      '--workflow',
      'nope',
    );
    expect(noWorkflow.error).toMatch(/workflow nope not found/);
  });

  it('sends with --idempotency-key once, tracks its status, and masks the transcript unless --reveal', async () => {
    const customer = '+15557770099';
    const args = ['send', '--tenant', ACME.tenantId, '--from', ACME.numbers[0] as string, '--to', customer];
    const first = await json<{ sendId: string; repeated: boolean }>(
      ...args,
      '--body',
      'Your order shipped',
      '--idempotency-key',
      'ship-1',
    );
    const second = await json<{ sendId: string; repeated: boolean }>(
      ...args,
      '--body',
      'Your order shipped',
      '--idempotency-key',
      'ship-1',
    );
    expect(second).toMatchObject({ sendId: first.sendId, repeated: true });

    const [sms] = await waitForReplies(stack(), customer, 1);
    expect(sms?.resource.body).toBe('Your order shipped');
    await waitFor('delivered', async () => {
      const item = await messageRecord(stack(), sms?.sid as string);
      return item?.status === 'delivered' ? item : undefined;
    });
    const shown = await json<{ message: { status: string }; events: { status: string }[] }>(
      'message',
      'show',
      '--tenant',
      ACME.tenantId,
      sms?.sid as string,
    );
    expect(shown.message.status).toBe('delivered');
    // Twilio does not order callbacks: 'sent' may land after 'delivered' and is then not a forward move.
    expect(shown.events.map((e) => e.status).filter((s) => s !== 'sent')).toEqual(['queued', 'delivered']);
    // Give a duplicate time to show up if it were going to.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(repliesTo(stack(), customer)).toHaveLength(1);

    const masked = await smsctl(
      '--json',
      'conversation',
      'show',
      '--tenant',
      ACME.tenantId,
      '--customer',
      customer,
    );
    expect(masked.stdout).not.toContain(customer);
    const conversation = JSON.parse(masked.stdout) as {
      entries: { to: string; status: string; body: string }[];
    };
    expect(conversation.entries).toEqual([
      expect.objectContaining({ to: '+*******0099', body: 'Your order shipped', status: 'delivered' }),
    ]);
    const revealed = await smsctl(
      'conversation',
      'show',
      '--tenant',
      ACME.tenantId,
      '--customer',
      customer,
      '--reveal',
    );
    expect(revealed.stdout).toContain(customer);
  });

  it('keeps tenants apart: no claiming another tenant’s number, no reading its messages', async () => {
    const claim = await smsctl(
      'number',
      'put',
      '--tenant',
      'demo',
      '--number',
      ACME.numbers[1] as string,
      '--workflow',
      'order-status',
    );
    expect(claim.code).not.toBe(0);
    expect(claim.error).toMatch(/already owned by another tenant/);
    const [sms] = repliesTo(stack(), '+15557770099');
    const wrongTenant = await smsctl('message', 'show', '--tenant', 'demo', sms?.sid as string);
    expect(wrongTenant.code).not.toBe(0);
    expect(wrongTenant.error).toMatch(/not found/);
    const notOurs = await smsctl(
      'send',
      '--tenant',
      'demo',
      '--from',
      ACME.numbers[0] as string,
      '--to',
      '+15557770098',
      '--body',
      'hi',
    );
    expect(notOurs.error).toMatch(/is not a number of tenant demo/);
  });

  it('send --workflow starts a conversation with --var values that the customer continues; tenants stay apart', async () => {
    const customer = '+15557770200';
    const args = [
      'send',
      '--tenant',
      ACME.tenantId,
      '--from',
      ACME.numbers[1] as string,
      '--to',
      customer,
      '--workflow',
      'order-status',
      '--var',
      'order_number=order 123456',
      '--idempotency-key',
      'wf-200',
    ];
    const started = await json<{ conversationId: string; sendId: string; repeated: boolean }>(...args);
    expect(started).toMatchObject({
      kind: 'workflow',
      repeated: false,
      conversationId: expect.stringMatching(/^op-/),
    });
    const again = await json<{ conversationId: string; repeated: boolean }>(...args);
    expect(again).toMatchObject({ conversationId: started.conversationId, repeated: true });

    const [opening] = await waitForReplies(stack(), customer, 1);
    expect(opening?.resource.from).toBe(ACME.numbers[1]);
    expect(opening?.resource.body).toMatch(/Thank you! When did you place this order\?$/);
    await text(stack(), {
      tenantId: ACME.tenantId,
      from: customer,
      to: ACME.numbers[1] as string,
      body: 'Yesterday',
    });
    const [, done] = await waitForReplies(stack(), customer, 2);
    expect(done?.resource.body).toMatch(/^Thanks! Checking order 123456 from /);

    const own = await json<{ entries: { direction: string }[] }>(
      'conversation',
      'show',
      '--tenant',
      ACME.tenantId,
      '--customer',
      customer,
    );
    expect(own.entries.map((entry) => entry.direction)).toEqual(['outbound', 'inbound', 'outbound']);
    // The demo tenant's operator, asking about acme's customer, sees nothing of acme's transcript.
    const other = await json<{ entries: unknown[] }>(
      'conversation',
      'show',
      '--tenant',
      'demo',
      '--customer',
      customer,
    );
    expect(other.entries).toEqual([]);
    const crossSend = await smsctl(
      'send',
      '--tenant',
      'demo',
      '--from',
      ACME.numbers[1] as string,
      '--to',
      customer,
      '--workflow',
      'order-status',
    );
    expect(crossSend.error).toMatch(/is not a number of tenant demo/);
    expect(repliesTo(stack(), customer)).toHaveLength(2);
  });

  it('dlq redrive moves a dead-lettered message back and it is consumed', async () => {
    const customer = '+15557770050';
    const inbound = stack().queues.inbound;
    const message = {
      v: 1,
      tenantId: ACME.tenantId,
      receivedAt: new Date().toISOString(),
      message: {
        messageSid: `SM${'e'.repeat(32)}`,
        accountSid: ACME.accountSid,
        from: customer,
        to: ACME.numbers[1],
        body: 'Where is my package?',
        mediaUrls: [],
      },
    };
    await stack().clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: inbound.dlqUrl,
        MessageBody: JSON.stringify(message),
        MessageGroupId: `${ACME.tenantId}#${customer}`,
        MessageDeduplicationId: 'dead-1',
      }),
    );
    const before = await json<{ dlqs: { queue: string; visible: number }[] }>('dlq', 'list');
    expect(before.dlqs.find((d) => d.queue === 'inbound')?.visible).toBe(1);

    const redriven = await json<{ redriven: { queue: string; moved: number }[] }>(
      'dlq',
      'redrive',
      '--queue',
      'inbound',
    );
    expect(redriven.redriven).toEqual([{ queue: 'inbound', moved: 1 }]);
    const [reply] = await waitForReplies(stack(), customer, 1);
    expect(reply?.resource.body).toContain('order number');
    const after = await json<{ dlqs: { queue: string; visible: number; inFlight: number }[] }>('dlq', 'list');
    expect(after.dlqs.find((d) => d.queue === 'inbound')).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('is what the chaos soak redrives with: the binary, by its command line and JSON output', async () => {
    const customer = '+15557770071';
    await stack().clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack().queues.inbound.dlqUrl,
        MessageBody: JSON.stringify({
          v: 1,
          tenantId: DEMO_TENANT.tenantId,
          receivedAt: new Date().toISOString(),
          message: {
            messageSid: `SM${'7'.repeat(32)}`,
            accountSid: DEMO_TENANT.accountSid,
            from: customer,
            to: DEMO_TENANT.number,
            body: 'Where is my package?',
            mediaUrls: [],
          },
        }),
        MessageGroupId: `${DEMO_TENANT.tenantId}#${customer}`,
        MessageDeduplicationId: 'soak-redrive-1',
      }),
    );
    expect(await deadLetterCounts(stack())).toMatchObject({ inbound: 1 });
    // local/soak/dead-letters.ts runs `smsctl --local --json dlq redrive` in a child process.
    expect(await redriveAll(stack(), 1)).toBe(1);
    expect(await deadLetterCounts(stack())).toEqual({
      inbound: 0,
      outbound: 0,
      status: 0,
      webhooks: 0,
      campaigns: 0,
      reminders: 0,
    });
    const [reply] = await waitForReplies(stack(), customer, 1);
    expect(reply?.resource.body).toContain('order number');
  });

  it('runs as a process: node cli/smsctl.mjs', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      'node',
      ['cli/smsctl.mjs', '--local', '--json', 'tenant', 'get', '--tenant', 'demo'],
      // The stubbed SMSCTL_LOCAL_ENDPOINTS (useSmsctl) is in process.env, which the child inherits.
      { env: process.env },
    );
    expect(JSON.parse(stdout)).toMatchObject({ tenant: { tenantId: 'demo', numbers: [DEMO_TENANT.number] } });
    expect(stdout).not.toContain(DEMO_TENANT.authToken);
    const failed = await run('node', ['cli/smsctl.mjs', '--local', 'tenant', 'get', '--tenant', 'nobody'], {
      env: process.env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: 'smsctl: tenant nobody not found\n' });
  });

  it('tenant put reads the token from standard input, keeps what it is not given, and removes a Messaging Service on none, and keeps a replaced token for its grace', async () => {
    const tenant = 'rotating-co';
    const secret = () => readTenantSecret(stack().clients.secrets, stack().tenantSecretPrefix, tenant);
    const messagingServiceSid = `MG${'4'.repeat(32)}`;
    // Through the binary, as an operator types it: the token is never in argv.
    const put = await smsctlBinary(
      [
        '--local',
        '--json',
        'tenant',
        'put',
        '--tenant',
        tenant,
        '--account-sid',
        `AC${'4'.repeat(32)}`,
        '--auth-token',
        '-',
        '--messaging-service-sid',
        messagingServiceSid,
      ],
      'first-token-0123456789abcdef0123\n',
    );
    expect(put.code).toBe(0);
    expect(put.stdout).not.toContain('first-token');
    expect(await secret()).toEqual({
      accountSid: `AC${'4'.repeat(32)}`,
      authToken: 'first-token-0123456789abcdef0123',
      messagingServiceSid,
    });

    // A rotation names only the token: the account and the Messaging Service stay, and the
    // replaced token is still accepted on webhooks for 24 hours.
    const rotatedAt = Date.now();
    const rotated = await json<{ tenant: { previousTokenValidUntil: string } }>(
      'tenant',
      'put',
      '--tenant',
      tenant,
      '--auth-token',
      'second-token-0123456789abcdef012',
    );
    const validUntil = rotated.tenant.previousTokenValidUntil;
    expect(Date.parse(validUntil) - rotatedAt).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(Date.parse(validUntil) - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect(await secret()).toEqual({
      accountSid: `AC${'4'.repeat(32)}`,
      authToken: 'second-token-0123456789abcdef012',
      messagingServiceSid,
      previousAuthToken: 'first-token-0123456789abcdef0123',
      previousAuthTokenValidUntil: validUntil,
    });

    // A put that leaves the token alone keeps the previous one and its deadline.
    await json('tenant', 'put', '--tenant', tenant, '--messaging-service-sid', 'none');
    expect(await secret()).toEqual({
      accountSid: `AC${'4'.repeat(32)}`,
      authToken: 'second-token-0123456789abcdef012',
      previousAuthToken: 'first-token-0123456789abcdef0123',
      previousAuthTokenValidUntil: validUntil,
    });

    // The same token again is no rotation: the previous token is not replaced by the current one.
    await json('tenant', 'put', '--tenant', tenant, '--auth-token', 'second-token-0123456789abcdef012');
    expect(await secret()).toMatchObject({ previousAuthToken: 'first-token-0123456789abcdef0123' });

    // --previous-token-grace 0 (the old token leaked): no previous token from now on.
    const revoked = await json<{ tenant: Record<string, string> }>(
      'tenant',
      'put',
      '--tenant',
      tenant,
      '--previous-token-grace',
      '0',
    );
    expect(revoked.tenant.previousTokenValidUntil).toBeUndefined();
    expect(await secret()).toEqual({
      accountSid: `AC${'4'.repeat(32)}`,
      authToken: 'second-token-0123456789abcdef012',
    });

    // A grace of its own, and a new account: its token keeps no previous one of another account.
    await json(
      'tenant',
      'put',
      '--tenant',
      tenant,
      '--auth-token',
      'third-token-0123456789abcdef0123',
      '--previous-token-grace',
      '2h',
    );
    expect(Date.parse(String((await secret())?.previousAuthTokenValidUntil)) - Date.now()).toBeGreaterThan(
      2 * 3600_000 - 60_000,
    );
    await json(
      'tenant',
      'put',
      '--tenant',
      tenant,
      '--account-sid',
      `AC${'5'.repeat(32)}`,
      '--auth-token',
      'other-account-token-0123456789ab',
    );
    expect(await secret()).toEqual({
      accountSid: `AC${'5'.repeat(32)}`,
      authToken: 'other-account-token-0123456789ab',
    });
    expect(await smsctl('tenant', 'put', '--tenant', tenant, '--previous-token-grace', '30d')).toMatchObject({
      code: 2,
      error: '--previous-token-grace: at most 7d',
    });

    const fresh = await smsctl('tenant', 'put', '--tenant', 'brand-new', '--auth-token', 'x'.repeat(32));
    expect(fresh).toMatchObject({
      code: 2,
      error: expect.stringContaining('a new tenant needs --account-sid'),
    });
  });
});
