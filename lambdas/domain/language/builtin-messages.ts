import { type BuiltinLanguage, builtinLanguageFor } from './languages';

/**
 * The platform's own texts, sent when a workflow gives none of its own: the answer to HELP, the
 * apology for a turn that failed for good, the acknowledgement of a hand-off, the reply to a
 * language switch that has nothing to ask again, the confirmations of an opt-out or opt-in. One
 * per built-in language; another language gets the English text. Worded to fit one GSM-7 segment
 * where the language allows (no á, í, ó, ú, which force UCS-2 and halve a segment), as
 * docs/workflows.md asks of workflow texts.
 */
export type BuiltinMessage =
  'help' | 'failure' | 'handoff' | 'languageChanged' | 'optOutConfirmation' | 'optInConfirmation';

const MESSAGES: Readonly<Record<BuiltinMessage, Readonly<Record<BuiltinLanguage, string>>>> = {
  help: {
    en: 'Reply STOP to unsubscribe. Msg&data rates may apply.',
    es: 'Responda STOP para darse de baja. Pueden aplicarse tarifas de mensajes y datos.',
    fr: "Répondez STOP pour vous désabonner. Des frais de messages et de données peuvent s'appliquer.",
    pt: 'Responda STOP para cancelar. Podem aplicar-se tarifas de mensagens e dados.',
    de: 'Antworten Sie STOP zum Abmelden. Es können Gebühren für Nachrichten und Daten anfallen.',
  },
  failure: {
    en: 'Sorry, something went wrong on our side. Please try again later.',
    es: 'Lo sentimos, hubo un problema de nuestro lado. Vuelva a intentarlo en un rato.',
    fr: 'Désolé, nous avons rencontré un problème. Veuillez réessayer plus tard.',
    pt: 'Desculpe, algo deu errado do nosso lado. Tente novamente mais tarde.',
    de: 'Entschuldigung, bei uns ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut.',
  },
  handoff: {
    en: "Connecting you with a person. We'll reply here shortly.",
    es: 'Le comunicamos con una persona. Le responderemos por este medio en breve.',
    fr: 'Nous vous mettons en relation avec une personne. Nous vous répondrons ici sous peu.',
    pt: 'Vamos transferi-lo para uma pessoa. Responderemos aqui em breve.',
    de: 'Wir verbinden Sie mit einer Person. Wir antworten Ihnen hier in Kürze.',
  },
  languageChanged: {
    en: "OK, I'll reply in English.",
    es: 'De acuerdo, le responderé en español.',
    fr: 'Entendu, je vous répondrai en français.',
    pt: 'Certo, vou responder em português.',
    de: 'In Ordnung, ich antworte auf Deutsch.',
  },
  // The confirmations of an opt-out or opt-in keyword Twilio does not confirm itself
  // (opt-out-confirmation.ts). Each names the language's own keyword for the way back, one the
  // platform reads in that language (test/unit/domain/opt-out-confirmation.test.ts checks it).
  optOutConfirmation: {
    en: "You're unsubscribed and will get no more messages from this number. Reply START to resubscribe.",
    es: 'Se ha dado de baja y no le enviaremos otros mensajes. Responda COMENZAR para volver a suscribirse.',
    fr: 'Votre désabonnement est pris en compte. Vous ne recevrez plus nos messages. Répondez DEMARRER pour vous réabonner.',
    pt: 'Cancelamento confirmado: deixa de receber as nossas mensagens. Responda COMECAR para as receber de novo.',
    de: 'Sie sind abgemeldet und erhalten keine Nachrichten mehr von dieser Nummer. Antworten Sie ANMELDEN, um sich wieder anzumelden.',
  },
  optInConfirmation: {
    en: "You're subscribed again. Reply STOP to unsubscribe.",
    es: 'Se ha vuelto a suscribir. Responda PARAR para darse de baja.',
    fr: 'Votre abonnement est rétabli. Répondez ARRET pour vous désabonner.',
    pt: 'Voltou a receber as nossas mensagens. Responda SAIR para cancelar.',
    de: 'Sie sind wieder angemeldet. Antworten Sie STOPP zum Abmelden.',
  },
};

/** The built-in text in `language` (its primary subtag), English for a language without one. */
export function builtinMessage(message: BuiltinMessage, language: string | undefined): string {
  return MESSAGES[message][builtinLanguageFor(language)];
}

/** Every translation of a built-in text (tests, lint). */
export function builtinTranslations(message: BuiltinMessage): Readonly<Record<BuiltinLanguage, string>> {
  return MESSAGES[message];
}

/**
 * Hand-off keywords a workflow without `handoffKeywords` answers, per language it speaks. Words
 * that rarely occur in an answer: not "persona" ("una mesa para dos personas" must not reach a
 * person).
 */
export const DEFAULT_HANDOFF_KEYWORDS_BY_LANGUAGE: Readonly<Record<BuiltinLanguage, readonly string[]>> = {
  en: ['AGENT', 'HUMAN'],
  es: ['AGENTE', 'HUMANO'],
  fr: ['AGENT', 'HUMAIN', 'CONSEILLER'],
  pt: ['ATENDENTE', 'HUMANO'],
  de: ['MENSCH', 'MITARBEITER'],
};
