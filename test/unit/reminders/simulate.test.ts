import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseDuration, simulateLines } from '../../../cli/workflow-simulate';
import { reminderWorkflow } from './fixtures';

async function simulate(lines: string[]): Promise<Record<string, unknown>[]> {
  const out: string[] = [];
  await simulateLines(
    reminderWorkflow(),
    Readable.from([`${lines.join('\n')}\n`]),
    (line) => out.push(line),
    {
      now: () => new Date('2026-12-01T15:00:00.000Z'),
    },
  );
  return out.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('workflow simulate with reminders', () => {
  it('prints each reminder that falls due during a :wait, then the expiry', async () => {
    const lines = await simulate(['where is my order', ':wait 5', ':wait 10', ':wait 20m', ':wait 24h']);
    expect(lines.slice(1)).toEqual([
      {
        reminder: 0,
        at: '2026-12-01T15:00:10.000Z',
        replies: ['Still there? What is your order number?'],
        variables: {},
        route: 'track-order',
        status: 'collecting',
      },
      {
        reminder: 1,
        at: '2026-12-01T15:10:10.000Z',
        replies: ['Last reminder: What is your order number?'],
        media: [['https://example.com/help.png']],
        variables: {},
        route: 'track-order',
        status: 'collecting',
      },
      {
        expired: true,
        at: '2026-12-02T15:00:00.000Z',
        variables: {},
        route: 'track-order',
        status: 'expired',
      },
    ]);
  });

  it('an answer before a reminder is due cancels it; the next prompt starts a fresh sequence', async () => {
    const lines = await simulate(['where is my order', ':wait 9', '123456', ':wait 9', ':wait 1']);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatchObject({ replies: ['When did you place order 123456?'] });
    expect(lines[2]).toMatchObject({
      reminder: 0,
      replies: ['Still there? When did you place order 123456?'],
    });
  });

  it('sends nothing to a customer who opted out, nor after HELP', async () => {
    expect(await simulate(['where is my order', 'STOP', ':wait 1h'])).toHaveLength(2);
    expect(await simulate(['where is my order', 'HELP', ':wait 1h'])).toHaveLength(2);
  });

  it('takes :wait in seconds, minutes, hours and days', () => {
    expect([parseDuration('45'), parseDuration('5m'), parseDuration('2h')]).toEqual([
      45_000, 300_000, 7_200_000,
    ]);
    expect(() => parseDuration('soon')).toThrow(/45 \(seconds\), 30s, 90m, 25h or 2d/);
  });
});
