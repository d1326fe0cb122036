import { describe, expect, it } from 'vitest';
import {
  BARS,
  evaluate,
  loadCorpora,
  loadCorpus,
  loadVariables,
  type CorpusCase,
  type Extractor,
} from './evaluate';
import { extractVariable } from '../../lambdas/domain/workflow/extractors';

describe('extractor eval (labelled corpus of customer answers)', () => {
  const corpus = loadCorpus();
  const corpora = loadCorpora();
  const variables = loadVariables();
  const inLanguage = (language: string): CorpusCase[] =>
    corpora.filter((item) => (item.language ?? 'en') === language);

  it('covers every variable type with a corpus of at least 250 answers, refusals included', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(250);
    const types = new Set(corpus.map((item) => variables[item.var ?? '']?.type ?? item.variable?.type));
    for (const type of ['text', 'pattern', 'number', 'date', 'time', 'email', 'phone', 'yesno', 'choice']) {
      expect(types).toContain(type);
    }
    expect(corpus.filter((item) => item.expect === null).length).toBeGreaterThan(30);
  });

  it.each([
    ['en', 120],
    ['es', 120],
    ['fr', 60],
    ['pt', 60],
  ])('has at least %s %i answers, refusals and the types read per language included', (language, least) => {
    const cases = inLanguage(language);
    expect(cases.length).toBeGreaterThanOrEqual(least);
    expect(cases.filter((item) => item.expect === null).length).toBeGreaterThanOrEqual(10);
    const types = new Set(cases.map((item) => variables[item.var ?? '']?.type ?? item.variable?.type));
    for (const type of ['number', 'date', 'time', 'yesno', 'choice']) expect(types).toContain(type);
  });

  it(`meets the bars: ${Object.entries(BARS.byLanguage)
    .map(([language, bar]) => `${language} ${bar * 100}%`)
    .join(', ')}, ${BARS.perType * 100}% for every type of every language`, () => {
    const report = evaluate(corpora, variables);
    const misses = report.failures.map(
      (f) =>
        `${f.language} line ${f.line} ${f.type} ${JSON.stringify(f.text)}: got ${f.got}, meant ${f.expected}`,
    );
    expect(report.belowBars, misses.join('\n')).toEqual([]);
    expect(report.byLanguage.map((score) => score.language)).toEqual(['en', 'de', 'es', 'fr', 'pt']);
  });

  it('fails an extractor below the bars (the eval can fail)', () => {
    const refuseAll: Extractor = () => ({ found: false, reason: 'no' });
    const report = evaluate(corpus, variables, refuseAll);
    expect(report.belowBars.length).toBeGreaterThan(0);
    expect(report.accuracy).toBeLessThan(BARS.overall);
  });

  it('holds each language to its own bar: reading Spanish as English fails the Spanish bar', () => {
    const asEnglish: Extractor = (variable, text, now, options) =>
      extractVariable(variable, text, now, { ...options, language: 'en' });
    const report = evaluate(inLanguage('es'), variables, asEnglish);
    expect(report.belowBars.some((reason) => reason.startsWith('es '))).toBe(true);
  });
});
