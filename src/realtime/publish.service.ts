import { Inject, Injectable } from '@nestjs/common';
import { authorizationError, DomainError, validationError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.token';
import { hasScope } from '../modules/auth/scopes';
import { authorizePublish } from './access/channel-access';
import { channelNameError, eventNameError } from './access/channel-name';
import type { RealtimeIdentity } from './access/realtime-identity';
import { RealtimeHub } from './hub/realtime-hub.service';
import type { TenantContext } from './tenants/tenant-context';

/** Server-side publishing (REST trigger, WS broadcast): validation, authorisation and size, then the hub. */
@Injectable()
export class PublishService {
  constructor(
    private readonly hub: RealtimeHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  publishToChannel(tenant: TenantContext, identity: RealtimeIdentity, channel: string, type: unknown, data: unknown): void {
    const nameError = channelNameError(channel, this.config.realtime.maxChannelNameLength);
    if (nameError) throw validationError(nameError);
    const typeError = eventNameError(type);
    if (typeError) throw validationError(typeError);
    this.assertMayPublish(tenant, identity, channel);
    const dataJson = this.serialise(data);
    this.hub.publish(tenant.id, channel, { name: type as string, dataJson, userId: identity.userId ?? '' });
  }

  /** A tenant-wide broadcast (seed 001's `broadcast`). */
  broadcast(tenant: TenantContext, identity: RealtimeIdentity, payload: unknown): void {
    this.assertMayPublish(tenant, identity, null);
    const dataJson = this.serialise(payload);
    this.hub.broadcast(tenant.id, { name: 'broadcast', dataJson, userId: identity.userId ?? '' });
  }

  private assertMayPublish(tenant: TenantContext, identity: RealtimeIdentity, channel: string | null): void {
    if (identity.scopes && !hasScope(identity.scopes, 'events:trigger')) {
      throw authorizationError('Insufficient permissions: requires scope events:trigger');
    }
    authorizePublish(identity, tenant.settings.endUserPublishEnabled === true, channel);
  }

  private serialise(data: unknown): string {
    const json = JSON.stringify(data ?? null);
    const limit = this.config.realtime.maxFrameBytes;
    if (Buffer.byteLength(json) > limit) throw new DomainError('PAYLOAD_TOO_LARGE', `Event data exceeds ${limit} bytes`);
    return json;
  }
}
