/** A FIFO or standard queue that a function hands work to. */
export interface QueuedMessage<T> {
  readonly body: T;
  /** FIFO only: messages of one group are delivered one at a time, in order. */
  readonly groupId?: string;
  /** FIFO only: a second message with this id within five minutes is dropped by the queue. */
  readonly deduplicationId?: string;
}

export interface MessageQueue<T> {
  send(messages: readonly QueuedMessage<T>[]): Promise<void>;
}
