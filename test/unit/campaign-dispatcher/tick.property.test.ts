import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CampaignStore } from '../../../lambdas/ports/campaign-store';
import { CAMPAIGN_ID, campaignWorld, POOL_MEMBERS, recipients, T0, TENANT } from './world';

const SECOND = 1000;
/** The dispatch plan's tick + lead (DEFAULT_DISPATCH_SETTINGS): what a sender may be given ahead. */
const AHEAD_SECONDS = 15;
/** A crashed tick comes back after the handler's retry delay. */
const RETRY_SECONDS = 15;

interface PendingTick {
  readonly atMs: number;
}

/**
 * A simulated run of a pool campaign through SQS as it behaves: ticks arrive late, some twice (each
 * copy then schedules its own next tick), and some crash midway (between a recipient's start and its
 * release) and come back. Whatever happens, each recipient is started exactly once and no number is
 * given more than its rate allows, plus the tick's lead and one message.
 */
describe('campaign dispatcher (property)', () => {
  it('starts every recipient of a pool exactly once, each number within its rate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.subarray([...POOL_MEMBERS], { minLength: 1 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
        fc.infiniteStream(fc.record({ lateMs: fc.integer({ min: 0, max: 3_000 }), twice: fc.boolean() })),
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        async (count, chosen, rates, deliveries, crashes) => {
          const world = campaignWorld();
          const members = chosen.map((member, index) => ({
            number: member.number,
            segmentsPerSecond: rates[index] ?? 1,
          }));
          const all = recipients(count, T0);
          await world.createCampaign(
            { sender: { kind: 'pool', pool: 'main', members }, content: { kind: 'message', body: 'Hi' } },
            all,
          );

          // When each send was first queued, by send id.
          const queuedAt = new Map<string, { from: string; atMs: number }>();
          const realSend = world.outbound.send.bind(world.outbound);
          world.outbound.send = async (messages) => {
            for (const { body } of messages)
              if (!queuedAt.has(body.sendId))
                queuedAt.set(body.sendId, { from: body.from, atMs: world.nowMs() });
            return realSend(messages);
          };
          // One release in ten crashes (1 of 0..9 drawn): the tick fails after the start.
          const crashing: CampaignStore = Object.create(world.campaigns) as CampaignStore;
          const crashDraws = crashes[Symbol.iterator]();
          crashing.release = async (...args) => {
            if (crashDraws.next().value === 0) throw new Error('crash');
            return world.campaigns.release(...args);
          };

          const deliveryDraws = deliveries[Symbol.iterator]();
          const queue: PendingTick[] = [{ atMs: T0 }];
          const take = () => {
            for (const message of world.ticks.sent.splice(0))
              queue.push({ atMs: world.nowMs() + (message.delaySeconds ?? 0) * SECOND });
          };
          for (let ticks = 0; queue.length > 0; ticks += 1) {
            if (ticks > 2_000) throw new Error('the campaign never ends');
            queue.sort((a, b) => a.atMs - b.atMs);
            const next = queue.shift() as PendingTick;
            const delivery = deliveryDraws.next().value as { lateMs: number; twice: boolean };
            world.setNow(Math.max(world.nowMs(), next.atMs + delivery.lateMs));
            for (const copy of delivery.twice ? [1, 2] : [1]) {
              try {
                await world.tick(CAMPAIGN_ID, { campaigns: crashing });
              } catch {
                // SQS gives the tick back after the retry delay; a duplicate copy failed the same way.
                if (copy === 1) queue.push({ atMs: world.nowMs() + RETRY_SECONDS * SECOND });
              }
              take();
            }
          }

          for (const recipient of all) expect(world.sendsTo(recipient.phone)).toHaveLength(1);
          const record = await world.campaigns.get(TENANT, CAMPAIGN_ID);
          expect(record).toMatchObject({ state: 'completed', counters: { total: count, queued: count } });
          for (const member of members) {
            const times = [...queuedAt.values()]
              .filter((send) => send.from === member.number)
              .map((send) => send.atMs)
              .sort((a, b) => a - b);
            times.forEach((atMs, index) => {
              const allowed =
                (member.segmentsPerSecond * (atMs - T0)) / SECOND +
                member.segmentsPerSecond * AHEAD_SECONDS +
                1;
              expect(index + 1, `${member.number} at +${atMs - T0} ms`).toBeLessThanOrEqual(allowed);
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
