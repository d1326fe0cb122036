import { describe, expect, it } from 'vitest';
import { BARS, evaluate, loadCorpus, loadVariables, type Extractor } from './evaluate';

describe('extractor eval (labelled corpus of customer answers)', () => {
  const corpus = loadCorpus();
  const variables = loadVariables();

  it('covers every variable type with a corpus of at least 250 answers, refusals included', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(250);
    const types = new Set(corpus.map((item) => variables[item.var ?? '']?.type ?? item.variable?.type));
    for (const type of ['text', 'pattern', 'number', 'date', 'time', 'email', 'phone', 'yesno', 'choice']) {
      expect(types).toContain(type);
    }
    expect(corpus.filter((item) => item.expect === null).length).toBeGreaterThan(30);
  });

  it(`meets the bars: ${BARS.overall * 100}% overall, ${BARS.perType * 100}% for every type`, () => {
    const report = evaluate(corpus, variables);
    const misses = report.failures.map(
      (f) => `line ${f.line} ${f.type} ${JSON.stringify(f.text)}: got ${f.got}, meant ${f.expected}`,
    );
    expect(report.belowBars, misses.join('\n')).toEqual([]);
  });

  it('fails an extractor below the bars (the eval can fail)', () => {
    const refuseAll: Extractor = () => ({ found: false, reason: 'no' });
    const report = evaluate(corpus, variables, refuseAll);
    expect(report.belowBars.length).toBeGreaterThan(0);
    expect(report.accuracy).toBeLessThan(BARS.overall);
  });
});
