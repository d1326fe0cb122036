import { describe, expect, it } from 'vitest';
import { dollarsPerThousandTurns, twilioFeesPerThousandTurns } from '../../../bench/cost';
import type { PipelineFigures } from '../../../bench/pipeline';
import { TWILIO_US_PRICES_USD } from '../../../bench/prices';

describe("the bench's Twilio fees", () => {
  it('prices an MMS per message and an SMS per segment, per 1,000 turns', () => {
    expect(TWILIO_US_PRICES_USD.mmsOutboundPerMessage).toBeGreaterThan(
      TWILIO_US_PRICES_USD.smsOutboundPerSegment,
    );
    // 300 turns: 250 SMS segments and 50 MMS.
    expect(twilioFeesPerThousandTurns(300, { smsSegments: 250, mmsMessages: 50 })).toEqual({
      smsSegments: 833.33,
      mmsMessages: 166.67,
      sms: 6.91667,
      mms: 3.66667,
      total: 10.58333,
    });
    expect(twilioFeesPerThousandTurns(90, { smsSegments: 90, mmsMessages: 0 })).toMatchObject({
      mms: 0,
      sms: 8.3,
    });
  });

  it('leaves the request fees (AWS only) as they were, whatever the replies were', () => {
    const figures = (outbound: PipelineFigures['outbound']): PipelineFigures => ({
      turns: 30,
      customers: 10,
      seconds: 3,
      turnsPerSecond: 10,
      delivered: 30,
      functions: {
        ingest: {
          invocations: 60,
          coldStarts: 0,
          errors: 0,
          billedMs: 600,
          logBytes: 1000,
          logLines: 10,
          emfBytes: 0,
          emfRecords: 0,
        },
      },
      aws: {
        requests: { 'dynamodb.PutItem': 30 },
        failed: {},
        sqsFifoRequests: 0,
        dynamoDb: { readUnits: 10, writeUnits: 30 },
        dynamoDbWritesByKind: { 'PutItem:TENANT/NUMBER': 30 },
      },
      eventSourceSqs: { receives: 0, emptyReceives: 0, deletes: 0, fifo: 0 },
      secretsCallsPerEnvironment: 0,
      outbound,
    });
    expect(dollarsPerThousandTurns(figures({ smsSegments: 30, mmsMessages: 0 }))).toEqual(
      dollarsPerThousandTurns(figures({ smsSegments: 0, mmsMessages: 30 })),
    );
  });
});
