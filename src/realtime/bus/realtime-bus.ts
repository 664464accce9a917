/**
 * Carries hub events between instances. Two implementations: RedisBus (pub/sub, when REDIS_URL is
 * set) and InProcessBus (embedded: one instance, so there is nobody else to tell). The hub always
 * delivers to its own connections directly; the bus is only for the other instances.
 */
export interface RealtimeBus {
  /** Whether other instances can exist (Redis). */
  readonly distributed: boolean;
  /** Starts listening; `onMessage` gets every payload published by another instance. */
  start(onMessage: (payload: string) => void): Promise<void>;
  /** Fire-and-forget; failures are counted, never thrown at the publisher. */
  publish(topic: string, payload: string): void;
  /** Settles when messages on `topic` reach this instance. Calls are reference-counted by the hub. */
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): void;
  stop(): Promise<void>;
  /** Drops its connections at once without unsubscribing (crash semantics). */
  abandon(): void;
}

export const REALTIME_BUS = Symbol('REALTIME_BUS');
