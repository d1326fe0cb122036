import { describe, expect, it } from 'vitest';
import { keywordIntent } from '../../../lambdas/domain/opt-out';

describe('opt-out keywords', () => {
  it.each([
    'STOP',
    'stop',
    ' Stop ',
    'STOP.',
    'StopAll',
    'UNSUBSCRIBE',
    'cancel',
    'END',
    'quit',
    'REVOKE',
    'optout',
    'ＳＴＯＰ',
  ])('"%s" opts out', (body) => {
    expect(keywordIntent(body)).toBe('optOut');
  });

  it.each(['START', 'yes', 'Unstop!'])('"%s" opts back in', (body) => {
    expect(keywordIntent(body)).toBe('optIn');
  });

  it.each(['HELP', 'info?'])('"%s" asks for help', (body) => {
    expect(keywordIntent(body)).toBe('help');
  });

  it.each(['please stop', 'STOP it', 'stopp', 'S T O P', ''])(
    '"%s" is not a keyword (whole-body match only)',
    (body) => {
      expect(keywordIntent(body)).toBeUndefined();
    },
  );

  it("honours Twilio's OptOutType over the text", () => {
    expect(keywordIntent('arrête', 'STOP')).toBe('optOut');
    expect(keywordIntent('STOP', 'START')).toBe('optIn');
    expect(keywordIntent('aide', 'HELP')).toBe('help');
  });
});
