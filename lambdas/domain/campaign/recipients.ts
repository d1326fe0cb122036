import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { CountryCode } from 'libphonenumber-js/min';
import { phoneCountry, readRecipientPhone } from './recipient-phone';
import { isValidTimeZone } from './wall-clock';
import type { StartRequirement } from './workflow-columns';

/**
 * Reading a campaign's recipients file, streamed: chunks in (an S3 object body, a file read
 * stream), one result per row out, so memory stays flat whatever the file's size (100,000 rows
 * and more). Nothing is sent by this module; its caller decides, in this order:
 *
 * 1. Whole-file errors are thrown as RecipientFileError, about the header before any row is
 *    yielded, and about later lines (a syntax error, an unknown JSON field, no recipient at all)
 *    when the reader gets there: a campaign is created only after its file was read to the end.
 * 2. Each row yields a Recipient or a RecipientProblem (`{ line, problem, reason }`), lines counted
 *    from 1 as an editor shows them (a CSV header is line 1).
 * 3. `--strict`: strictRefusal (recipient-report.ts) on the tally of the rows.
 *
 * Formats:
 * - CSV (RFC 4180 quoting, parsed by csv-parse), UTF-8 (a BOM is fine), a header line naming the
 *   columns: `phone` (required), `timezone` (optional; both names in any case) and one column per
 *   workflow variable (exact names). The delimiter is the header's most frequent of `,` `;` and tab
 *   (spreadsheets in many locales export `;`). Rows whose cells are all empty are skipped silently.
 * - JSON lines: one object per line with the same fields, values strings (or numbers). The first
 *   object's fields play the header's part; a later line may leave fields out.
 * The format is taken from `rules.format` when the caller knows it (recipientFormatFromFileName on
 * the uploaded file's name), else from the content: a first line starting with `{` is JSON lines,
 * anything else CSV. A format given and contradicted by the content is an error, not a guess.
 *
 * Rows: the phone (readRecipientPhone: E.164 or national in `rules.defaultCountry`), the time zone
 * (an IANA name Intl knows), each value at most RECIPIENT_LIMITS.valueChars, the columns the first
 * message needs filled, then `rules.checkVariables` (a workflow campaign passes workflowRowCheck).
 * An empty cell of any other column leaves that variable out (the workflow asks the customer).
 *
 * Duplicates: a number seen again within the last RECIPIENT_LIMITS.duplicateWindow distinct
 * numbers is a `duplicate` problem (the first line is kept). Beyond that window the reader does not
 * remember (memory stays bounded): the store keys a campaign's recipients by number and writes
 * each with a condition that it is new, in file order, so a later duplicate is refused there and
 * counted as `duplicate` too.
 */

export type RecipientFileFormat = 'csv' | 'jsonl';

export const RECIPIENT_LIMITS = {
  /** As a variable given to the conversations API (outbound-request.ts). */
  valueChars: 500,
  /** One CSV record or JSON line; a longer one is a broken file or not a recipients file. */
  rowChars: 65_536,
  duplicateWindow: 10_000,
} as const;

/** The format a file's name announces; undefined: let the reader look at the content. */
export function recipientFormatFromFileName(name: string): RecipientFileFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

export type RecipientFileErrorCode =
  | 'not-csv-or-json-lines'
  | 'no-phone-column'
  | 'invalid-columns'
  | 'unknown-columns'
  | 'workflow-cannot-start'
  | 'no-recipients';

/** The whole file is refused: nothing of it may be sent. The message is for the operator as is. */
export class RecipientFileError extends Error {
  constructor(
    readonly code: RecipientFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecipientFileError';
  }
}

export interface Recipient {
  readonly kind: 'recipient';
  readonly line: number;
  /** E.164. */
  readonly phone: string;
  /** Non-empty values by variable name (trimmed). */
  readonly variables: Readonly<Record<string, string>>;
  /** The row's `timezone`, a zone Intl knows. */
  readonly timezone?: string;
  /** ISO 3166 alpha-2 country of the number, when its numbering plan says (for resolveRecipientTimeZone). */
  readonly country?: string;
}

export type RecipientProblemCode =
  | 'invalid-phone'
  | 'invalid-timezone'
  | 'value-too-long'
  | 'missing-variable'
  | 'invalid-variable'
  | 'invalid-row'
  | 'duplicate';

export interface RecipientProblem {
  readonly kind: 'problem';
  readonly line: number;
  readonly problem: RecipientProblemCode;
  /** For the operator; never holds a full phone number. */
  readonly reason: string;
}

export type RecipientRow = Recipient | RecipientProblem;

export interface RecipientFileRules {
  /** Known from the file's name or content type; absent: read from the content. */
  readonly format?: RecipientFileFormat;
  /** ISO 3166 alpha-2 country national numbers are read in (the tenant's default). */
  readonly defaultCountry: string;
  /** Variable columns the file may have (workflowColumns / messageColumns). */
  readonly allowedVariables: readonly string[];
  /** Which columns the first message needs, given the file's (workflowColumns / messageColumns). */
  readonly startRequirement: StartRequirement;
  /** A row's own check once the reader's passed: a reason to skip it, or undefined (workflowRowCheck). */
  readonly checkVariables?: (variables: Readonly<Record<string, string>>) => string | undefined;
  /** How many distinct numbers the reader remembers to report duplicates (default RECIPIENT_LIMITS.duplicateWindow). */
  readonly duplicateWindow?: number;
}

const RESERVED = { phone: 'phone', timezone: 'timezone' } as const;

function problem(line: number, code: RecipientProblemCode, reason: string): RecipientProblem {
  return { kind: 'problem', line, problem: code, reason };
}

function notRecipientsFile(reason: string): RecipientFileError {
  return new RecipientFileError(
    'not-csv-or-json-lines',
    `not a CSV or JSON lines recipients file: ${reason}`,
  );
}

/**
 * UTF-8 text out of the chunks, line endings made `\n` (csv-parse counts a `\r\n` as two lines),
 * a leading BOM dropped. Not UTF-8, or with NUL characters (a spreadsheet, a zip, UTF-16): refused.
 */
async function* decodeText(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  // fatal: a byte sequence that is not UTF-8 throws; the BOM is dropped unless ignoreBOM.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  let pendingCarriageReturn = false;
  const normalize = (text: string): string => {
    let out = pendingCarriageReturn ? `\r${text}` : text;
    if (first) {
      out = out.replace(/^\uFEFF/, '');
      if (out !== '') first = false;
    }
    pendingCarriageReturn = out.endsWith('\r');
    if (pendingCarriageReturn) out = out.slice(0, -1);
    if (out.includes('\u0000'))
      throw notRecipientsFile('it holds binary data (export a spreadsheet as CSV UTF-8)');
    return out.replace(/\r\n?/g, '\n');
  };
  const decode = (chunk: Uint8Array | undefined): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw notRecipientsFile('it is not UTF-8 text (save it as CSV UTF-8)');
    }
  };
  for await (const chunk of source) {
    const text = normalize(typeof chunk === 'string' ? chunk : decode(chunk));
    if (text !== '') yield text;
  }
  const rest = normalize(decode(undefined));
  if (rest !== '' || pendingCarriageReturn) yield `${rest}\n`;
}

/**
 * The first non-blank line, reading no further than needed (and no more than a row's limit), and
 * the text again from the start for the parser.
 */
async function peekFirstLine(
  texts: AsyncIterator<string>,
): Promise<{ firstLine: string | undefined; text: AsyncGenerator<string> }> {
  let buffered = '';
  let firstLine: string | undefined;
  let done = false;
  while (firstLine === undefined && !done) {
    const next = await texts.next();
    if (next.done) done = true;
    else buffered += next.value;
    const lines = buffered.split('\n');
    const complete = done ? lines : lines.slice(0, -1);
    firstLine = complete.find((line) => line.trim() !== '');
    if (firstLine === undefined && buffered.length > RECIPIENT_LIMITS.rowChars)
      throw notRecipientsFile(`no line ends within its first ${RECIPIENT_LIMITS.rowChars} characters`);
  }
  async function* again(): AsyncGenerator<string> {
    if (buffered !== '') yield buffered;
    if (done) return;
    for (;;) {
      const next = await texts.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { firstLine, text: again() };
}

/** Lines of the text, numbered from 1; a line over the limit comes as `text: undefined`, unread. */
async function* splitLines(texts: AsyncIterable<string>): AsyncGenerator<{ line: number; text?: string }> {
  let buffer = '';
  let line = 1;
  let skipping = false;
  for await (const chunk of texts) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf('\n', start);
      if (!skipping) buffer += chunk.slice(start, end === -1 ? undefined : end);
      if (!skipping && buffer.length > RECIPIENT_LIMITS.rowChars) {
        yield { line };
        skipping = true;
        buffer = '';
      }
      if (end === -1) break;
      if (!skipping) yield { line, text: buffer };
      skipping = false;
      buffer = '';
      line += 1;
      start = end + 1;
    }
  }
  if (!skipping && buffer !== '') yield { line, text: buffer };
}

/** The header's delimiter: the most frequent of `,` `;` and tab outside quotes (`,` on a tie or none). */
function sniffDelimiter(header: string): string {
  const unquoted = header.replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((delimiter) => ({
    delimiter,
    count: unquoted.split(delimiter).length - 1,
  }));
  return counts.reduce((best, candidate) => (candidate.count > best.count ? candidate : best)).delimiter;
}

type Column = { kind: 'phone' } | { kind: 'timezone' } | { kind: 'variable'; name: string };

/** Columns named by the header (or the first JSON line): checked as a whole, before any row. */
function readColumns(names: readonly string[], rules: RecipientFileRules, where: string): Column[] {
  const allowed = new Set(rules.allowedVariables);
  const seen = new Set<string>();
  const columns: Column[] = [];
  const unknown: string[] = [];
  for (const [index, raw] of names.entries()) {
    const name = raw.trim();
    if (name === '')
      throw new RecipientFileError('invalid-columns', `${where}: column ${index + 1} has no name`);
    const lower = name.toLowerCase();
    const key = lower === RESERVED.phone || lower === RESERVED.timezone ? lower : name;
    if (seen.has(key))
      throw new RecipientFileError('invalid-columns', `${where}: column "${name}" appears twice`);
    seen.add(key);
    if (key === RESERVED.phone) columns.push({ kind: 'phone' });
    else if (key === RESERVED.timezone) columns.push({ kind: 'timezone' });
    else if (allowed.has(name)) columns.push({ kind: 'variable', name });
    else unknown.push(name);
  }
  if (!seen.has(RESERVED.phone)) {
    const looksLikeData = names.some((name) => /^\+?[\d\s().-]{7,}$/.test(name.trim()));
    throw new RecipientFileError(
      'no-phone-column',
      looksLikeData
        ? `${where}: no phone column: the first line must name the columns (phone, then the variables)`
        : `${where}: no phone column (columns: ${names.slice(0, 10).join(', ')})`,
    );
  }
  if (unknown.length > 0) throw unknownColumns(unknown, rules, where);
  return columns;
}

function unknownColumns(
  unknown: readonly string[],
  rules: RecipientFileRules,
  where: string,
): RecipientFileError {
  const known = rules.allowedVariables.length > 0 ? rules.allowedVariables.join(', ') : 'none';
  return new RecipientFileError(
    'unknown-columns',
    `${where}: ${unknown.length === 1 ? 'column' : 'columns'} ${unknown.slice(0, 10).join(', ')} ` +
      `${unknown.length === 1 ? 'is not a variable' : 'are not variables'} of the campaign ` +
      `(variables: ${known}; phone and timezone are the reserved columns)`,
  );
}

/** Reads the cells of one row into a recipient or a problem; remembers numbers for duplicates. */
class RowReader {
  private readonly country: CountryCode;
  private readonly required: readonly string[];
  private readonly recent = new Map<string, number>();
  private readonly window: number;

  constructor(
    private readonly rules: RecipientFileRules,
    columns: readonly Column[],
    where: string,
  ) {
    this.country = phoneCountry(rules.defaultCountry);
    this.window = Math.max(0, rules.duplicateWindow ?? RECIPIENT_LIMITS.duplicateWindow);
    const variables = columns.flatMap((column) => (column.kind === 'variable' ? [column.name] : []));
    const requirement = rules.startRequirement(variables);
    if (!requirement.ok)
      throw new RecipientFileError(
        'workflow-cannot-start',
        `${where}: cannot start with these columns: ${requirement.reason}`,
      );
    this.required = requirement.required;
  }

  read(
    line: number,
    phoneCell: string | undefined,
    timezoneCell: string | undefined,
    cells: ReadonlyMap<string, string>,
  ): RecipientRow {
    const phone = readRecipientPhone(phoneCell ?? '', this.country);
    if (!phone.ok) return problem(line, 'invalid-phone', phone.reason);
    const timezone = timezoneCell?.trim() ?? '';
    if (timezone !== '' && !isValidTimeZone(timezone))
      return problem(
        line,
        'invalid-timezone',
        `unknown time zone "${timezone.slice(0, 64)}" (an IANA name such as America/New_York)`,
      );
    const variables: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, cell] of cells) {
      const value = cell.trim();
      if (value.length > RECIPIENT_LIMITS.valueChars)
        return problem(line, 'value-too-long', `${name} is over ${RECIPIENT_LIMITS.valueChars} characters`);
      if (value !== '') variables[name] = value;
    }
    const missing = this.required.filter((name) => !Object.hasOwn(variables, name));
    if (missing.length > 0)
      return problem(line, 'missing-variable', `${missing.join(', ')} empty: the first message needs it`);
    const rejected = this.rules.checkVariables?.(variables);
    if (rejected !== undefined) return problem(line, 'invalid-variable', rejected);

    const firstLine = this.recent.get(phone.phone);
    if (firstLine !== undefined) return problem(line, 'duplicate', `same number as line ${firstLine}`);
    if (this.window > 0) {
      this.recent.set(phone.phone, line);
      // Forget the oldest number (Maps iterate in insertion order).
      if (this.recent.size > this.window) this.recent.delete(this.recent.keys().next().value as string);
    }
    return {
      kind: 'recipient',
      line,
      phone: phone.phone,
      variables: { ...variables },
      ...(timezone !== '' ? { timezone } : {}),
      ...(phone.country !== undefined ? { country: phone.country } : {}),
    };
  }
}

interface CsvRecord {
  readonly info: { readonly lines: number };
  readonly raw: string;
  readonly record: string[];
}

/** The line a record starts on: csv-parse counts the line it ends on; `raw` holds skipped blank lines first. */
function startLine(item: CsvRecord): number {
  const own = item.raw.replace(/^\n+/, '').replace(/\n$/, '');
  return item.info.lines - (own.split('\n').length - 1);
}

async function* readCsv(text: AsyncGenerator<string>, header: string, rules: RecipientFileRules) {
  const parser = parse({
    delimiter: sniffDelimiter(header),
    record_delimiter: '\n',
    info: true,
    raw: true,
    relax_column_count: true,
    // A quote inside an unquoted value ("5" screen) is kept as written.
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: RECIPIENT_LIMITS.rowChars,
  });
  const input = Readable.from(text, { objectMode: false });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let columns: Column[] | undefined;
  let reader: RowReader | undefined;
  let rows = 0;
  try {
    for await (const item of parser as AsyncIterable<CsvRecord>) {
      const line = startLine(item);
      const cells = item.record;
      if (!columns || !reader) {
        columns = readColumns(cells, rules, `line ${line} (the header)`);
        reader = new RowReader(rules, columns, `line ${line} (the header)`);
        continue;
      }
      if (cells.every((cell) => cell === '')) continue;
      rows += 1;
      const extra = cells.slice(columns.length);
      if (extra.some((cell) => cell !== '')) {
        yield problem(line, 'invalid-row', `${cells.length} values where the header names ${columns.length}`);
        continue;
      }
      let phoneCell: string | undefined;
      let timezoneCell: string | undefined;
      const values = new Map<string, string>();
      columns.forEach((column, index) => {
        const cell = cells[index] ?? '';
        if (column.kind === 'phone') phoneCell = cell;
        else if (column.kind === 'timezone') timezoneCell = cell;
        else values.set(column.name, cell);
      });
      yield reader.read(line, phoneCell, timezoneCell, values);
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const at = typeof error.lines === 'number' ? `line ${error.lines}: ` : '';
      throw notRecipientsFile(`${at}${error.message}`);
    }
    throw error;
  } finally {
    input.destroy();
    parser.destroy();
  }
  if (rows === 0) throw new RecipientFileError('no-recipients', 'the file has a header but no recipients');
}

/** One JSON line's fields as cells; a reason when the line is not an object of strings. */
function jsonFields(text: string): Map<string, string> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not a JSON object';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') fields.set(name, value);
    else if (typeof value === 'number' && Number.isFinite(value)) fields.set(name, String(value));
    else if (value === null) fields.set(name, '');
    else return `${name.slice(0, 64)} must be a string`;
  }
  return fields;
}

async function* readJsonLines(text: AsyncGenerator<string>, rules: RecipientFileRules) {
  let columns: Column[] | undefined;
  let reader: RowReader | undefined;
  let rows = 0;
  for await (const { line, text: content } of splitLines(text)) {
    if (content !== undefined && content.trim() === '') continue;
    const fields =
      content === undefined
        ? `the line is over ${RECIPIENT_LIMITS.rowChars} characters`
        : jsonFields(content);
    if (!columns || !reader) {
      if (typeof fields === 'string') throw notRecipientsFile(`line ${line}: ${fields}`);
      columns = readColumns([...fields.keys()], rules, `line ${line}`);
      reader = new RowReader(rules, columns, `line ${line}`);
    }
    rows += 1;
    if (typeof fields === 'string') {
      yield problem(line, 'invalid-row', fields);
      continue;
    }
    let phoneCell: string | undefined;
    let timezoneCell: string | undefined;
    const values = new Map<string, string>();
    const unknown: string[] = [];
    const allowed = new Set(rules.allowedVariables);
    for (const [name, value] of fields) {
      const lower = name.toLowerCase();
      if (lower === RESERVED.phone) phoneCell = value;
      else if (lower === RESERVED.timezone) timezoneCell = value;
      else if (allowed.has(name)) values.set(name, value);
      else unknown.push(name);
    }
    if (unknown.length > 0) throw unknownColumns(unknown, rules, `line ${line}`);
    yield reader.read(line, phoneCell, timezoneCell, values);
  }
  if (rows === 0) throw new RecipientFileError('no-recipients', 'the file has no recipients');
}

/**
 * Reads a recipients file (see the top of this module). Throws RecipientFileError for the whole
 * file; a RangeError for rules that are a caller's bug (an unknown default country).
 */
export async function* readRecipients(
  source: AsyncIterable<Uint8Array | string>,
  rules: RecipientFileRules,
): AsyncGenerator<RecipientRow, void, undefined> {
  phoneCountry(rules.defaultCountry);
  const { firstLine, text } = await peekFirstLine(decodeText(source)[Symbol.asyncIterator]());
  if (firstLine === undefined) throw new RecipientFileError('no-recipients', 'the file is empty');
  const opening = firstLine.trimStart();
  const looksLikeJson = opening.startsWith('{');
  if (opening.startsWith('['))
    throw notRecipientsFile('a JSON array is not JSON lines: write one object per line');
  if (rules.format === 'jsonl' && !looksLikeJson)
    throw notRecipientsFile('JSON lines expected, but the first line is not a JSON object');
  if (rules.format === 'csv' && looksLikeJson)
    throw notRecipientsFile('CSV expected, but the first line is a JSON object (name the file .jsonl)');
  if (looksLikeJson) yield* readJsonLines(text, rules);
  else yield* readCsv(text, firstLine, rules);
}
