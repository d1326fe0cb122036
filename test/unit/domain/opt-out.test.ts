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

  it.each(['please stop', 'STOP it', 'stopz', 'S T O P', 'parar ya', ''])(
    '"%s" is not a keyword (whole-body match only)',
    (body) => {
      expect(keywordIntent(body)).toBeUndefined();
    },
  );

  it.each([
    ['PARAR', 'optOut'],
    ['Cancelar', 'optOut'],
    ['arrêt', 'optOut'],
    ['ARRETE!', 'optOut'],
    ['sair', 'optOut'],
    ['STOPP', 'optOut'],
    ['Sí', 'optIn'],
    ['oui', 'optIn'],
    ['SIM', 'optIn'],
    ['ja', 'optIn'],
    ['AYUDA', 'help'],
    ['aide', 'help'],
    ['Ajuda?', 'help'],
    ['HILFE', 'help'],
  ] as const)('"%s" is a carrier keyword in its language (%s)', (body, intent) => {
    expect(keywordIntent(body)).toBe(intent);
  });

  it("honours Twilio's OptOutType over the text", () => {
    expect(keywordIntent('arrête', 'STOP')).toBe('optOut');
    expect(keywordIntent('STOP', 'START')).toBe('optIn');
    expect(keywordIntent('aide', 'HELP')).toBe('help');
  });
});
