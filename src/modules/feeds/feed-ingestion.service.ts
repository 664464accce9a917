import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { CLUSTER_STATE, ClusterState } from '../../realtime/cluster/cluster-state';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { FEEDS_NAMESPACE, feedChannels } from './feed-channels';
import { FeedIngester, feedSpecOf } from './feed-ingester';
import { FEED_STATE_STORE, FeedStateStore } from './feed-state.store';
import { FeedRepository } from './feed.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decides which feeds this instance ingests. A feed is needed while it is active and has marketplace
 * subscribers or live WebSocket subscribers anywhere in the cluster (hub occupancy in the `feeds`
 * namespace). Each needed feed is ingested by exactly one instance: the holder of its lease
 * (FEED_LEASE_TTL_MS). Every third of the TTL each instance renews the leases it holds (dropping a
 * feed whose lease it lost) and reconciles: takes free leases of needed feeds, restarts ingesters of
 * feeds that were changed, stops and releases feeds no longer needed. An instance that dies stops
 * renewing; its leases expire and another instance takes them within TTL + TTL/3.
 * Runs where queue workers run (ROLE all or worker).
 */
@Injectable()
export class FeedIngestionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('FeedIngestion');
  private readonly running = new Map<string, FeedIngester>();
  private readonly enabled: boolean;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: RealtimeHub,
    @Inject(CLUSTER_STATE) private readonly cluster: ClusterState,
    @Inject(FEED_STATE_STORE) private readonly store: FeedStateStore,
    private readonly feeds: FeedRepository,
  ) {
    this.enabled = config.role !== 'api';
    this.tickMs = Math.max(100, Math.floor(config.feeds.leaseTtlMs / 3));
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => {
      void this.renew();
      this.poke();
    }, this.tickMs);
    this.poke();
  }

  /** Feeds this instance ingests now. */
  get ingesting(): string[] {
    return [...this.running.keys()];
  }

  /** Reconciles soon (a subscription or a feed changed here); runs of it never overlap. */
  poke(): void {
    if (!this.enabled || this.stopped) return;
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = this.reconcile()
      .catch((e: unknown) => this.logger.warn(`Feed reconcile failed: ${(e as Error).message}`))
      .finally(() => {
        this.reconciling = null;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Settles when the current reconcile (if any) is done. */
  async idle(): Promise<void> {
    while (this.reconciling) await this.reconciling;
  }

  /**
   * Crash semantics for failure drills and tests: renewals stop, upstream sockets are dropped,
   * nothing is released or written; other instances take the feeds over when the leases expire.
   */
  abandon(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const ingester of this.running.values()) ingester.abandon();
    this.running.clear();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.reconciling;
    const held = [...this.running.values()];
    this.running.clear();
    // Released at once, so another instance need not wait for the leases to expire.
    await Promise.all(held.map((i) => this.stopAndRelease(i)));
  }

  private async reconcile(): Promise<void> {
    const occupancy = await this.cluster.channels(FEEDS_NAMESPACE);
    const live = new Set<string>();
    for (const o of occupancy) {
      const id = o.subscriptionCount > 0 ? feedChannels.feedIdOf(o.name) : null;
      if (id && UUID.test(id)) live.add(id);
    }
    const needed = await this.feeds.listNeeded([...live]);
    if (this.stopped) return;
    const neededIds = new Set(needed.map((f) => f.id));
    for (const feed of needed) {
      const spec = feedSpecOf(feed);
      const current = this.running.get(feed.id);
      if (current) {
        if (current.spec.version !== spec.version) {
          // Changed (url, messages, routing...): reconnect with the new settings, keeping the lease.
          await current.stop();
          this.start(spec);
        }
        continue;
      }
      if (!(await this.store.acquireLease(feed.id, this.hub.instanceId, this.config.feeds.leaseTtlMs))) continue;
      if (this.stopped) return void this.store.releaseLease(feed.id, this.hub.instanceId).catch(() => undefined);
      this.start(spec);
    }
    for (const [id, ingester] of this.running) {
      if (neededIds.has(id)) continue;
      this.running.delete(id);
      await this.stopAndRelease(ingester);
    }
  }

  private start(spec: ReturnType<typeof feedSpecOf>): void {
    const ingester = new FeedIngester(spec, this.hub, this.store, this.config, this.logger);
    this.running.set(spec.id, ingester);
    ingester.start();
    this.logger.debug(`Ingesting feed ${spec.id} on ${this.hub.instanceId}`);
  }

  private async renew(): Promise<void> {
    for (const [id, ingester] of [...this.running]) {
      let held: boolean;
      try {
        held = await this.store.renewLease(id, this.hub.instanceId, this.config.feeds.leaseTtlMs);
      } catch (e) {
        // Redis unreachable: keep going; if the lease expires meanwhile, the next renewal says so.
        this.logger.warn(`Lease renewal of feed ${id} failed: ${(e as Error).message}`);
        continue;
      }
      if (held || this.running.get(id) !== ingester) continue;
      this.logger.warn(`Lost the lease of feed ${id}; stopping its ingestion here`);
      this.running.delete(id);
      ingester.abandon();
    }
  }

  private async stopAndRelease(ingester: FeedIngester): Promise<void> {
    await ingester.stop().catch(() => undefined);
    await this.store.releaseLease(ingester.spec.id, this.hub.instanceId).catch(() => undefined);
  }
}
