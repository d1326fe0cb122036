import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoLanguagePreferences } from '../../lambdas/adapters/dynamodb/language-preferences';
import { DynamoOptOutStore } from '../../lambdas/adapters/dynamodb/opt-out-store';
import { seedTenant } from '../../local/seed';
import { repliesTo, text, transcriptOf, useLocalStack, waitForReplies } from '../support/local-stack';
import { useSmsctl } from '../support/smsctl';
import { waitFor } from '../support/wait';

/**
 * Languages in workflows (issue 19) on the real local stand-ins: a Spanish customer books an
 * appointment end to end in Spanish (detected from the first message, dates in Spanish, "sí", a
 * Spanish HELP, PARAR opting out), a customer switches language mid-conversation for good, and a
 * number's language (`smsctl number put --language`) speaks when nothing else tells.
 */
const stack = useLocalStack();
const { json } = useSmsctl(stack);

const TENANT = {
  tenantId: 'idiomas-co',
  name: 'Idiomas Co',
  accountSid: `AC${'e4'.repeat(16)}`,
  authToken: 'idiomas-token-0123456789abcdef01',
  number: '+15005550431',
  workflowFile: 'examples/workflows/appointment-booking-bilingual.json',
};
const SPANISH_NUMBER = '+15005550432';
const GREETING_ES = '¡Hola, le saluda la Clínica Elegi+!';

beforeAll(async () => {
  await seedTenant(stack(), TENANT);
  await json(
    'number',
    'put',
    '--tenant',
    TENANT.tenantId,
    '--number',
    SPANISH_NUMBER,
    '--workflow',
    'appointment-booking-bilingual',
    '--language',
    'es',
  );
});

/** Texts and waits for the bot's reply (the n-th message the customer has received). */
async function exchange(customer: string, body: string, to = TENANT.number): Promise<string | undefined> {
  const before = repliesTo(stack(), customer).length;
  await text(stack(), { tenantId: TENANT.tenantId, from: customer, to, body });
  const replies = await waitForReplies(stack(), customer, before + 1);
  return replies[before]?.resource.body;
}

const preferences = () => new DynamoLanguagePreferences(stack().clients.dynamo, stack().tableName);

describe('languages through the pipeline', () => {
  it('a Spanish customer books an appointment end to end, asks AYUDA and opts out with PARAR', async () => {
    const customer = '+15557710001';
    expect(await exchange(customer, 'Hola, quiero una cita')).toBe(
      `${GREETING_ES} ¿Qué día le gustaría venir?`,
    );
    const askTime = await exchange(customer, 'el 10 de diciembre');
    expect(askTime).toMatch(/^¿A qué hora le viene bien el [a-zé]+, 10 de diciembre( de \d{4})?\?$/);
    expect(await exchange(customer, 'a las 3 de la tarde')).toMatch(
      /^¿Reservo el [a-zé]+, 10 de diciembre( de \d{4})? a las 15:00\? Responda SÍ o NO\.$/,
    );
    expect(await exchange(customer, 'sí')).toMatch(
      /^Su cita queda reservada para el [a-zé]+, 10 de diciembre( de \d{4})? a las 15:00\. ¡Hasta pronto! - Elegi\+$/,
    );
    expect(await preferences().get(TENANT.tenantId, customer)).toBe('es');
    expect(await exchange(customer, 'AYUDA')).toBe(
      'Citas de la Clínica Elegi+. Escriba CITA para pedir una cita. Responda PARAR para darse de baja.',
    );

    await text(stack(), { tenantId: TENANT.tenantId, from: customer, to: TENANT.number, body: 'PARAR' });
    const optOuts = new DynamoOptOutStore(stack().clients.dynamo, stack().tableName);
    await waitFor(
      'the opt-out',
      async () => (await optOuts.isOptedOut(TENANT.tenantId, customer)) || undefined,
    );
    const entry = await waitFor('PARAR recorded', async () =>
      (await transcriptOf(stack(), customer, TENANT.tenantId)).find((item) => item.body === 'PARAR'),
    );
    expect(entry).toMatchObject({ note: 'optOut' });
  });

  it('a customer switching language mid-conversation is answered in it from then on', async () => {
    const customer = '+15557710002';
    expect(await exchange(customer, 'Hola, necesito una cita')).toBe(
      `${GREETING_ES} ¿Qué día le gustaría venir?`,
    );
    expect(await exchange(customer, 'ENGLISH')).toBe('What day would you like to come in?');
    expect(await exchange(customer, 'December 10')).toMatch(
      /^What time suits you on \w+, December 10(, \d{4})?\?$/,
    );
    expect(await exchange(customer, '3pm')).toMatch(
      /^Book \w+, December 10(, \d{4})? at 3:00 PM\? Reply YES or NO\.$/,
    );
    expect(await preferences().get(TENANT.tenantId, customer)).toBe('en');
    expect(await exchange(customer, 'ESPAÑOL')).toMatch(/^¿Reservo el [a-zé]+, 10 de diciembre/);
    expect(await preferences().get(TENANT.tenantId, customer)).toBe('es');
  });

  it("a number's language speaks when the first message tells nothing", async () => {
    const customer = '+15557710003';
    expect(await exchange(customer, '12345', SPANISH_NUMBER)).toBe(
      `${GREETING_ES} Perdone, no le he entendido. Escriba CITA para pedir una cita.`,
    );
    expect(await preferences().get(TENANT.tenantId, customer)).toBeUndefined();
    const numbers = await json<{ numbers: { number: string; language?: string }[] }>(
      'number',
      'list',
      '--tenant',
      TENANT.tenantId,
    );
    expect(numbers.numbers.find((entry) => entry.number === SPANISH_NUMBER)?.language).toBe('es');
  });
});
