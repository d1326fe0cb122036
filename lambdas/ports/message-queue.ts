/** A FIFO or standard queue that a function hands work to. */
export interface QueuedMessage<T> {
  readonly body: T;
  /** FIFO only: messages of one group are delivered one at a time, in order. */
  readonly groupId?: string;
  /** FIFO only: a second message with this id within five minutes is dropped by the queue. */
  readonly deduplicationId?: string;
  /**
   * Standard queues only (SQS refuses it on FIFO queues): the message stays invisible this long
   * after it is sent, 0 to 900 seconds (SQS DelaySeconds).
   */
  readonly delaySeconds?: number;
}

export interface MessageQueue<T> {
  send(messages: readonly QueuedMessage<T>[]): Promise<void>;
}
