import type { TranscriptEntry } from '../api-types';
import { visibleText } from '../../../lambdas/domain/visible-text';
import { h } from './dom';
import { clockTime, preciseTime, statusTone, statusWord } from './format';

/**
 * One message of a thread, for the phone (the customer's point of view: "You") and for a
 * transcript (the operator's: "Customer"). Direction and status are written out in words.
 */
export type Perspective = 'phone' | 'transcript';

function mediaList(urls: readonly string[]): HTMLElement | null {
  if (urls.length === 0) return null;
  return h(
    'ul',
    { class: 'media', 'aria-label': `${urls.length} attached picture${urls.length === 1 ? '' : 's'}` },
    ...urls.map((url, index) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: url, target: '_blank', rel: 'noopener' },
          h('img', { src: url, alt: `Picture ${index + 1}`, loading: 'lazy', width: 72, height: 72 }),
        ),
      ),
    ),
  );
}

function statusLine(entry: TranscriptEntry): HTMLElement {
  const status = entry.status ?? 'pending';
  const history = entry.statusHistory ?? [];
  return h(
    'p',
    { class: 'meta status-line' },
    'Status: ',
    h('span', { class: `status ${statusTone(status)}`, 'data-status': status }, statusWord(status)),
    entry.errorCode ? ` (error ${entry.errorCode})` : null,
    history.length > 0
      ? h(
          'span',
          { class: 'history' },
          ` · ${history.map((step) => `${step.status} ${preciseTime(step.at)}`).join(' → ')}`,
        )
      : null,
  );
}

function author(entry: TranscriptEntry, perspective: Perspective): string {
  if (entry.direction === 'inbound') {
    return perspective === 'phone' ? `You to ${entry.to}` : `Customer ${entry.from} to ${entry.to}`;
  }
  return entry.author === 'agent' ? `Agent ${entry.from}` : `Bot ${entry.from}`;
}

/** Why an inbound message got no reply; a handed-off conversation's messages are for a person. */
function noteText(note: string): string {
  return note === 'handed-off' ? 'No bot reply: handed off to a person' : `No reply: ${note}`;
}

export function messageItem(entry: TranscriptEntry, perspective: Perspective): HTMLLIElement {
  return h(
    'li',
    {
      class: `message ${entry.direction}`,
      'data-direction': entry.direction,
      ...(entry.sid ? { 'data-sid': entry.sid } : {}),
    },
    h('span', { class: 'meta' }, `${author(entry, perspective)} · ${clockTime(entry.at)}`),
    entry.body ? h('p', { class: 'body' }, visibleText(entry.body, { keepLineBreaks: true })) : null,
    mediaList(entry.mediaUrls),
    entry.note ? h('p', { class: 'meta' }, noteText(entry.note)) : null,
    entry.direction === 'outbound' ? statusLine(entry) : null,
  );
}
