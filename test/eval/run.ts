/**
 * `npm run eval`: reads the labelled corpora (one per language) with the rules and prints accuracy
 * per language and variable type; exits non-zero below the bars. `--failures` lists every miss.
 * Readers beyond the rules (the understanding port against recorded answers) are columns of
 * `OTHER_READERS`; only the rules are held to the bars.
 */
import { loadPhoneReader } from '../../lambdas/domain/workflow/extract/phone';
import { evaluate, formatReport, loadCorpora, loadVariables, type Reader } from './evaluate';
import { understandingReader } from './understanding-reader';

await loadPhoneReader();
const corpus = loadCorpora();
const variables = loadVariables();
// The understanding port against the Bedrock stand-in's recorded answers (./understanding-reader.ts).
const understanding = await understandingReader(corpus, variables);
const OTHER_READERS: readonly { label: string; read: Reader }[] = [
  { label: '+understanding', read: understanding.read },
];
const report = evaluate(corpus, variables);
const columns = OTHER_READERS.map(({ label, read }) => ({
  label,
  report: evaluate(corpus, variables, read),
}));
console.log(formatReport(report, columns));
console.log(
  `+understanding: the port asked for ${understanding.calls} answers the rules could not read; the types accepted ${understanding.accepted} proposals and rejected ${understanding.rejected}`,
);
if (process.argv.includes('--failures') || report.belowBars.length > 0) {
  for (const failure of report.failures) {
    console.log(
      `  ${failure.language} line ${failure.line} ${failure.type} ${failure.variable}: ${JSON.stringify(failure.text)} expected ${JSON.stringify(failure.expected)} got ${JSON.stringify(failure.got)}`,
    );
  }
}
if (report.belowBars.length > 0) {
  console.error(`below the bars: ${report.belowBars.join('; ')}`);
  process.exitCode = 1;
}
