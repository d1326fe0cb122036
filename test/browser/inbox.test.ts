import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HANDOFF_REPLY } from '../../lambdas/domain/workflow/handoff';
import { ensureChromium, launchChromium } from '../support/chromium';
import { repliesTo, textDemo, useLocalStack, waitForReplies } from '../support/local-stack';

/**
 * The console's Inbox in a real browser (Debian's Chromium through playwright-core): a customer
 * asks for a person on the simulator's phone, the conversation shows up in the inbox, a person
 * answers it there (delivered to the phone) and gives it back to the bot.
 */
const CUSTOMER = '+15551237001';
const BROWSER_WAIT_MS = 45_000;

const getStack = useLocalStack();
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  ensureChromium();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 660_000);

afterAll(async () => {
  await browser?.close();
});

describe('console inbox', () => {
  it('lists a handed-off conversation, answers it through the sender and releases it to the bot', async () => {
    await textDemo(getStack(), CUSTOMER, 'Where is my package?');
    await textDemo(getStack(), CUSTOMER, 'I want a human');
    const replies = await waitForReplies(getStack(), CUSTOMER, 2);
    expect(replies[1]?.resource.body).toBe(DEFAULT_HANDOFF_REPLY);

    await page.goto(`${getStack().apiUrl}/console/`);
    const inbox = page.locator('#inbox');
    const entry = inbox.getByRole('button', { name: new RegExp(`^\\${CUSTOMER} .*asked for a person`) });
    await entry.waitFor({ timeout: BROWSER_WAIT_MS });
    await entry.click();
    expect(await entry.getAttribute('aria-pressed')).toBe('true');
    await inbox.locator('#inbox-messages li.inbound').filter({ hasText: 'I want a human' }).waitFor();

    await inbox.getByLabel(/Your reply/).fill('Hi, Dana here. Which order is it?');
    await inbox.getByRole('button', { name: 'Send', exact: true }).click();
    await inbox.locator('#inbox-result').filter({ hasText: 'Queued' }).waitFor();
    const answer = inbox.locator('#inbox-messages li.outbound').filter({ hasText: 'Dana here' });
    await answer.locator('.status[data-status="delivered"]').waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await answer.locator('.meta').first().textContent()).toMatch(/^Agent /);
    const [, , agent] = await waitForReplies(getStack(), CUSTOMER, 3);
    expect(agent?.resource.body).toBe('Hi, Dana here. Which order is it?');

    await inbox.getByRole('button', { name: 'Back to the bot: resume' }).click();
    await inbox.locator('#inbox-result').filter({ hasText: 'Back with the bot' }).waitFor();
    await entry.waitFor({ state: 'detached', timeout: BROWSER_WAIT_MS });
    const [, , , resumed] = await waitForReplies(getStack(), CUSTOMER, 4);
    expect(resumed?.resource.body).toBe("I'd be happy to help! Can you provide your order number?");
    expect(repliesTo(getStack(), CUSTOMER)).toHaveLength(4);
  });
});
