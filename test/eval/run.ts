/**
 * `npm run eval`: reads the labelled corpus with the extractors and prints accuracy per variable
 * type and overall; exits non-zero below the bars. `--failures` lists every miss.
 */
import { loadPhoneReader } from '../../lambdas/domain/workflow/extract/phone';
import { evaluate, formatReport } from './evaluate';

await loadPhoneReader();
const report = evaluate();
console.log(formatReport(report));
if (process.argv.includes('--failures') || report.belowBars.length > 0) {
  for (const failure of report.failures) {
    console.log(
      `  line ${failure.line} ${failure.type} ${failure.variable}: ${JSON.stringify(failure.text)} expected ${JSON.stringify(failure.expected)} got ${JSON.stringify(failure.got)}`,
    );
  }
}
if (report.belowBars.length > 0) {
  console.error(`below the bars: ${report.belowBars.join('; ')}`);
  process.exitCode = 1;
}
