import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIMENSIONS, METRICS } from '../../lib/metric-catalog';
import type { MetricDatum } from '../../local/emf';
import { DEMO_TENANT } from '../../local/seed';
import { ensureChromium, launchChromium } from '../support/chromium';
import { useLocalStack } from '../support/local-stack';
import { useSmsctl } from '../support/smsctl';
import { waitFor } from '../support/wait';

/**
 * The local console in a real browser (Debian's Chromium through playwright-core) against a local
 * stack on free ports: the phone, a transcript, the delivery figures checked against the functions'
 * EMF records, and undelivered faults. Takes the docs' screenshots into a temporary folder, so a
 * test run leaves the tracked docs/screenshots/ alone; `npm run docs:screenshots`
 * (scripts/docs-screenshots.mjs) runs this file with SCREENSHOTS_DIR=docs/screenshots to refresh them.
 */
const DOCS_SCREENSHOTS = path.resolve('docs/screenshots');
/** Where the screenshots go: SCREENSHOTS_DIR when set, else a temporary folder removed afterwards. */
const SCREENSHOTS_DIR_ENV = 'SCREENSHOTS_DIR';
let screenshots = '';
let temporaryScreenshots = false;
const taken = new Set<string>();
const CUSTOMER = '+15551234567';
const MMS_CUSTOMER = '+15551239876';
const PERIOD_MS = 10_000;
/** The machine may be busy (two cores, other suites): generous waits, each one ends as soon as it can. */
const BROWSER_WAIT_MS = 45_000;

const getStack = useLocalStack();
const { json: smsctlJson } = useSmsctl(getStack);
let browser: Browser | undefined;
let page: Page;
const offsiteRequests: string[] = [];

beforeAll(async () => {
  ensureChromium();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (request) => {
    if (!request.url().startsWith(getStack().apiUrl) && !request.url().startsWith('data:')) {
      offsiteRequests.push(request.url());
    }
  });
  const wanted = process.env[SCREENSHOTS_DIR_ENV];
  temporaryScreenshots = !wanted;
  screenshots = wanted ? path.resolve(wanted) : await mkdtemp(path.join(tmpdir(), 'console-screenshots-'));
  await mkdir(screenshots, { recursive: true });
}, 660_000);

afterAll(async () => {
  await browser?.close();
  if (temporaryScreenshots && screenshots) await rm(screenshots, { recursive: true, force: true });
});

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk's length and type). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString('hex'), 'PNG signature').toBe('89504e470d0a1a0a');
  expect(png.subarray(12, 16).toString('latin1'), 'first chunk').toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * Takes one of the docs' screenshots of `target` (the page, or one panel) into the screenshots
 * folder and checks what was written: a PNG as wide as its target (the panels update live, so their
 * height may change between the picture and a measurement; a page is the viewport's exact size).
 */
async function screenshot(target: Page | Locator, name: string): Promise<void> {
  const file = path.join(screenshots, name);
  const png = await target.screenshot({ path: file });
  expect(readFileSync(file).equals(png), `${name} on disk`).toBe(true);
  const size = pngSize(png);
  expect(size.height, `${name} height`).toBeGreaterThan(0);
  if ('viewportSize' in target) {
    expect(size).toEqual(target.viewportSize());
  } else {
    const box = await target.boundingBox();
    expect(Math.abs(size.width - (box?.width ?? 0)), `${name} width vs its panel's`).toBeLessThanOrEqual(1);
  }
  taken.add(name);
}

/** What the dashboard would sum: one metric of the demo tenant, from the EMF records the stack captured. */
function emfSum(name: string, inPeriod?: (datum: MetricDatum) => boolean): number {
  return getStack()
    .metrics.all()
    .filter((datum) => datum.name === name && datum.dimensions[DIMENSIONS.tenant] === DEMO_TENANT.tenantId)
    .filter((datum) => inPeriod?.(datum) ?? true)
    .reduce((total, datum) => total + datum.value, 0);
}

async function textAs(body: string): Promise<void> {
  const message = page.getByLabel('Message', { exact: true });
  await message.fill(body);
  await message.press('Enter');
}

/** Waits until the phone shows `count` replies, all delivered. */
async function waitForDeliveredReplies(count: number): Promise<void> {
  const delivered = page.locator('#phone-thread li.outbound .status[data-status="delivered"]');
  await delivered.nth(count - 1).waitFor({ timeout: BROWSER_WAIT_MS });
  expect(await page.locator('#phone-thread li.outbound').count()).toBe(count);
}

async function lastReply(): Promise<string> {
  return (await page.locator('#phone-thread li.outbound .body').last().textContent()) ?? '';
}

async function totalsCell(metric: string): Promise<string> {
  return (
    (await page
      .locator(`#delivery-totals tr[data-tenant="demo"] td[data-metric="${metric}"]`)
      .textContent()) ?? ''
  );
}

interface Totals {
  readonly sent: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
}

/** Waits until the delivery view shows exactly the demo tenant's EMF sums (it polls once a second). */
async function waitForTotalsToMatchEmf(): Promise<Totals> {
  const expected: Totals = {
    sent: emfSum(METRICS.messagesSent),
    delivered: emfSum(METRICS.messagesDelivered),
    undelivered: emfSum(METRICS.messagesUndelivered),
    failed: emfSum(METRICS.messagesFailed),
  };
  await waitFor(
    `delivery totals ${JSON.stringify(expected)}`,
    async () => {
      for (const [metric, value] of Object.entries(expected)) {
        if ((await totalsCell(metric)) !== String(value)) return undefined;
      }
      return true;
    },
    { timeoutMs: BROWSER_WAIT_MS, intervalMs: 200 },
  );
  return expected;
}

async function chartRows(): Promise<
  { start: number; delivered: number; undelivered: number; rate: string }[]
> {
  return page.locator('#delivery-periods tbody tr').evaluateAll((rows) =>
    rows.map((row) => ({
      start: Number(row.getAttribute('data-start')),
      delivered: Number(row.querySelector('[data-metric="delivered"]')?.textContent),
      undelivered: Number(row.querySelector('[data-metric="undelivered"]')?.textContent),
      rate: row.querySelector('[data-metric="rate"]')?.textContent ?? '',
    })),
  );
}

async function sendTraffic(count: number): Promise<void> {
  await page.getByLabel('Customers texting in').fill(String(count));
  await page.getByRole('button', { name: 'Send test messages' }).click();
  await page
    .locator('#traffic-result')
    .filter({ hasText: `${count} of ${count} customers texted` })
    .waitFor();
}

describe('local console', () => {
  it('has the order-status conversation in the phone, replies ticking to delivered', async () => {
    const stack = getStack();
    await page.goto(stack.consoleUrl);
    await page.locator('#phone-tenant option[value="demo"]').waitFor({ state: 'attached' });
    await page.getByLabel('Business number').selectOption(DEMO_TENANT.number);
    await page.getByLabel('Your number (the customer)').fill(CUSTOMER);

    await textAs('where is my order');
    await waitForDeliveredReplies(1);
    expect(await lastReply()).toContain('Can you provide your order number?');
    // A screen reader hears the new reply and its delivery, not the whole thread again.
    expect(await page.locator('#phone-announcer').textContent()).toMatch(/^Reply/);
    // The status history shows every step the platform recorded, in words (a late callback may still be on its way).
    const history = page.locator('#phone-thread li.outbound .history').first();
    await waitFor(
      'queued, sent and delivered in the history',
      async () =>
        /queued .* → sent .* → delivered /.test((await history.textContent()) ?? '') ? true : undefined,
      { timeoutMs: BROWSER_WAIT_MS, intervalMs: 200 },
    );

    await textAs('123456');
    await waitForDeliveredReplies(2);
    expect(await lastReply()).toContain('When did you place this order?');

    await textAs('December 10th');
    await waitForDeliveredReplies(3);
    expect(await lastReply()).toMatch(/Checking order 123456 from \w+day, December 10(, \d{4})?\./);
    await screenshot(page.locator('#phone'), 'console-phone.png');
  }, 120_000);

  it('sends an MMS from the phone and shows its thumbnail', async () => {
    await page.getByLabel('Your number (the customer)').fill(MMS_CUSTOMER);
    await page.getByLabel('Attach a picture (MMS)').check();
    await textAs('A photo of the package I am tracking');
    const thumbnail = page.locator('#phone-thread li.inbound .media img');
    await thumbnail.waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await thumbnail.getAttribute('src')).toBe(`${getStack().apiUrl}/console/media/parcel.svg`);
    // The picture really loaded (from the local stack, not the network).
    await waitFor('the thumbnail to load', () =>
      thumbnail.evaluate((image) =>
        (image as unknown as { naturalWidth: number }).naturalWidth > 0 ? true : undefined,
      ),
    );
    await waitForDeliveredReplies(1);
    await page.getByLabel('Your number (the customer)').fill(CUSTOMER);
    await page.getByLabel('Your number (the customer)').dispatchEvent('change');
    await waitForDeliveredReplies(3);
  }, 120_000);

  it('opens the transcript with the collected variables', async () => {
    const conversation = page.locator(`#conversation-list button[data-customer="${CUSTOMER}"]`);
    await conversation.waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await conversation.textContent()).toContain('completed');
    await conversation.click();
    await page.locator('#transcript').waitFor();
    expect(await page.locator('#transcript-title').textContent()).toBe(
      `Transcript: ${CUSTOMER} with ${DEMO_TENANT.number}`,
    );
    expect(await page.locator('dd[data-variable="order_number"]').textContent()).toBe('123456');
    expect(await page.locator('dd[data-variable="order_date"]').textContent()).toMatch(/12-10/);
    await page
      .locator('#transcript-messages li.outbound .status[data-status="delivered"]')
      .nth(2)
      .waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await page.locator('#transcript-messages li.inbound').count()).toBe(3);
    expect(await page.locator('#transcript-messages li.outbound').count()).toBe(3);
    await screenshot(page.locator('#conversations'), 'console-conversations.png');
  }, 120_000);

  it('shows the delivery figures the EMF records give', async () => {
    await waitFor(
      'four delivered outcomes in the EMF records',
      () => (emfSum(METRICS.messagesDelivered) === 4 ? true : undefined),
      { timeoutMs: BROWSER_WAIT_MS },
    );
    const totals = await waitForTotalsToMatchEmf();
    expect(totals).toEqual({ sent: 4, delivered: 4, undelivered: 0, failed: 0 });
    expect(await totalsCell('rate')).toBe('100.0 %');
    // The same figures under the demo number, from the per-number dimension set.
    const numberRow = page.locator(
      `#delivery-numbers tr[data-tenant="${DEMO_TENANT.tenantId}"][data-number="${DEMO_TENANT.number}"]`,
    );
    const perNumber = {
      [DIMENSIONS.tenant]: DEMO_TENANT.tenantId,
      [DIMENSIONS.senderNumber]: DEMO_TENANT.number,
    };
    for (const [metric, name] of [
      ['sent', METRICS.messagesSent],
      ['delivered', METRICS.messagesDelivered],
    ] as const) {
      expect(await numberRow.locator(`td[data-metric="${metric}"]`).textContent()).toBe(
        String(getStack().metrics.sumOfSeries(name, perNumber)),
      );
    }
    expect(getStack().metrics.sumOfSeries(METRICS.messagesDelivered, perNumber)).toBe(4);
    expect(await numberRow.locator('td[data-metric="rate"]').textContent()).toBe('100.0 %');

    await page.getByText('Chart data (periods with outcomes)').click();
    const rows = await chartRows();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const inRow = (datum: MetricDatum) =>
        datum.timestamp >= row.start && datum.timestamp < row.start + PERIOD_MS;
      expect(row.delivered).toBe(emfSum(METRICS.messagesDelivered, inRow));
      expect(row.undelivered).toBe(emfSum(METRICS.messagesUndelivered, inRow));
    }
    expect(rows.reduce((total, row) => total + row.delivered, 0)).toBe(totals.delivered);
    expect(await page.locator('#delivery-chart circle.rate-point').count()).toBe(rows.length);
  }, 120_000);

  it('switches on undelivered faults, watches the rate drop, then recover', async () => {
    const stack = getStack();
    await page.getByLabel('Messages end undelivered').check();
    await page.locator('#faults-status').filter({ hasText: 'undelivered 100 % (error 30003)' }).waitFor();
    expect(stack.simulator.faults().undelivered).toBe(1);

    await sendTraffic(4);
    await waitFor(
      'four undelivered outcomes in the EMF records',
      () => (emfSum(METRICS.messagesUndelivered) === 4 ? true : undefined),
      { timeoutMs: BROWSER_WAIT_MS },
    );
    const dropped = await waitForTotalsToMatchEmf();
    expect(dropped.undelivered).toBe(4);
    expect(await totalsCell('rate')).toBe(
      `${((dropped.delivered / (dropped.delivered + 4)) * 100).toFixed(1)} %`,
    );
    await page.locator('#delivery-errors tr[data-code="30003"]').waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await page.locator('#delivery-errors tr[data-code="30003"] td').last().textContent()).toBe(
      String(emfSum(METRICS.deliveryErrors)),
    );
    const droppedRows = await chartRows();
    expect(droppedRows.some((row) => row.undelivered > 0 && row.rate !== '100.0 %')).toBe(true);
    await screenshot(page.locator('#delivery'), 'console-delivery.png');
    await screenshot(page.locator('#faults'), 'console-faults.png');

    await page.getByRole('button', { name: 'Switch all faults off' }).click();
    await page.locator('#faults-status').filter({ hasText: 'No faults' }).waitFor();
    expect(stack.simulator.faults().undelivered).toBe(0);
    // Recovery shows in a fresh period: wait for the one holding the undelivered outcomes to end.
    const lastUndelivered = Math.max(
      ...stack.metrics
        .all()
        .filter((datum) => datum.name === METRICS.messagesUndelivered)
        .map((datum) => datum.timestamp),
    );
    const nextPeriod = (Math.floor(lastUndelivered / PERIOD_MS) + 1) * PERIOD_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextPeriod - Date.now())));
    await sendTraffic(3);
    await waitFor(
      'three more delivered outcomes',
      () => (emfSum(METRICS.messagesDelivered) === dropped.delivered + 3 ? true : undefined),
      { timeoutMs: BROWSER_WAIT_MS },
    );
    await waitForTotalsToMatchEmf();
    const latestRate = page.locator('#delivery-periods tbody tr').last().locator('[data-metric="rate"]');
    await waitFor(
      'the latest period at 100 %',
      async () => ((await latestRate.textContent()) === '100.0 %' ? true : undefined),
      { timeoutMs: BROWSER_WAIT_MS, intervalMs: 200 },
    );
    await screenshot(page.locator('#delivery'), 'console-delivery-recovered.png');
  }, 120_000);

  it("watches a campaign's progress live, then pauses, resumes and cancels one", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'console-campaign-'));
    const recipients = path.join(folder, 'recipients.csv');
    await writeFile(recipients, ['phone', '+15557020001', '+15557020002', '12', '+15557020003'].join('\n'));
    // As an operator would: smsctl creates, the console watches.
    const create = async (name: string, ...more: string[]) =>
      (
        await smsctlJson<{ campaign: { campaignId: string } }>(
          'campaign',
          'create',
          '--tenant',
          DEMO_TENANT.tenantId,
          '--from',
          DEMO_TENANT.number,
          '--body',
          'Our spring sale starts today. Reply STOP to opt out.',
          '--recipients',
          recipients,
          '--name',
          name,
          ...more,
        )
      ).campaign.campaignId;
    const panel = page.locator('#campaigns');
    const running = await create('spring');
    await panel.getByRole('button', { name: 'spring' }).click();
    const detail = page.locator(`#campaign-detail[data-campaign="${running}"]`);
    await detail.locator('td[data-metric="delivered"]').filter({ hasText: /^3$/ }).waitFor({
      timeout: BROWSER_WAIT_MS,
    });
    await page.locator('#campaign-detail[data-state="completed"]').waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await detail.locator('td[data-metric="deliveryRate"]').textContent()).toBe('100.0 %');
    expect(await detail.locator('td[data-skipped="invalid"]').textContent()).toBe('1');
    expect(
      await page
        .locator('#campaign-progress')
        .evaluate((bar) => [bar.getAttribute('value'), bar.getAttribute('max')]),
    ).toEqual(['4', '4']);
    expect(await page.locator('#campaign-progress-text').textContent()).toMatch(
      /^4 of 4 recipients done \(100 %\)/,
    );
    // Completed is final: every button is off.
    for (const name of ['Pause', 'Resume', 'Cancel campaign'])
      expect(await panel.getByRole('button', { name, exact: true }).isDisabled()).toBe(true);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const scheduled = await create('autumn', '--start-at', tomorrow);
    await panel.getByRole('button', { name: 'autumn' }).click();
    await page.locator(`#campaign-detail[data-campaign="${scheduled}"][data-state="scheduled"]`).waitFor();
    expect(
      await page
        .locator(`#campaign-list tr[data-campaign="${scheduled}"] td[data-field="sender"]`)
        .textContent(),
    ).toBe(DEMO_TENANT.number);
    await panel.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.locator('#campaign-result').filter({ hasText: 'Campaign is now paused.' }).waitFor();
    await page
      .locator(`#campaign-list tr[data-campaign="${scheduled}"] td[data-field="state"]`)
      .filter({ hasText: 'paused' })
      .waitFor();
    expect(await panel.getByRole('button', { name: 'Pause', exact: true }).isDisabled()).toBe(true);
    await panel.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.locator('#campaign-result').filter({ hasText: 'Campaign is now scheduled.' }).waitFor();
    await panel.getByRole('button', { name: 'Cancel campaign', exact: true }).click();
    await page.locator('#campaign-result').filter({ hasText: 'Campaign is now cancelled.' }).waitFor();
    // The console moved the stored state, the same one smsctl reads.
    const shown = await smsctlJson<{ campaign: { state: string } }>(
      'campaign',
      'show',
      '--tenant',
      DEMO_TENANT.tenantId,
      '--campaign',
      scheduled,
    );
    expect(shown.campaign.state).toBe('cancelled');
    await rm(folder, { recursive: true, force: true });
  }, 120_000);

  it('reflows to a 360 px window and fetched nothing from outside the local stack', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    // Nothing sticks out of the window (wide tables scroll inside their own box), so the page never scrolls sideways.
    const tooWide = await page
      .locator('body *')
      .evaluateAll((elements) =>
        elements
          .filter(
            (element) => element.getBoundingClientRect().right > 360.5 && !element.closest('.table-scroll'),
          )
          .map(
            (element) =>
              `${element.tagName.toLowerCase()}#${element.id}.${element.getAttribute('class') ?? ''}`,
          ),
      );
    expect(tooWide).toEqual([]);
    await page.locator('h1').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-narrow.png');
    expect(offsiteRequests).toEqual([]);
  }, 60_000);

  it('took every picture the docs show (npm run docs:screenshots refreshes them all)', () => {
    const docs = readdirSync(DOCS_SCREENSHOTS).filter((name) => name.endsWith('.png'));
    expect([...taken].sort()).toEqual(docs.sort());
  });
});
