import { twilioErrors } from './errors';
import { API_VERSION, type MessageResource, type SimMessage } from './messages';
import { MESSAGE_SID_PATTERN } from './sids';

/** Twilio's list page (`ListMessageResponse`). */
export interface MessageListPage {
  messages: MessageResource[];
  end: number;
  first_page_uri: string;
  next_page_uri: string | null;
  page: number;
  page_size: number;
  previous_page_uri: string | null;
  start: number;
  uri: string;
}

type DateSentOperator = '=' | '<=' | '>=';
/** `DateSent`, `DateSent<` (sent on or before) and `DateSent>` (on or after), as Twilio names them. */
const DATE_SENT_PARAMS: ReadonlyArray<[string, DateSentOperator]> = [
  ['DateSent', '='],
  ['DateSent<', '<='],
  ['DateSent>', '>='],
];

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const DAY_MS = 86_400_000;

interface DateSentFilter {
  param: string;
  raw: string;
  matches(sentAt: number): boolean;
}

/** A page cursor: `PA<sid>` = the items after that message, `PB<sid>` = the items before it. */
interface PageToken {
  raw: string;
  direction: 'after' | 'before';
  sid: string;
}

interface ListQuery {
  to?: string;
  from?: string;
  dateSent: DateSentFilter[];
  pageSize: number;
  page: number;
  pageToken?: PageToken;
}

function dateSentFilter(param: string, operator: DateSentOperator, raw: string): DateSentFilter {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (day) {
    // A calendar date (GMT) matches the whole day.
    const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    const end = start + DAY_MS;
    // Date.UTC rolls 2024-02-30 over into March: only a real calendar date round-trips.
    if (new Date(start).toISOString().slice(0, 10) !== raw) throw twilioErrors.invalidParameter(param, raw);
    const matches = {
      '=': (t: number) => t >= start && t < end,
      '<=': (t: number) => t < end,
      '>=': (t: number) => t >= start,
    }[operator];
    return { param, raw, matches };
  }
  const instant = Date.parse(raw);
  if (Number.isNaN(instant)) throw twilioErrors.invalidParameter(param, raw);
  const matches = {
    '=': (t: number) => t === instant,
    '<=': (t: number) => t <= instant,
    '>=': (t: number) => t >= instant,
  }[operator];
  return { param, raw, matches };
}

function nonNegativeInteger(search: URLSearchParams, name: string): number | undefined {
  const raw = search.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw twilioErrors.invalidParameter(name, raw);
  return Number(raw);
}

function parsePageToken(raw: string): PageToken {
  const direction = raw.startsWith('PA') ? 'after' : raw.startsWith('PB') ? 'before' : undefined;
  const sid = raw.slice(2);
  if (!direction || !MESSAGE_SID_PATTERN.test(sid)) throw twilioErrors.invalidParameter('PageToken', raw);
  return { raw, direction, sid };
}

export function parseListQuery(search: URLSearchParams): ListQuery {
  const pageSize = nonNegativeInteger(search, 'PageSize') ?? DEFAULT_PAGE_SIZE;
  if (pageSize < 1) throw twilioErrors.invalidParameter('PageSize', String(pageSize));
  const pageToken = search.get('PageToken');
  const to = search.get('To');
  const from = search.get('From');
  return {
    ...(to === null ? {} : { to }),
    ...(from === null ? {} : { from }),
    dateSent: DATE_SENT_PARAMS.flatMap(([param, operator]) => {
      const raw = search.get(param);
      return raw === null ? [] : [dateSentFilter(param, operator, raw)];
    }),
    // Twilio caps pages at 1000 resources.
    pageSize: Math.min(pageSize, MAX_PAGE_SIZE),
    page: nonNegativeInteger(search, 'Page') ?? 0,
    ...(pageToken === null ? {} : { pageToken: parsePageToken(pageToken) }),
  };
}

function matchesFilters(resource: MessageResource, query: ListQuery): boolean {
  if (query.to !== undefined && resource.to !== query.to) return false;
  if (query.from !== undefined && resource.from !== query.from) return false;
  if (query.dateSent.length === 0) return true;
  if (resource.date_sent === null) return false; // never sent: no sent date to match
  const sentAt = Date.parse(resource.date_sent);
  return query.dateSent.every((filter) => filter.matches(sentAt));
}

function pageUri(path: string, query: ListQuery, page: number, pageToken?: string): string {
  const search = new URLSearchParams();
  if (query.to !== undefined) search.set('To', query.to);
  if (query.from !== undefined) search.set('From', query.from);
  for (const filter of query.dateSent) search.set(filter.param, filter.raw);
  search.set('PageSize', String(query.pageSize));
  search.set('Page', String(page));
  if (pageToken !== undefined) search.set('PageToken', pageToken);
  return `${path}?${search.toString()}`;
}

/** One page of an account's messages (given newest first), filtered, with Twilio's paging links. */
export function listMessagesPage(
  accountSid: string,
  newestFirst: SimMessage[],
  search: URLSearchParams,
): MessageListPage {
  const query = parseListQuery(search);
  const path = `/${API_VERSION}/Accounts/${accountSid}/Messages.json`;
  const matching = newestFirst.map((message) => message.resource).filter((r) => matchesFilters(r, query));

  let from = query.page * query.pageSize;
  let to = from + query.pageSize;
  if (query.pageToken) {
    const anchor = matching.findIndex((resource) => resource.sid === query.pageToken?.sid);
    if (anchor === -1) throw twilioErrors.invalidParameter('PageToken', query.pageToken.raw);
    if (query.pageToken.direction === 'after') {
      from = anchor + 1;
      to = from + query.pageSize;
    } else {
      to = anchor;
      from = Math.max(0, to - query.pageSize);
    }
  }
  const messages = matching.slice(from, to);
  const first = messages[0];
  const last = messages[messages.length - 1];
  const start = query.page * query.pageSize;
  return {
    messages,
    end: messages.length === 0 ? start : start + messages.length - 1,
    first_page_uri: pageUri(path, query, 0),
    next_page_uri:
      last && to < matching.length ? pageUri(path, query, query.page + 1, `PA${last.sid}`) : null,
    page: query.page,
    page_size: query.pageSize,
    previous_page_uri:
      first && from > 0 ? pageUri(path, query, Math.max(0, query.page - 1), `PB${first.sid}`) : null,
    start,
    uri: pageUri(path, query, query.page, query.pageToken?.raw),
  };
}
