import { describe, expect, it } from 'vitest';
import { completionWebhookJob } from '../../../lambdas/domain/completion-webhook/job';
import { classifyAttempt, retryAfterSeconds } from '../../../lambdas/domain/completion-webhook/outcome';
import { webhookBody, webhookIdFor } from '../../../lambdas/domain/completion-webhook/payload';
import { webhookRetryDelaySeconds } from '../../../lambdas/domain/completion-webhook/retry-policy';
import { webhookUrlProblem } from '../../../lambdas/domain/completion-webhook/url';
import type { WebhookQueueMessage } from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';

const job: WebhookQueueMessage = {
  v: 1,
  webhookId: 'wh_0123456789abcdef0123456789abcdef',
  tenantId: 'demo',
  conversationId: `SM${'a'.repeat(32)}`,
  workflowId: 'order-status',
  routeId: 'track-order',
  customer: '+15551234567',
  variables: { order_number: '123456', order_date: '2026-12-10' },
  completedAt: '2026-12-11T09:30:00.000Z',
  url: 'https://example.com/sms/completed',
};

// Signing: Standard Webhooks, through the standardwebhooks library (test/unit/domain/events.test.ts).
describe('completion webhook payload', () => {
  it('is the documented event, the same bytes for the same job', () => {
    const body = webhookBody(job);
    expect(JSON.parse(body)).toEqual({
      // Standard Webhooks' payload fields, beside the ones receivers read before.
      type: 'conversation.completed',
      timestamp: '2026-12-11T09:30:00.000Z',
      event: 'conversation.completed',
      webhookId: job.webhookId,
      tenantId: 'demo',
      conversationId: job.conversationId,
      workflowId: 'order-status',
      routeId: 'track-order',
      customer: '+15551234567',
      variables: { order_number: '123456', order_date: '2026-12-10' },
      completedAt: '2026-12-11T09:30:00.000Z',
    });
    expect(webhookBody({ ...job })).toBe(body);
    // The URL is where it goes, not what it says.
    expect(body).not.toContain('example.com');
  });

  it('has one id per completion: stable across retries, distinct per completing message and tenant', () => {
    const id = webhookIdFor('demo', 'SMconv', 'SMlast');
    expect(id).toMatch(/^wh_[0-9a-f]{32}$/);
    expect(webhookIdFor('demo', 'SMconv', 'SMlast')).toBe(id);
    expect(webhookIdFor('demo', 'SMconv', 'SMother')).not.toBe(id);
    expect(webhookIdFor('other', 'SMconv', 'SMlast')).not.toBe(id);
  });
});

function workflowWithWebhook(webhook: unknown): ReturnType<typeof parseWorkflow> {
  return parseWorkflow({
    id: 'order-status',
    routes: [
      {
        id: 'track-order',
        match: { keywords: ['order'] },
        mandatoryVariables: [{ name: 'order_number', type: 'pattern', pattern: '\\d{6}', prompt: 'Number?' }],
        onComplete: { reply: 'Thanks!', ...(webhook === undefined ? {} : { webhook }) },
      },
    ],
    fallback: { reply: 'Sorry?' },
    failureMessage: 'Oops.',
  });
}

describe('onComplete.webhook in the workflow schema', () => {
  it.each([
    'https://example.com/hooks/sms',
    'https://example.com:8443/hooks?tenant=a',
    'http://127.0.0.1:4000/hook',
    'http://localhost/hook',
    'http://[::1]:4000/hook',
  ])('accepts %s', (url) => {
    expect(workflowWithWebhook({ url }).ok).toBe(true);
  });

  it.each([
    ['http://example.com/hook', 'must use https://'],
    ['http://10.0.0.1/hook', 'endpoint not allowed'],
    ['https://169.254.169.254/latest/meta-data', 'endpoint not allowed'],
    ['https://[fd00:ec2::254]/latest', 'endpoint not allowed'],
    ['ftp://example.com/hook', 'must use https://'],
    ['example.com/hook', 'must be an absolute URL'],
    ['https://user:secret@example.com/hook', 'must not carry credentials'],
    ['https://example.com/hook#x', 'must not have a #fragment'],
    [`https://example.com/${'a'.repeat(2048)}`, 'at most 2048 characters'],
  ])('refuses %s, naming the field and the fix', (url, reason) => {
    const parsed = workflowWithWebhook({ url });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatch(/^routes\.0\.onComplete\.webhook\.url: url /);
    expect(parsed.errors[0]).toContain(reason);
  });

  it('refuses unknown fields (no secretName: the key is always the tenant own)', () => {
    const parsed = workflowWithWebhook({ url: 'https://example.com/x', secretName: 'other/tenant' });
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      'routes.0.onComplete.webhook.secretName: unrecognized key',
    ]);
  });

  it('is checked again where the job is delivered (same rule, no schema needed)', () => {
    expect(webhookUrlProblem('https://example.com/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://169.254.169.254/latest/meta-data')).toBe('endpoint not allowed');
    expect(webhookUrlProblem('http://127.0.0.1.example.com/hook')).toContain('must use https://');
  });

  it('keeps workflows without a webhook valid', () => {
    expect(workflowWithWebhook(undefined).ok).toBe(true);
  });
});

describe('completionWebhookJob', () => {
  const parsed = workflowWithWebhook({ url: 'https://example.com/hook' });
  const workflow = (parsed.ok ? parsed.workflow : undefined) as Workflow;
  const input = {
    workflow,
    tenantId: 'demo',
    conversationId: 'SMconv',
    customer: '+15551234567',
    completingMessageSid: 'SMlast',
    completedAt: '2026-12-11T09:30:00.000Z',
  };

  it('is owed when the route completes, with the collected variables and a stable id', () => {
    const state = {
      status: 'completed' as const,
      routeId: 'track-order',
      variables: { order_number: '123456' },
      attempts: {},
    };
    expect(completionWebhookJob({ ...input, state })).toEqual({
      v: 1,
      webhookId: webhookIdFor('demo', 'SMconv', 'SMlast'),
      tenantId: 'demo',
      conversationId: 'SMconv',
      workflowId: 'order-status',
      routeId: 'track-order',
      customer: '+15551234567',
      variables: { order_number: '123456' },
      completedAt: '2026-12-11T09:30:00.000Z',
      url: 'https://example.com/hook',
    });
  });

  it('is not owed while collecting, or by a route without a webhook', () => {
    const collecting = { status: 'collecting' as const, routeId: 'track-order', variables: {}, attempts: {} };
    expect(completionWebhookJob({ ...input, state: collecting })).toBeUndefined();
    const plain = workflowWithWebhook(undefined);
    const completed = { ...collecting, status: 'completed' as const };
    expect(
      completionWebhookJob({
        ...input,
        workflow: (plain.ok && plain.workflow) as Workflow,
        state: completed,
      }),
    ).toBeUndefined();
  });
});

describe('what one attempt means', () => {
  const now = Date.parse('2026-12-11T09:30:00Z');
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [301, 'reject'],
    [400, 'reject'],
    [401, 'reject'],
    [404, 'reject'],
    [410, 'reject'],
  ])('HTTP %i -> %s', (status, kind) => {
    expect(classifyAttempt({ kind: 'response', status }, now).kind).toBe(kind);
  });

  it('retries timeouts and network errors', () => {
    expect(classifyAttempt({ kind: 'timeout' }, now)).toEqual({ kind: 'retry', reason: 'timed out' });
    expect(classifyAttempt({ kind: 'networkError', code: 'ECONNREFUSED' }, now)).toEqual({
      kind: 'retry',
      reason: 'network error ECONNREFUSED',
    });
  });

  it('rejects at once, saying only "endpoint not allowed", what the policy refused before connecting', () => {
    expect(classifyAttempt({ kind: 'notAllowed' }, now)).toEqual({
      kind: 'notAllowed',
      reason: 'endpoint not allowed',
    });
  });

  it('honours Retry-After (seconds or HTTP date), capped at 15 minutes', () => {
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Fri, 11 Dec 2026 09:31:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('86400', now)).toBe(900);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(classifyAttempt({ kind: 'response', status: 429, retryAfter: '30' }, now)).toEqual({
      kind: 'retry',
      reason: 'HTTP 429',
      notBeforeSeconds: 30,
    });
    expect(webhookRetryDelaySeconds(1, () => 0, 30)).toBe(30);
  });

  it('backs off with full jitter from 5 s to at most 15 min', () => {
    expect(webhookRetryDelaySeconds(1, () => 0.999)).toBe(5);
    expect(webhookRetryDelaySeconds(3, () => 0.999)).toBe(20);
    expect(webhookRetryDelaySeconds(20, () => 0.999)).toBe(900);
    expect(webhookRetryDelaySeconds(20, () => 0)).toBe(1);
  });
});

describe('workflow lint of onComplete.webhook', () => {
  it('warns that plain http:// to a loopback host only works on the local stack', () => {
    const local = workflowWithWebhook({ url: 'http://127.0.0.1:4000/hook' });
    const deployed = workflowWithWebhook({ url: 'https://example.com/hook' });
    if (!local.ok || !deployed.ok) throw new Error('invalid fixture');
    expect(lintWorkflow(local.workflow).warnings).toContain(
      'routes.track-order.onComplete.webhook.url: plain http:// reaches only this machine (local stack); use https:// before deploying',
    );
    expect(lintWorkflow(deployed.workflow).warnings.filter((w) => w.includes('webhook'))).toEqual([]);
  });
});
