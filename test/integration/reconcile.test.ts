import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../lib/metric-catalog';
import { scheduledEvent } from '../../local/stack';
import { messageRecord, textDemo, useLocalStack, waitForReplies } from '../support/local-stack';
import { waitFor } from '../support/wait';

/** Reconcile asks Twilio about messages whose final callback never arrived. */
const stack = useLocalStack();

describe('reconcile', () => {
  it('applies the status Twilio reports for a message stuck without its final callback', async () => {
    const customer = '+15551250001';
    const deliveredAtStart = stack().metrics.sum(METRICS.messagesDelivered, { TenantId: 'demo' });
    await textDemo(stack(), customer, 'Where is my package?');
    const [reply] = await waitForReplies(stack(), customer, 1);
    const sid = reply?.sid as string;
    await waitFor('delivered', async () =>
      (await messageRecord(stack(), sid))?.status === 'delivered' ? true : undefined,
    );
    await stack().simulator.settled();
    // The status function counts the delivery after its last write: wait for it before going on.
    await waitFor('delivered counted by the status function', () =>
      stack().metrics.sum(METRICS.messagesDelivered, { TenantId: 'demo' }) === deliveredAtStart + 1
        ? true
        : undefined,
    );

    // As if the `delivered` callback had been lost an hour ago: back to `sent`, open since then.
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await stack().clients.dynamo.send(
      new UpdateCommand({
        TableName: stack().tableName,
        Key: { pk: `MESSAGE#${sid}`, sk: 'META' },
        // The `delivered` event goes too: the callback never arrived.
        UpdateExpression:
          'SET #status = :sent, openShard = :shard, openSince = :since, createdAt = :since REMOVE events.delivered',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':shard': `OPEN#${Number.parseInt(sid.slice(-1), 16) % 4}`,
          ':since': anHourAgo,
        },
      }),
    );
    const deliveredBefore = stack().metrics.sum(METRICS.messagesDelivered, { TenantId: 'demo' });

    const outcome = await stack().functions.reconcile.invoke(scheduledEvent('reconcile'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ checked: 1, advanced: 1, errors: 0 });

    const message = await messageRecord(stack(), sid);
    expect(message?.status).toBe('delivered');
    expect(message?.openShard).toBeUndefined();
    await waitFor('delivered counted by reconcile', () =>
      stack().metrics.sum(METRICS.messagesDelivered, { TenantId: 'demo' }) === deliveredBefore + 1
        ? true
        : undefined,
    );

    const again = await stack().functions.reconcile.invoke(scheduledEvent('reconcile'));
    expect(again.result).toMatchObject({ checked: 0 });
  });
});
