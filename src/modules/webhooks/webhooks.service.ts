import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { conflict, notFound, validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { Principal } from '../auth/principal';
import { TenantsService } from '../tenants/tenants.service';
import { WebhookDeliveryListQueryDto, WebhookDeliveryPageDto, WebhookDeliveryResponseDto } from './dto/webhook-delivery.dto';
import {
  WebhookEndpointCreateDto,
  WebhookEndpointResponseDto,
  WebhookEndpointUpdateDto,
  WebhookTestResponseDto,
} from './dto/webhook-endpoint.dto';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookEndpointDirectory } from './webhook-endpoint.directory';
import { WebhookEndpointPatch, WebhookEndpointRepository } from './webhook-endpoint.repository';
import { RESERVED_HEADERS } from './webhook-signature';
import { checkWebhookUrl } from './webhook-url-policy';

/** Endpoints a tenant may have; each one multiplies the deliveries of every event. */
const MAX_ENDPOINTS_PER_TENANT = 50;
const MAX_HEADERS = 20;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/**
 * Managing a tenant's webhook endpoints and reading their delivery log. Callers: the account that
 * owns the tenant, or an API key with webhooks:manage bound to it (or unbound, of that account).
 * Anything else sees NOT_FOUND, never another tenant's data.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly sender: WebhookDeliveryService,
    private readonly directory: WebhookEndpointDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(p: Principal, tenantId: string, dto: WebhookEndpointCreateDto): Promise<WebhookEndpointResponseDto> {
    await this.tenantFor(p, tenantId);
    if ((await this.endpoints.count(tenantId)) >= MAX_ENDPOINTS_PER_TENANT) {
      throw conflict(`A tenant can have at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`);
    }
    const endpoint = await this.endpoints.insert({
      tenantId,
      url: await this.checkedUrl(dto.url),
      events: dto.events,
      channelPrefix: dto.channelPrefix ?? null,
      format: dto.format ?? 'pusher',
      headers: checkedHeaders(dto.headers ?? {}),
      active: dto.active ?? true,
      batch: dto.batch ?? false,
    });
    this.directory.invalidate(tenantId);
    return view(endpoint);
  }

  async list(p: Principal, tenantId: string): Promise<WebhookEndpointResponseDto[]> {
    await this.tenantFor(p, tenantId);
    return (await this.endpoints.list(tenantId)).map(view);
  }

  async get(p: Principal, tenantId: string, id: string): Promise<WebhookEndpointResponseDto> {
    return view(await this.endpointFor(p, tenantId, id));
  }

  async update(p: Principal, tenantId: string, id: string, dto: WebhookEndpointUpdateDto): Promise<WebhookEndpointResponseDto> {
    await this.endpointFor(p, tenantId, id);
    const patch: WebhookEndpointPatch = {};
    if (dto.url !== undefined) patch.url = await this.checkedUrl(dto.url);
    if (dto.events !== undefined) patch.events = dto.events;
    if (dto.channelPrefix !== undefined) patch.channelPrefix = dto.channelPrefix;
    if (dto.format !== undefined) patch.format = dto.format;
    if (dto.headers !== undefined) patch.headers = checkedHeaders(dto.headers);
    if (dto.active !== undefined) patch.active = dto.active;
    if (dto.batch !== undefined) patch.batch = dto.batch;
    if (Object.keys(patch).length > 0) await this.endpoints.update(tenantId, id, patch);
    this.directory.invalidate(tenantId);
    return this.get(p, tenantId, id);
  }

  /** Deletes the endpoint with its delivery log; its pending jobs find nothing to send. */
  async remove(p: Principal, tenantId: string, id: string): Promise<void> {
    await this.endpointFor(p, tenantId, id);
    await this.endpoints.delete(tenantId, id);
    this.directory.invalidate(tenantId);
  }

  async test(p: Principal, tenantId: string, id: string): Promise<WebhookTestResponseDto> {
    const endpoint = await this.endpointFor(p, tenantId, id);
    const credentials = await this.tenants.credentialsById(tenantId);
    if (!credentials) throw notFound('Tenant');
    const { deliveryId, ok, statusCode, error, latencyMs } = await this.sender.ping(endpoint, credentials.tenant.key, credentials.secret);
    return { deliveryId, ok, statusCode, error, latencyMs };
  }

  async listDeliveries(p: Principal, tenantId: string, id: string, q: WebhookDeliveryListQueryDto): Promise<WebhookDeliveryPageDto> {
    await this.endpointFor(p, tenantId, id);
    const limit = q.limit ?? 20;
    const rows = await this.deliveries.page(tenantId, id, { status: q.status, limit: limit + 1, after: q.cursor });
    const items = rows.slice(0, limit).map(deliveryView);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async getDelivery(p: Principal, tenantId: string, id: string, deliveryId: string): Promise<WebhookDeliveryResponseDto> {
    return deliveryView(await this.deliveryFor(p, tenantId, id, deliveryId));
  }

  /** Sends a delivery's body again as a new delivery (any status: a dead one, or one to replay). */
  async redeliver(p: Principal, tenantId: string, id: string, deliveryId: string): Promise<WebhookDeliveryResponseDto> {
    const original = await this.deliveryFor(p, tenantId, id, deliveryId);
    return deliveryView(await this.sender.redeliver(original));
  }

  private async deliveryFor(p: Principal, tenantId: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.endpointFor(p, tenantId, id);
    const delivery = isUUID(deliveryId) ? await this.deliveries.getForTenant(tenantId, id, deliveryId) : null;
    if (!delivery) throw notFound('Delivery');
    return delivery;
  }

  private async endpointFor(p: Principal, tenantId: string, id: string): Promise<WebhookEndpoint> {
    await this.tenantFor(p, tenantId);
    const endpoint = isUUID(id) ? await this.endpoints.get(tenantId, id) : null;
    if (!endpoint) throw notFound('Webhook endpoint');
    return endpoint;
  }

  /** The caller may manage this tenant's webhooks, or it does not exist as far as the caller can tell. */
  private async tenantFor(p: Principal, tenantId: string): Promise<void> {
    if (!isUUID(tenantId)) throw notFound('Tenant');
    if (p.kind === 'apiKey' && p.tenantId !== null) {
      if (p.tenantId === tenantId) return;
    } else if (p.kind === 'account' || p.kind === 'apiKey') {
      if (await this.tenants.isOwnedBy(p.accountId, tenantId)) return;
    }
    throw notFound('Tenant');
  }

  private async checkedUrl(url: string): Promise<string> {
    const check = await checkWebhookUrl(url.trim(), this.config.webhooks.allowPrivate);
    if (!check.ok) throw validationError(check.reason, { fields: [check.reason] });
    return check.url.toString();
  }
}

function checkedHeaders(headers: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw validationError(`headers can hold at most ${MAX_HEADERS} entries`);
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) throw validationError(`headers: "${name}" is not a valid header name`);
    if (RESERVED_HEADERS.includes(name.toLowerCase())) throw validationError(`headers: "${name}" is set by Relaybase and cannot be changed`);
    if (seen.has(name.toLowerCase())) throw validationError(`headers: "${name}" appears twice`);
    seen.add(name.toLowerCase());
    if (typeof value !== 'string' || value.length > 2048 || /[\r\n\0]/.test(value)) {
      throw validationError(`headers: the value of "${name}" must be a string of at most 2048 characters without line breaks`);
    }
  }
  return headers as Record<string, string>;
}

function view(e: WebhookEndpoint): WebhookEndpointResponseDto {
  return {
    id: e.id,
    tenantId: e.tenantId,
    url: e.url,
    events: e.events,
    channelPrefix: e.channelPrefix,
    format: e.format,
    headers: e.headers,
    active: e.active,
    batch: e.batch,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

function deliveryView(d: WebhookDelivery): WebhookDeliveryResponseDto {
  return {
    id: d.id,
    endpointId: d.endpointId,
    events: d.eventNames,
    format: d.format,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    latencyMs: d.lastLatencyMs,
    firstAttemptAt: d.firstAttemptAt,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.nextAttemptAt,
    completedAt: d.completedAt,
    redeliveryOf: d.redeliveryOf,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
