import { Inject, Injectable } from '@nestjs/common';
import { validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { channelKind, channelNameError } from '../../realtime/access/channel-name';
import { identityOf } from '../../realtime/access/realtime-identity';
import { CLUSTER_STATE, ClusterState } from '../../realtime/cluster/cluster-state';
import { PublishService } from '../../realtime/publish.service';
import type { TenantContext } from '../../realtime/tenants/tenant-context';
import { TenantContextService } from '../../realtime/tenants/tenant-context.service';
import type { Principal } from '../auth/principal';
import { ChannelDetailResponseDto, ChannelEventResponseDto, ChannelListResponseDto } from './dto/channel.dto';

/** Server-side publish and cluster-wide channel information for a tenant. */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly tenantContexts: TenantContextService,
    private readonly publisher: PublishService,
    @Inject(CLUSTER_STATE) private readonly cluster: ClusterState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async publish(principal: Principal, tenantRef: string | undefined, channel: string, type: string, data: unknown): Promise<ChannelEventResponseDto> {
    const tenant = await this.tenant(principal, tenantRef);
    this.publisher.publishToChannel(tenant, identityOf(principal), channel, type, data);
    return { channel, type };
  }

  async list(principal: Principal, tenantRef: string | undefined, prefix: string | undefined): Promise<ChannelListResponseDto> {
    const tenant = await this.tenant(principal, tenantRef);
    const [connections, channels] = await Promise.all([this.cluster.connectionCount(tenant.id), this.cluster.channels(tenant.id)]);
    return {
      connections,
      channels: channels.filter((c) => c.subscriptionCount > 0 && !c.name.includes('#') && (!prefix || c.name.startsWith(prefix))).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async get(principal: Principal, tenantRef: string | undefined, channel: string): Promise<ChannelDetailResponseDto> {
    const nameError = channelNameError(channel, this.config.realtime.maxChannelNameLength);
    if (nameError) throw validationError(nameError);
    const tenant = await this.tenant(principal, tenantRef);
    const occupancy = await this.cluster.channel(tenant.id, channel);
    const detail: ChannelDetailResponseDto = { ...occupancy, occupied: occupancy.subscriptionCount > 0 };
    if (channelKind(channel) === 'presence') detail.members = await this.cluster.presenceMembers(tenant.id, channel);
    return detail;
  }

  private async tenant(principal: Principal, tenantRef: string | undefined): Promise<TenantContext> {
    const tenant = await this.tenantContexts.forPrincipal(principal, tenantRef);
    if (!tenant) throw validationError('Name the tenant: ?tenant=<tenant id, appId or key> (or use an API key bound to a tenant)');
    return tenant;
  }
}
