import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLUSTER_STATE, ClusterState } from '../../realtime/cluster/cluster-state';
import type { HubConnection } from '../../realtime/hub/hub-connection';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';

/** Channels with more subscribers than this get at most one count event per interval (as Pusher does). */
const BUSY_CHANNEL = 100;
const BUSY_INTERVAL_MS = 30_000;

/**
 * `pusher_internal:subscription_count` for tenants that enable it: after each (un)subscribe, the
 * cluster-wide count is published to the channel (not for presence channels, which have members).
 */
@Injectable()
export class PusherSubscriptionCounts {
  private readonly logger = new Logger('PusherSubscriptionCounts');
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly hub: RealtimeHub,
    @Inject(CLUSTER_STATE) private readonly cluster: ClusterState,
  ) {}

  changed(conn: HubConnection, channel: string): void {
    const tenant = conn.tenant;
    if (!tenant?.settings.subscriptionCountEnabled || channel.startsWith('presence-') || channel.includes('#')) return;
    this.cluster.channel(tenant.id, channel).then(
      ({ subscriptionCount }) => this.send(tenant.id, channel, subscriptionCount),
      (e: unknown) => this.logger.warn(`Subscription count for ${channel} unavailable: ${(e as Error).message}`),
    );
  }

  private send(tenantId: string, channel: string, count: number): void {
    const key = tenantId + '\n' + channel;
    const now = Date.now();
    if (count > BUSY_CHANNEL && now - (this.lastSent.get(key) ?? 0) < BUSY_INTERVAL_MS) return;
    if (count === 0) this.lastSent.delete(key);
    else this.lastSent.set(key, now);
    const dataJson = JSON.stringify(JSON.stringify({ subscription_count: count }));
    this.hub.publish(tenantId, channel, { name: 'pusher_internal:subscription_count', dataJson });
    this.hub.report(tenantId, { name: 'subscription_count', channel, subscriptionCount: count });
  }
}
