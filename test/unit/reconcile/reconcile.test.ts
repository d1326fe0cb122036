import { writeNow } from '../../../lambdas/shared/reported-batch';
import { describe, expect, it } from 'vitest';
import type { MessageStore, OpenMessage, StatusApplyResult } from '../../../lambdas/ports/message-store';
import type { SentSms, SmsGateway } from '../../../lambdas/ports/sms-gateway';
import { reconcile } from '../../../lambdas/reconcile/reconcile';
import type { StatusEvent } from '../../../lambdas/status/apply';

const NOW = new Date('2026-11-22T12:00:00Z');
const CREDS = { accountSid: `AC${'d'.repeat(32)}`, authToken: 't' };

function open(sid: string, status: OpenMessage['status'], openSince: string): OpenMessage {
  return { sid, tenantId: sid === 'SM-gone-tenant' ? 'gone' : 'demo', status, openSince };
}

function setup(openMessages: OpenMessage[], remote: Record<string, SentSms | undefined | Error>) {
  const closed: string[] = [];
  const applied: string[] = [];
  const events: StatusEvent[] = [];
  const messages: MessageStore = {
    claimSend: async () => ({ outcome: 'claimed', parks: 0 }),
    releaseSend: async () => {},
    parkSend: async () => {},
    recordSent: async () => ({ reportOutcome: false }),
    completeSend: async () => {},
    confirmStatusReported: async () => {},
    applyStatus: async (update): Promise<StatusApplyResult> => {
      applied.push(`${update.sid}:${update.status}`);
      return { outcome: 'advanced', createdAt: '2026-11-22T11:00:00Z', from: '+15005550006' };
    },
    openMessages: async (shard) => (shard === 'OPEN#0' ? openMessages : []),
    closeOpen: async (sid) => {
      closed.push(sid);
    },
  };
  const sms: SmsGateway = {
    send: async () => {
      throw new Error('reconcile never sends');
    },
    findRecent: async () => [],
    fetch: async (_credentials, sid) => {
      const answer = remote[sid];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const run = () =>
    reconcile({
      messages,
      sms,
      credentials: { get: async (tenantId) => (tenantId === 'gone' ? undefined : CREDS) },
      status: { messages, onEvent: (event) => events.push(event), afterReport: writeNow },
      shards: ['OPEN#0', 'OPEN#1'],
      now: () => NOW,
    });
  return { run, closed, applied, events };
}

describe('reconcile', () => {
  it('applies a later status through the lifecycle, leaves unchanged ones, gives up on old and unknown ones', async () => {
    const { run, closed, applied, events } = setup(
      [
        open('SM-delivered', 'sent', '2026-11-22T11:00:00Z'),
        open('SM-still-sent', 'sent', '2026-11-22T11:00:00Z'),
        open('SM-ancient', 'sent', '2026-11-18T11:00:00Z'),
        open('SM-404', 'queued', '2026-11-22T11:00:00Z'),
        open('SM-gone-tenant', 'queued', '2026-11-22T11:00:00Z'),
        open('SM-boom', 'queued', '2026-11-22T11:00:00Z'),
      ],
      {
        'SM-delivered': { sid: 'SM-delivered', status: 'delivered' },
        'SM-still-sent': { sid: 'SM-still-sent', status: 'sent' },
        'SM-ancient': { sid: 'SM-ancient', status: 'sent' },
        'SM-404': undefined,
        'SM-boom': new Error('Twilio 500'),
      },
    );
    expect(await run()).toEqual({ checked: 6, advanced: 1, unchanged: 1, abandoned: 3, errors: 1 });
    expect(applied).toEqual(['SM-delivered:delivered']);
    expect(closed).toEqual(['SM-ancient', 'SM-404', 'SM-gone-tenant']);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'outcome',
        outcome: 'delivered',
        tenantId: 'demo',
        latencyMs: 3_600_000,
      }),
    ]);
  });

  it('never moves a status backward on what Twilio says', async () => {
    const { run, applied } = setup([open('SM-x', 'sent', '2026-11-22T11:00:00Z')], {
      'SM-x': { sid: 'SM-x', status: 'queued' },
    });
    expect(await run()).toMatchObject({ advanced: 0, unchanged: 1 });
    expect(applied).toEqual([]);
  });
});
