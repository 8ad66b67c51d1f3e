// `waitUntil` for hosts that have none (Node, tests): the same contract as a Worker's
// ExecutionContext, plus `drain()` so a graceful shutdown loses no recording.
import type { ExecutionContext } from 'hono';
export class BackgroundTasks implements ExecutionContext {
  private readonly pending = new Set<Promise<unknown>>();
  readonly props = {};

  waitUntil(promise: Promise<unknown>): void {
    const tracked = promise
      .catch((err) => console.error('background task failed', err))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  passThroughOnException(): void {}

  /** Resolves once every task handed to waitUntil so far (and those they start) has settled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}
