import { keys } from './keys';

type Item = Record<string, unknown>;

interface RecordedReply {
  readonly sendId: string;
  readonly transcriptKey: string;
  readonly body: string;
  readonly mediaUrls?: readonly string[];
}

/**
 * A reply's delivery status: its message item's, the one place status callbacks write it; before
 * Twilio has the message, `failed` for a send refused for good and `pending` otherwise.
 */
export function replyStatus(entry: Item, message: Item | undefined): string {
  if (typeof message?.status === 'string') return message.status;
  return entry.sendState === 'failed' ? 'failed' : 'pending';
}

function recordedReplies(inbound: Item): RecordedReply[] {
  return Array.isArray(inbound.replies) ? (inbound.replies as RecordedReply[]) : [];
}

/**
 * A conversation's transcript items as readers expect them, in order: every reply with its
 * `status` (and a delivery error code) from its message item, and the replies a turn recorded on
 * its inbound entry that the sender has not claimed yet (they have no entry of their own) as pending.
 * A turn's reply keeps its pictures (`mediaUrls`) on the inbound entry only: the entry the sender's
 * claim writes gets them from there.
 */
export function transcriptView(items: readonly Item[], messagesBySid: ReadonlyMap<string, Item>): Item[] {
  const present = new Set(items.map((item) => String(item.sk)));
  const recordedMedia = new Map<string, readonly string[] | undefined>(
    items.flatMap((item) =>
      item.direction === 'inbound'
        ? recordedReplies(item)
            .filter((reply) => (reply.mediaUrls ?? []).length > 0)
            .map((reply) => [`${keys.transcriptPrefix}${reply.transcriptKey}`, reply.mediaUrls] as const)
        : [],
    ),
  );
  const view: Item[] = [];
  for (const item of items) {
    if (item.direction === 'inbound') {
      view.push(item);
      for (const reply of recordedReplies(item)) {
        const sk = `${keys.transcriptPrefix}${reply.transcriptKey}`;
        if (present.has(sk)) continue;
        view.push({
          pk: item.pk,
          sk,
          direction: 'outbound',
          conversationId: item.conversationId,
          sendId: reply.sendId,
          from: item.to,
          to: item.from,
          body: reply.body,
          ...(reply.mediaUrls?.length ? { mediaUrls: reply.mediaUrls } : {}),
          at: item.at,
          status: 'pending',
        });
      }
      continue;
    }
    const message = typeof item.sid === 'string' ? messagesBySid.get(item.sid) : undefined;
    const errorCode = message?.errorCode ?? item.errorCode;
    const media = item.mediaUrls === undefined ? recordedMedia.get(String(item.sk)) : undefined;
    view.push({
      ...item,
      ...(media ? { mediaUrls: media } : {}),
      status: replyStatus(item, message),
      ...(errorCode !== undefined && errorCode !== null ? { errorCode } : {}),
    });
  }
  return view.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

/** The SIDs of a transcript's sent replies, whose message items hold their statuses. */
export function sentReplySids(items: readonly Item[]): string[] {
  return items.flatMap((item) =>
    item.direction === 'outbound' && typeof item.sid === 'string' ? [item.sid] : [],
  );
}
