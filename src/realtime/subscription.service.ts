import { Inject, Injectable } from '@nestjs/common';
import { DomainError, validationError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.token';
import { authorizeSubscription, PresenceMember, SubscriptionProof } from './access/channel-access';
import { channelNameError } from './access/channel-name';
import type { HubConnection } from './hub/hub-connection';
import { RealtimeHub } from './hub/realtime-hub.service';

export interface SubscribeOutcome {
  channel: string;
  /** Presence channels: the members across the cluster, the subscriber included. */
  members: PresenceMember[] | null;
}

/** Channel subscriptions for every dialect: name rules, the per-connection limit, authorisation, then the hub. */
@Injectable()
export class SubscriptionService {
  constructor(
    private readonly hub: RealtimeHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Throws (synchronously) what the client did wrong; returns the outcome without a promise when the
   * hub had nothing to wait for (see RealtimeHub.join), a promise otherwise.
   */
  subscribe(conn: HubConnection, channel: unknown, proof: SubscriptionProof): SubscribeOutcome | Promise<SubscribeOutcome> {
    const nameError = channelNameError(channel, this.config.realtime.maxChannelNameLength);
    if (nameError) throw validationError(nameError);
    const name = channel as string;
    const tenant = conn.tenant;
    if (!tenant || !conn.identity) {
      throw new DomainError('CONFLICT', 'This connection is not bound to a tenant: connect with ?tenant=<tenant id, appId or key>');
    }
    const member = authorizeSubscription({ identity: conn.identity, tenant, socketId: conn.id, channel: name, proof });
    if (conn.channels.has(name)) {
      // Already subscribed: confirm again without counting twice.
      return member ? this.hub.clusterMembers(tenant.id, name).then((members) => ({ channel: name, members })) : { channel: name, members: null };
    }
    const limit = tenant.limits.maxChannelsPerConnection;
    if (countNamedChannels(conn) >= limit) {
      throw new DomainError('QUOTA_EXCEEDED', `Channel limit reached: at most ${limit} channels per connection`);
    }
    const failed = (): never => {
      this.hub.unsubscribe(conn, name);
      throw new DomainError('SERVICE_UNAVAILABLE', 'Could not subscribe right now; try again');
    };
    let joined: ReturnType<RealtimeHub['join']>;
    try {
      joined = this.hub.join(conn, name, member);
    } catch {
      return failed();
    }
    if (joined instanceof Promise) return joined.then((members) => ({ channel: name, members }), failed);
    return { channel: name, members: joined };
  }

  /** False when the connection was not subscribed (answered as success all the same: the goal is met). */
  unsubscribe(conn: HubConnection, channel: unknown): boolean {
    const nameError = channelNameError(channel, this.config.realtime.maxChannelNameLength);
    if (nameError) throw validationError(nameError);
    return this.hub.unsubscribe(conn, channel as string);
  }
}

/** Channels the client named; internal ones (`#` in the name, e.g. Pusher's online state) do not count against the limit. */
function countNamedChannels(conn: HubConnection): number {
  let n = 0;
  for (const name of conn.channels.keys()) if (!name.includes('#')) n++;
  return n;
}
