/**
 * Reminders through the whole local stack (conversation function -> reminders queue with an SQS
 * delay -> reminders function -> outbound.fifo -> sender -> the simulator's phone): a customer who
 * goes silent gets the reminder once, 10 s after the prompt; a customer who answers in time gets
 * none. Both run side by side, so the wait is paid once.
 */
import { describe, expect, it } from 'vitest';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { METRICS } from '../../lib/metric-catalog';
import { DEMO_TENANT, loadWorkflowFile } from '../../local/seed';
import { repliesTo, textDemo, transcriptOf, useLocalStack, waitForReplies } from '../support/local-stack';
import { useSmsctl } from '../support/smsctl';
import { sleep, waitFor } from '../support/wait';

const stack = useLocalStack();
const { smsctl } = useSmsctl(stack);
const SILENT = '+15550401001';
const ANSWERING = '+15550401002';
const REMINDER = "Just checking in! I'd be happy to help! Can you provide your order number?";

describe('reminders', () => {
  it('reminds a silent customer once after 10 s, and not one who answered', { timeout: 90_000 }, async () => {
    const local = stack();
    const demo = await loadWorkflowFile(DEMO_TENANT.workflowFile);
    const [route, ...others] = demo.routes;
    if (!route) throw new Error('the demo workflow has a route');
    await new DynamoTenantAdmin(local.clients.dynamo, local.tableName).putWorkflow(DEMO_TENANT.tenantId, {
      ...demo,
      routes: [{ ...route, reminders: [{ afterSeconds: 10, reply: 'Just checking in!' }] }, ...others],
    });

    const started = Date.now();
    await textDemo(local, SILENT, 'where is my order?');
    await textDemo(local, ANSWERING, 'track order 123456');
    await waitForReplies(local, SILENT, 1);
    await waitForReplies(local, ANSWERING, 1);
    await textDemo(local, ANSWERING, 'I ordered it on December 1');
    await waitForReplies(local, ANSWERING, 2);

    const [, reminder] = await waitFor(
      'the reminder to the silent customer',
      () => {
        const replies = repliesTo(local, SILENT);
        return replies.length >= 2 ? replies : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(reminder?.resource.body).toBe(REMINDER);

    // Long enough for a second copy, a redelivery or a stray timer to show.
    await sleep(5_000);
    expect(repliesTo(local, SILENT).map((message) => message.resource.body)).toEqual([
      expect.stringContaining('Can you provide your order number?'),
      REMINDER,
    ]);
    // The customer who answered completed the conversation: no reminder at all.
    expect(repliesTo(local, ANSWERING).map((message) => message.resource.body)).toEqual([
      expect.stringContaining('When did you place this order?'),
      expect.stringContaining('Checking order 123456'),
    ]);
    const transcript = await transcriptOf(local, SILENT);
    const reminders = transcript.filter((entry) => String(entry.sendId ?? '').includes('-reminder-'));
    expect(reminders).toMatchObject([{ direction: 'outbound', body: REMINDER }]);
    await waitFor('RemindersSent', () =>
      local.metrics.sum(METRICS.remindersSent, { TenantId: DEMO_TENANT.tenantId }) === 1 ? true : undefined,
    );
  });

  it('tenant put --quiet-hours: stored and shown, refused with nothing changed when unreadable, none removes', async () => {
    const tenant = DEMO_TENANT.tenantId;
    const get = async () =>
      (
        JSON.parse((await smsctl('--json', 'tenant', 'get', '--tenant', tenant)).stdout) as {
          tenant: Record<string, unknown>;
        }
      ).tenant;
    expect((await smsctl('tenant', 'put', '--tenant', tenant, '--quiet-hours', '21:00-08:00')).code).toBe(0);
    expect(await get()).toMatchObject({ quietHours: '21:00-08:00' });
    const refused = await smsctl('tenant', 'put', '--tenant', tenant, '--quiet-hours', '9pm-8am');
    expect(refused.code).toBe(2);
    expect(refused.error).toMatch(/--quiet-hours: quiet hours "9pm-8am" must be HH:MM-HH:MM/);
    expect(await get()).toMatchObject({ quietHours: '21:00-08:00' });
    // Another change keeps them; none removes them.
    expect((await smsctl('tenant', 'put', '--tenant', tenant, '--name', 'Demo')).code).toBe(0);
    expect(await get()).toMatchObject({ quietHours: '21:00-08:00', name: 'Demo' });
    expect((await smsctl('tenant', 'put', '--tenant', tenant, '--quiet-hours', 'none')).code).toBe(0);
    expect(await get()).not.toHaveProperty('quietHours');
  });
});
