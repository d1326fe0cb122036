import type { MessageQueue, QueuedMessage } from '../../ports/message-queue';

/** A queue that keeps what was sent to it, in order, for whoever reads it next. */
export class MemoryMessageQueue<T> implements MessageQueue<T> {
  readonly sent: QueuedMessage<T>[] = [];

  async send(messages: readonly QueuedMessage<T>[]): Promise<void> {
    this.sent.push(...messages);
  }

  /** Takes everything sent since the last call. */
  drain(): QueuedMessage<T>[] {
    return this.sent.splice(0, this.sent.length);
  }
}
