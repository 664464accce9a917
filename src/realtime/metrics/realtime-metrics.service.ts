import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of this app instance (its own, not prom-client's global one, so two apps
 * in one process — the scale-out tests — do not collide). The hot path only bumps numbers: counters
 * are incremented once per publish, not once per recipient.
 */
@Injectable()
export class RealtimeMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'relaybase_ws_connections', help: 'Open WebSocket connections on this instance', labelNames: ['dialect'], registers: [this.registry] });
  readonly subscriptions = new Gauge({ name: 'relaybase_ws_subscriptions', help: 'Channel subscriptions on this instance', registers: [this.registry] });
  readonly messagesIn = new Counter({ name: 'relaybase_ws_messages_in_total', help: 'Messages received from clients', labelNames: ['dialect'], registers: [this.registry] });
  readonly messagesOut = new Counter({ name: 'relaybase_ws_messages_out_total', help: 'Event frames written to clients (one per recipient)', registers: [this.registry] });
  readonly publishes = new Counter({ name: 'relaybase_publishes_total', help: 'Events published, by where they came from', labelNames: ['source'], registers: [this.registry] });
  readonly publishToSend = new Histogram({
    name: 'relaybase_publish_to_send_seconds',
    help: 'From publish (on any instance) to the socket write on this instance',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly busErrors = new Counter({ name: 'relaybase_bus_errors_total', help: 'Failed Redis bus and cluster-state operations', registers: [this.registry] });
  readonly slowConsumers = new Counter({ name: 'relaybase_ws_slow_consumer_disconnects_total', help: 'Connections closed for exceeding WS_MAX_BUFFERED_BYTES', registers: [this.registry] });
  readonly lossyDropped = new Counter({ name: 'relaybase_ws_lossy_frames_dropped_total', help: 'Feed frames dropped (oldest first) for slow subscribers', registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'relaybase_ws_rate_limited_total', help: 'Client messages dropped by WS_MAX_MESSAGES_PER_SECOND', registers: [this.registry] });

  private readonly pendingPublishTimes: number[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'relaybase_' });
  }

  /** Remembers a publish that wrote frames this turn; observed when the turn's writes are flushed. */
  notePublish(publishedAt: number): void {
    this.pendingPublishTimes.push(publishedAt);
  }

  observeFlush(): void {
    const list = this.pendingPublishTimes;
    if (list.length === 0) return;
    const now = Date.now();
    for (let i = 0; i < list.length; i++) this.publishToSend.observe(Math.max(0, now - list[i]) / 1000);
    list.length = 0;
  }
}
