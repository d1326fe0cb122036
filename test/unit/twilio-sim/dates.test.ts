import { describe, expect, it } from 'vitest';
import { rawDlrDoneDate, rfc2822 } from '../../../local/twilio-sim/dates';

describe('Twilio wire dates', () => {
  const date = new Date(Date.UTC(2023, 7, 4, 5, 1, 45));

  it('prints RFC 2822 in GMT with a numeric zone, as the REST API does', () => {
    expect(rfc2822(date)).toBe('Fri, 04 Aug 2023 05:01:45 +0000');
  });

  it('prints RawDlrDoneDate as YYMMDDhhmm in UTC', () => {
    expect(rawDlrDoneDate(date)).toBe('2308040501');
  });
});
