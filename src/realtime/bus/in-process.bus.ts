import type { RealtimeBus } from './realtime-bus';

/** Embedded mode: one instance, whose hub already delivered everything locally. */
export class InProcessBus implements RealtimeBus {
  readonly distributed = false;

  async start(): Promise<void> {}
  publish(): void {}
  async subscribe(): Promise<void> {}
  unsubscribe(): void {}
  async stop(): Promise<void> {}
  abandon(): void {}
}
