import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinTranslations } from '../../../lambdas/domain/language/builtin-messages';
import {
  CARRIER_KEYWORDS,
  carrierKeyword,
  type KeywordIntent,
} from '../../../lambdas/domain/language/carrier-keywords';
import { BUILTIN_LANGUAGES, type BuiltinLanguage } from '../../../lambdas/domain/language/languages';
import {
  confirmationPurpose,
  confirmationSendId,
  confirmationText,
  isTwilioDefaultKeyword,
  ownConfirmationOf,
  passesOptOut,
  TWILIO_DEFAULT_KEYWORDS,
} from '../../../lambdas/domain/opt-out-confirmation';
import { sendIdFor } from '../../../lambdas/domain/queue-messages';
import { countSegments } from '../../../lambdas/domain/segments';

const INTENTS: readonly (KeywordIntent | undefined)[] = ['optOut', 'optIn', 'help', undefined];
const DEFAULTS = Object.values(TWILIO_DEFAULT_KEYWORDS).flat();

/** Every keyword the platform reads, with the intent and language it reads it as. */
const READ = [
  ...new Set(
    Object.values(CARRIER_KEYWORDS).flatMap((families) => [
      ...families.optOut,
      ...families.optIn,
      ...families.help,
    ]),
  ),
].map((word) => ({ word, ...carrierKeyword(word)! }));
const NOT_TWILIOS = READ.filter(
  (keyword) => keyword.intent !== 'help' && !DEFAULTS.includes(keyword.word),
) as { word: string; intent: 'optOut' | 'optIn'; language: BuiltinLanguage }[];

/** A keyword written as a customer might: any case, spaces around, trailing punctuation. */
const spelled = (word: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }),
      fc.constantFrom('', ' ', '  ', '\n'),
      fc.constantFrom('', ' ', '\t'),
      fc.constantFrom('', '.', '!', '?!'),
    )
    .map(
      ([upper, before, after, punctuation]) =>
        `${before}${[...word].map((char, index) => (upper[index] ? char : char.toLowerCase())).join('')}${punctuation}${after}`,
    );

const optOutTypes = fc.oneof(
  fc.constantFrom('STOP', 'START', 'HELP', 'stop', 'Start', 'UNKNOWN'),
  fc.string({ minLength: 1, maxLength: 8 }).filter((value) => value.trim() !== ''),
);

describe("Twilio's default keywords", () => {
  it('are the English keywords the platform reads, family by family', () => {
    for (const intent of ['optOut', 'optIn', 'help'] as const)
      expect([...TWILIO_DEFAULT_KEYWORDS[intent]].sort()).toEqual([...CARRIER_KEYWORDS.en[intent]].sort());
  });

  it('are recognised however written; the other languages’ keywords are not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEFAULTS).chain(spelled), (body) => isTwilioDefaultKeyword(body)),
    );
    for (const keyword of NOT_TWILIOS) expect(isTwilioDefaultKeyword(keyword.word), keyword.word).toBe(false);
    expect(isTwilioDefaultKeyword('stop please')).toBe(false);
  });
});

describe('whether the platform confirms a keyword itself', () => {
  it("never confirms Twilio's own keywords, whatever the intent and OptOutType", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULTS).chain(spelled),
        fc.constantFrom(...INTENTS),
        fc.option(optOutTypes, { nil: undefined }),
        (body, intent, optOutType) =>
          ownConfirmationOf({ body, ...(optOutType ? { optOutType } : {}) }, intent) === undefined,
      ),
    );
  });

  it('never confirms a message that carries OptOutType (Advanced Opt-Out confirmed it)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...READ.map((keyword) => keyword.word)).chain(spelled), fc.string()),
        fc.constantFrom(...INTENTS),
        optOutTypes,
        (body, intent, optOutType) => ownConfirmationOf({ body, optOutType }, intent) === undefined,
      ),
    );
  });

  it('always confirms another keyword without OptOutType, in its language', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...NOT_TWILIOS)
          .chain((keyword) => spelled(keyword.word).map((body) => ({ keyword, body }))),
        fc.constantFrom(undefined, ''),
        ({ keyword, body }, optOutType) => {
          const message = optOutType === undefined ? { body } : { body, optOutType };
          expect(ownConfirmationOf(message, keyword.intent)).toEqual({
            intent: keyword.intent,
            language: keyword.language,
          });
        },
      ),
    );
  });

  it.each([
    ['PARAR', 'optOut', 'es'],
    ['arrêt', 'optOut', 'fr'],
    ['Sair', 'optOut', 'pt'],
    ['STOPP!', 'optOut', 'de'],
    ['COMENZAR', 'optIn', 'es'],
    ['sí', 'optIn', 'es'],
    ['Démarrer', 'optIn', 'fr'],
    ['começar', 'optIn', 'pt'],
    ['ja', 'optIn', 'de'],
  ] as const)('%s is confirmed as %s in %s', (body, intent, language) => {
    expect(ownConfirmationOf({ body }, intent)).toEqual({ intent, language });
  });

  it('confirms nothing the turn did not read as that change', () => {
    // An opt-in word from a customer who is not opted out is an answer (the turn's intent: none).
    expect(ownConfirmationOf({ body: 'SI' }, undefined)).toBeUndefined();
    expect(ownConfirmationOf({ body: 'AYUDA' }, 'help')).toBeUndefined();
    expect(ownConfirmationOf({ body: 'PARAR' }, 'optIn')).toBeUndefined();
    expect(ownConfirmationOf({ body: 'COMENZAR' }, 'optOut')).toBeUndefined();
    // Advanced Opt-Out made "arrête ça" a STOP: the turn opts out, Twilio confirms.
    expect(ownConfirmationOf({ body: 'arrête ça', optOutType: 'STOP' }, 'optOut')).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...INTENTS), (body, intent) => {
        const confirmation = ownConfirmationOf({ body }, intent);
        return confirmation === undefined || carrierKeyword(body)?.intent === confirmation.intent;
      }),
    );
  });
});

describe('the confirmation texts', () => {
  const uppercaseWords = (text: string) => text.match(/\b[A-Z]{3,}\b/g) ?? [];

  it.each(BUILTIN_LANGUAGES)(
    '%s: each names the way back by a keyword the platform reads in that language',
    (language) => {
      const optOut = builtinTranslations('optOutConfirmation')[language];
      const optIn = builtinTranslations('optInConfirmation')[language];
      const reads = (word: string) => carrierKeyword(word);
      expect(
        uppercaseWords(optOut).some(
          (word) => reads(word)?.intent === 'optIn' && reads(word)?.language === language,
        ),
        optOut,
      ).toBe(true);
      expect(
        uppercaseWords(optIn).some(
          (word) => reads(word)?.intent === 'optOut' && reads(word)?.language === language,
        ),
        optIn,
      ).toBe(true);
      for (const text of [optOut, optIn])
        expect(countSegments(text)).toMatchObject({ segments: 1, encoding: 'GSM-7' });
    },
  );

  it('are the built-in ones in the keyword’s language for a workflow without its own', () => {
    expect(confirmationText({ intent: 'optOut', language: 'es' })).toBe(
      'Se ha dado de baja y no le enviaremos otros mensajes. Responda COMENZAR para volver a suscribirse.',
    );
    expect(confirmationText({ intent: 'optIn', language: 'de' }, { languages: ['en'] })).toBe(
      builtinTranslations('optInConfirmation').de,
    );
  });

  it('are the workflow’s own when it speaks the keyword’s language', () => {
    const bilingual = {
      languages: ['en', 'es-MX'],
      optOutConfirmation: { en: 'Bye.', 'es-MX': 'Adiós. Escriba COMENZAR para volver.' },
      optInConfirmation: 'Welcome back / Bienvenido',
    };
    expect(confirmationText({ intent: 'optOut', language: 'es' }, bilingual)).toBe(
      'Adiós. Escriba COMENZAR para volver.',
    );
    expect(confirmationText({ intent: 'optIn', language: 'es' }, bilingual)).toBe(
      'Welcome back / Bienvenido',
    );
    // A workflow of English only has no Spanish text: PARAR is confirmed in Spanish all the same.
    expect(confirmationText({ intent: 'optOut', language: 'es' }, { optOutConfirmation: 'Bye.' })).toBe(
      builtinTranslations('optOutConfirmation').es,
    );
    expect(confirmationText({ intent: 'optOut', language: 'fr' }, bilingual)).toBe(
      builtinTranslations('optOutConfirmation').fr,
    );
  });
});

describe('the confirmation send', () => {
  const sids = fc.stringMatching(/^SM[0-9a-f]{32}$/);

  it('has one send id per keyword message and change, never a reply’s', () => {
    fc.assert(
      fc.property(sids, sids, fc.nat(50), (sid, other, index) => {
        const optOut = confirmationSendId('optOut', sid);
        expect(optOut).not.toBe(confirmationSendId('optIn', sid));
        expect(optOut).not.toBe(sendIdFor(sid, index));
        expect(optOut).not.toBe(`${sid}-failure`);
        if (other !== sid) expect(optOut).not.toBe(confirmationSendId('optOut', other));
      }),
    );
    expect(confirmationPurpose('optOut')).toBe('opt-out-confirmation');
    expect(confirmationPurpose('optIn')).toBeUndefined();
  });

  const confirmationOf = (sid: string) => ({
    sendId: confirmationSendId('optOut', sid),
    purpose: 'opt-out-confirmation' as const,
    mediaUrls: [],
  });

  it('passes the opt-out it confirms, and only that one', () => {
    fc.assert(
      fc.property(sids, sids, (sid, other) => {
        expect(passesOptOut(confirmationOf(sid), { messageSid: sid })).toBe(true);
        expect(passesOptOut(confirmationOf(sid), { messageSid: other })).toBe(sid === other);
        // An opt-out without a keyword message (Twilio's 21610, an erasure) lets nothing past.
        expect(passesOptOut(confirmationOf(sid), {})).toBe(false);
      }),
    );
  });

  it('never passes anything else, marked or not', () => {
    // A few SIDs, so that a send often names the opt-out in force.
    const few = fc.constantFrom(`SM${'1'.repeat(32)}`, `SM${'2'.repeat(32)}`, `SM${'3'.repeat(32)}`);
    const sends = fc.record(
      {
        sendId: fc.oneof(
          few.map((sid) => confirmationSendId('optOut', sid)),
          few.map((sid) => confirmationSendId('optIn', sid)),
          few.map((sid) => sendIdFor(sid, 0)),
          fc.string(),
        ),
        purpose: fc.constant('opt-out-confirmation' as const),
        mediaUrls: fc.array(fc.constantFrom('https://cdn.example/a.png', 'https://cdn.example/b.jpg'), {
          maxLength: 2,
        }),
        campaignId: fc.string({ minLength: 1, maxLength: 8 }),
      },
      { requiredKeys: ['sendId', 'mediaUrls'] },
    );
    fc.assert(
      fc.property(sends, fc.option(few, { nil: undefined }), (send, messageSid) => {
        const optOut = messageSid === undefined ? {} : { messageSid };
        const exact =
          send.purpose === 'opt-out-confirmation' &&
          messageSid !== undefined &&
          send.sendId === confirmationSendId('optOut', messageSid) &&
          send.mediaUrls.length === 0 &&
          send.campaignId === undefined;
        expect(passesOptOut(send, optOut)).toBe(exact);
      }),
    );
    const sid = `SM${'a'.repeat(32)}`;
    const { purpose: _purpose, ...unmarked } = confirmationOf(sid);
    expect(passesOptOut(unmarked, { messageSid: sid })).toBe(false);
    expect(
      passesOptOut({ ...confirmationOf(sid), mediaUrls: ['https://x.example/a.png'] }, { messageSid: sid }),
    ).toBe(false);
    expect(passesOptOut({ ...confirmationOf(sid), campaignId: 'spring' }, { messageSid: sid })).toBe(false);
  });
});
