import type { ExtractLanguage } from './language';

/**
 * Yes and no in the languages other than English, folded (lower case, no accents: "sí" is "si",
 * "não" is "nao"). English words count in every language (customers mix "ok" and "yes" in).
 */
export interface YesNoWords {
  readonly yes: ReadonlySet<string>;
  readonly no: ReadonlySet<string>;
  /** Phrases with a yes or no word that answer neither ("no sé", "pas de problème"). */
  readonly neutral: RegExp;
  /** Phrases that mean no though they hold a yes word ("claro que no"). */
  readonly noPhrases: RegExp;
  /** Phrases that mean yes though they hold a no word ("¿por qué no?", "cómo no"), or no yes word. */
  readonly yesPhrases: RegExp;
}

export const YES_NO_WORDS: Readonly<Record<Exclude<ExtractLanguage, 'en'>, YesNoWords>> = {
  es: {
    yes: new Set([
      'si',
      'sip',
      'sii',
      'claro',
      'vale',
      'dale',
      'va',
      'sale',
      'okey',
      'oki',
      'ok',
      'perfecto',
      'correcto',
      'exacto',
      'afirmativo',
      'obvio',
      'seguro',
      'confirmo',
      'confirmado',
      'listo',
      'genial',
      'bueno',
      'porfa',
      'ya',
      'simon',
      'sep',
      'ajam',
      'aja',
    ]),
    no: new Set([
      'no',
      'nop',
      'nope',
      'nel',
      'nah',
      'tampoco',
      'nunca',
      'negativo',
      'cancela',
      'cancelar',
      'incorrecto',
      'jamas',
    ]),
    neutral:
      /\b(?:no se|nose|ni idea|no estoy segur[oa]|no lo se|no hay problema|no te preocupes|no pasa nada|de nada|quizas?|tal vez|a lo mejor|no sabria|dejame (?:ver|pensar(?:lo)?)|deja que lo piense)\b/g,
    noPhrases:
      /\b(?:ya no|no va|claro que no|por supuesto que no|para nada|ni hablar|ni de broma|mejor no|ahora no|no gracias|no puedo|no me (?:viene|va|sirve)|de ninguna manera|ni loco|no,? no)\b/g,
    yesPhrases:
      /\b(?:por supuesto|claro que si|desde luego|me parece bien|esta bien|de acuerdo|por que no|porque no|como no|sin problema|sin duda|adelante|hazlo|reservalo|me sirve|me va bien|me viene bien|ok dale|de una|con gusto)\b/g,
  },
  fr: {
    yes: new Set([
      'oui',
      'ouais',
      'ouai',
      'ouaip',
      'wi',
      'ui',
      'ok',
      'okay',
      'dac',
      'dacc',
      "d'accord",
      'daccord',
      'parfait',
      'exact',
      'exactement',
      'certes',
      'absolument',
      'evidemment',
      'volontiers',
      'carrement',
      'bien',
      'super',
      'top',
      'confirme',
      'si',
      'yep',
      'vas-y',
      'go',
    ]),
    no: new Set(['non', 'nan', 'nope', 'nn', 'jamais', 'pas', 'annule', 'annuler', 'negatif', 'faux']),
    neutral:
      /\b(?:je (?:ne )?sais pas|jsp|sais pas|je ne suis pas sur|pas sur|pas de (?:probleme|souci|soucis)|aucun (?:probleme|souci)|peut-etre|peut etre|je (?:vais )?(?:reflechir|verifier)|laisse-moi reflechir|de rien|pas encore)\b/g,
    noPhrases:
      /\b(?:bien sur que non|pas du tout|non merci|pas maintenant|pas question|(?:je )?(?:ne )?peux pas|ca (?:ne )?(?:me )?va pas|surtout pas|certainement pas|absolument pas|pas vraiment|pas possible|hors de question|(?:ca )?(?:ne )?marche pas)\b/g,
    yesPhrases:
      /\b(?:bien sur|pourquoi pas|ca marche|ca me va|ca va|c'est bon|cest bon|c'est parfait|avec plaisir|allez-y|allez y|vas-y|pas de souci pour moi|tout a fait|bien entendu|sans probleme|c'est ca|cest ca|je confirme)\b/g,
  },
  pt: {
    yes: new Set([
      'sim',
      'si',
      'simm',
      'ss',
      'claro',
      'certo',
      'ok',
      'okay',
      'beleza',
      'blz',
      'fechado',
      'bora',
      'perfeito',
      'exato',
      'isso',
      'pode',
      'confirmo',
      'confirmado',
      'combinado',
      'positivo',
      'ta',
      'uhum',
      'aham',
      'demorou',
      'show',
      'otimo',
    ]),
    no: new Set(['nao', 'naum', 'nop', 'nope', 'nunca', 'negativo', 'cancela', 'cancelar', 'jamais']),
    neutral:
      /\b(?:nao sei|sei la|sla|nao tenho certeza|sem problemas?|nao tem problema|de nada|talvez|quem sabe|deixa eu (?:ver|pensar))\b/g,
    noPhrases:
      /\b(?:nao pode|nao ta|claro que nao|de jeito nenhum|nem pensar|agora nao|nao obrigad[oa]|nao,? obrigad[oa]|nao posso|nao da|nem a pau|melhor nao|de forma alguma)\b/g,
    yesPhrases:
      /\b(?:claro que sim|com certeza|pode ser|por que nao|porque nao|ta bom|ta bem|ta certo|tudo bem|esta bem|ta otimo|pode sim|pode marcar|pode fazer|fechou|bora la|e isso|isso mesmo|sem duvida|por favor)\b/g,
  },
  de: {
    yes: new Set([
      'ja',
      'jaa',
      'jap',
      'jep',
      'jo',
      'jup',
      'joa',
      'jawohl',
      'klar',
      'okay',
      'ok',
      'oke',
      'gerne',
      'gern',
      'genau',
      'richtig',
      'korrekt',
      'sicher',
      'natuerlich',
      'naturlich',
      'selbstverstandlich',
      'passt',
      'einverstanden',
      'super',
      'perfekt',
      'bestatigt',
      'doch',
      'logo',
    ]),
    no: new Set([
      'nein',
      'nee',
      'ne',
      'no',
      'nope',
      'noe',
      'nie',
      'niemals',
      'nicht',
      'kein',
      'keine',
      'falsch',
      'absagen',
      'stornieren',
    ]),
    neutral:
      /\b(?:weiss (?:ich )?nicht|weis nicht|keine ahnung|kein problem|nicht sicher|bin mir nicht sicher|vielleicht|mal sehen|ich (?:muss|schau) (?:mal )?(?:nachschauen|schauen|uberlegen)|bitte schon|gern geschehen)\b/g,
    noPhrases:
      /\b(?:naturlich nicht|auf keinen fall|nein danke|lieber nicht|jetzt nicht|nicht wirklich|geht nicht|kann nicht|klappt nicht|passt nicht|gar nicht|bloss nicht|sicher nicht|echt nicht)\b/g,
    yesPhrases:
      /\b(?:na klar|auf jeden fall|geht klar|alles klar|warum nicht|wieso nicht|passt schon|das passt|klingt gut|mach(?:en sie)? das|sehr gerne|sehr gern|ja bitte|bitte ja|in ordnung|ohne problem)\b/g,
  },
};
