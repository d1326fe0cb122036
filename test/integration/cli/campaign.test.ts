import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTenantAdmin } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import { seedTenant } from '../../../local/seed';
import { campaignItems, campaignTicks } from '../../support/campaign-store-state';
import { useLocalStack } from '../../support/local-stack';
import { useSmsctl } from '../../support/smsctl';

/**
 * `smsctl campaign` against a real local stack: a recipients file read whole before anything is
 * created, then sent in chunks through the same use cases as the API. Every campaign starts
 * tomorrow, so its first tick stays held back and nothing is released: the assertions are on what
 * was stored and scheduled.
 */
const stack = useLocalStack();
const { smsctl, json } = useSmsctl(stack);

const ACME = {
  tenantId: 'cli-campaigns',
  name: 'CLI Campaigns',
  accountSid: `AC${'e5'.repeat(16)}`,
  authToken: 'cli-campaigns-token-0123456789abc',
  number: '+15005550501',
  workflowFile: 'examples/workflows/order-status.json',
};
const OTHER = {
  tenantId: 'cli-other',
  name: 'CLI Other',
  accountSid: `AC${'f6'.repeat(16)}`,
  authToken: 'cli-other-token-0123456789abcdef0',
  number: '+15005550502',
  workflowFile: 'examples/workflows/order-status.json',
};

let tmp = '';
const START_AT = (() => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 3)).toISOString();
})();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'campaign-cli-'));
  await seedTenant(stack(), ACME);
  await seedTenant(stack(), OTHER);
  const admin = new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName);
  await admin.putPool(OTHER.tenantId, 'theirs', [OTHER.number], new Date().toISOString());
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const location = path.join(tmp, name);
  await writeFile(location, content);
  return location;
}

/** A line that is valid, a national number, a bad number, a duplicate, and an order number that is not one. */
const ORDERS_CSV = [
  'phone,order_number,order_date',
  '+14155550200,123456,2025-01-05',
  '(415) 555-0201,234567,2025-01-05',
  '12,345678,2025-01-05',
  '+1 415 555 0200,456789,2025-01-05',
  '+14155550202,12,2025-01-05',
].join('\n');

function createArgs(recipients: string, ...more: string[]): string[] {
  return [
    'campaign',
    'create',
    '--tenant',
    ACME.tenantId,
    '--recipients',
    recipients,
    '--start-at',
    START_AT,
    ...more,
  ];
}

const WORKFLOW = ['--from', ACME.number, '--workflow', 'order-status'];

interface CampaignView {
  campaignId: string;
  state: string;
  recipientsComplete: boolean;
  progress: { total: number; pending: number };
}

async function campaignIds(): Promise<string[]> {
  const listed = await json<{ campaigns: CampaignView[] }>(
    'campaign',
    'list',
    '--tenant',
    ACME.tenantId,
    '--limit',
    '100',
  );
  return listed.campaigns.map((campaign) => campaign.campaignId);
}

describe('smsctl campaign --local', () => {
  it('creates a campaign from a CSV file: bad rows by line, duplicates once, the file complete and one tick', async () => {
    const csv = await file('orders.csv', ORDERS_CSV);
    const ticks = await campaignTicks(stack());
    const created = await json<{
      repeated: boolean;
      campaign: CampaignView;
      report: Record<string, unknown>;
    }>(
      ...createArgs(
        csv,
        ...WORKFLOW,
        '--quiet-hours',
        '21:00-08:00',
        '--name',
        'CLI orders',
        '--idempotency-key',
        'cli-1',
      ),
    );
    expect(created.repeated).toBe(false);
    expect(created.campaign).toMatchObject({
      state: 'scheduled',
      recipientsComplete: true,
      name: 'CLI orders',
      quietHours: '21:00-08:00',
      progress: { total: 5, pending: 2, skipped: { invalid: 2, duplicate: 1 } },
    });
    expect(created.report).toMatchObject({
      rows: 5,
      recipients: 2,
      added: 2,
      invalid: 2,
      duplicates: 1,
      problems: [
        { line: 4, problem: 'invalid-phone' },
        { line: 5, problem: 'duplicate', reason: 'same number as line 2' },
        { line: 6, problem: 'invalid-variable', reason: expect.stringMatching(/order_number/) },
      ],
    });
    expect((await campaignTicks(stack())).delayed).toBe(ticks.delayed + 1);
    const { campaignId } = created.campaign;
    const items = await campaignItems(stack(), ACME.tenantId, campaignId);
    expect(items.recipients.map((item) => [item.phone, item.line]).sort()).toEqual([
      ['+14155550200', 2],
      ['+14155550201', 3],
    ]);
    expect(items.due).toHaveLength(2);
    expect(items.meta).toMatchObject({
      total: 5,
      skippedInvalid: 2,
      skippedDuplicate: 1,
      recipientsComplete: true,
    });

    // The same command again: the campaign that exists, nothing added, no second tick.
    const again = await smsctl(
      ...createArgs(
        csv,
        ...WORKFLOW,
        '--quiet-hours',
        '21:00-08:00',
        '--name',
        'CLI orders',
        '--idempotency-key',
        'cli-1',
      ),
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`campaign ${campaignId} was already created with this --idempotency-key`);
    expect((await campaignTicks(stack())).delayed).toBe(ticks.delayed + 1);
    expect((await campaignItems(stack(), ACME.tenantId, campaignId)).meta).toMatchObject({ total: 5 });

    const shown = await smsctl('campaign', 'show', '--tenant', ACME.tenantId, '--campaign', campaignId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      `campaign ${campaignId} "CLI orders" of tenant ${ACME.tenantId}: scheduled`,
    );
    expect(shown.stdout).toContain('total 5, pending 2, queued 0');
    expect(await campaignIds()).toContain(campaignId);
  });

  it('refuses the whole file with --strict, creating nothing', async () => {
    const csv = await file('strict.csv', ORDERS_CSV);
    const before = await campaignIds();
    const refused = await smsctl('--json', ...createArgs(csv, ...WORKFLOW, '--strict'));
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^--strict: 2 invalid rows \(line 4: .*\): the whole file is refused$/),
    });
    expect(await campaignIds()).toEqual(before);
  });

  it('reads a JSON lines file for a text campaign with a variable', async () => {
    const jsonl = await file(
      'people.jsonl',
      [
        '{"phone":"+14155550300","first_name":"Ada"}',
        '{"phone":"+14155550301","first_name":"Grace","timezone":"Europe/Paris"}',
      ].join('\n'),
    );
    const created = await json<{ campaign: CampaignView; report: { added: number } }>(
      ...createArgs(jsonl, '--from', ACME.number, '--body', 'Hi {{first_name}}, our sale starts now'),
    );
    expect(created.report.added).toBe(2);
    const items = await campaignItems(stack(), ACME.tenantId, created.campaign.campaignId);
    expect(items.recipients.map((item) => [item.phone, item.variables, item.timezone]).sort()).toEqual([
      ['+14155550300', { first_name: 'Ada' }, undefined],
      ['+14155550301', { first_name: 'Grace' }, 'Europe/Paris'],
    ]);
  });

  it.each([
    [
      'a file that is not CSV',
      'sheet.csv',
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x14, 0]),
      WORKFLOW,
      1,
      /not a CSV or JSON lines recipients file/,
    ],
    [
      'a file without a phone column',
      'names.csv',
      'name,order_number\nAda,123456',
      WORKFLOW,
      1,
      /no phone column/,
    ],
    [
      'unknown columns',
      'coupons.csv',
      'phone,order_number,order_date,coupon\n+14155550400,123456,2025-01-05,X',
      WORKFLOW,
      1,
      /coupon is not a variable of the campaign/,
    ],
    [
      'columns the first message cannot be made of',
      'plain.csv',
      'phone\n+14155550401',
      ['--from', ACME.number, '--body', 'Hi {{first_name}}'],
      1,
      /cannot start with these columns: the text needs variable\(s\) first_name/,
    ],
    [
      'quiet hours that never open',
      'ok.csv',
      ORDERS_CSV,
      [...WORKFLOW, '--quiet-hours', '00:00-23:00'],
      2,
      /leave 1 h a day to send/,
    ],
    [
      'another tenant’s number',
      'ok.csv',
      ORDERS_CSV,
      ['--from', OTHER.number, '--workflow', 'order-status'],
      1,
      /--from is not a number of tenant cli-campaigns/,
    ],
    [
      'another tenant’s pool',
      'ok.csv',
      ORDERS_CSV,
      ['--pool', 'theirs', '--workflow', 'order-status'],
      1,
      /pool theirs not found for tenant cli-campaigns/,
    ],
    [
      'two senders',
      'ok.csv',
      ORDERS_CSV,
      [...WORKFLOW, '--pool', 'main'],
      2,
      /exactly one of --from, --pool and --messaging-service/,
    ],
    [
      'a Messaging Service campaign with no number to keep its conversations on',
      'ok.csv',
      ORDERS_CSV,
      ['--messaging-service', '--workflow', 'order-status'],
      2,
      /--messaging-service needs --from/,
    ],
  ])('refuses %s before creating anything', async (_name, name, content, flags, code, reason) => {
    const recipients = await file(name, content);
    const before = await campaignIds();
    const result = await smsctl(...createArgs(recipients, ...flags));
    expect(result.code).toBe(code);
    expect(result.error).toMatch(reason);
    expect(await campaignIds()).toEqual(before);
  });

  it('refuses a start time in the past beyond a minute', async () => {
    const csv = await file('late.csv', ORDERS_CSV);
    const before = await campaignIds();
    const late = new Date(Date.now() - 10 * 60_000).toISOString();
    const result = await smsctl(
      'campaign',
      'create',
      '--tenant',
      ACME.tenantId,
      '--recipients',
      csv,
      '--start-at',
      late,
      ...WORKFLOW,
    );
    expect(result.code).toBe(1);
    expect(result.error).toMatch(/^--start-at .* is in the past/);
    expect(await campaignIds()).toEqual(before);
  });

  it('pauses, resumes and cancels a campaign, and says why it cannot resume a cancelled one', async () => {
    const csv = await file('control.csv', 'phone\n+14155550500');
    const { campaign } = await json<{ campaign: CampaignView }>(
      ...createArgs(csv, '--from', ACME.number, '--body', 'Sale'),
    );
    const control = (action: string) =>
      smsctl('--json', 'campaign', action, '--tenant', ACME.tenantId, '--campaign', campaign.campaignId);
    for (const [action, state, changed] of [
      ['pause', 'paused', true],
      ['pause', 'paused', false],
      ['resume', 'scheduled', true],
      ['cancel', 'cancelled', true],
    ] as const) {
      const result = await control(action);
      expect(result.code, action).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ changed, campaign: { state } });
    }
    const refused = await control('resume');
    expect(refused).toMatchObject({ code: 1, error: 'the campaign is cancelled: it cannot be resumed' });
    expect((await campaignItems(stack(), ACME.tenantId, campaign.campaignId)).meta).toMatchObject({
      state: 'cancelled',
    });
  });

  it.each([
    [['campaign', 'show', '--tenant', ACME.tenantId], /--campaign is required/],
    [['campaign', 'show', '--tenant', ACME.tenantId, '--campaign', 'spring'], /invalid campaign id/],
    [['campaign', 'create', '--tenant', ACME.tenantId, ...WORKFLOW], /--recipients is required/],
    [['campaign', 'list', '--tenant', ACME.tenantId, '--limit', '0'], /limit must be a whole number/],
    [['campaign', 'restart', '--tenant', ACME.tenantId], /unknown campaign action "restart"/],
  ])('exits 2 on a usage error: %j', async (args, reason) => {
    const result = await smsctl(...args);
    expect(result.code).toBe(2);
    expect(result.error).toMatch(reason);
  });
});
