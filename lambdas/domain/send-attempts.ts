/**
 * A send's failure budget. SQS counts every receive, and a send parked for its pacing slot is
 * received again without having failed, so the queue's maxReceiveCount cannot be the budget (a
 * busy number would push its backlog into the DLQ). Failures are the receives before this one
 * less the parks; the sender dead-letters a send itself once they reach the budget, and
 * maxReceiveCount stays only as a backstop.
 */
export function failedAttempts(receiveCount: number, parks: number): number {
  return Math.max(0, receiveCount - 1 - Math.max(0, parks));
}

export function failureBudgetSpent(receiveCount: number, parks: number, budget: number): boolean {
  return failedAttempts(receiveCount, parks) >= budget;
}
