import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { RealtimeIdentity } from '../access/realtime-identity';
import type { TenantContext } from '../tenants/tenant-context';
import type { LocalChannel } from './local-channel';
import type { LossyBacklog } from './lossy-backlog';

/** One client connection as the hub sees it, whatever its dialect. */
export class HubConnection {
  /** Subscribed channels by name. */
  readonly channels = new Map<string, LocalChannel>();
  /** Frames waiting for the write coalescer's next flush (in order), or null when none are. */
  out: Buffer[] | null = null;
  /** Attached to the hub (counted, in the tenant's broadcast set). */
  attached = false;
  closed = false;
  tenant: TenantContext | null = null;
  identity: RealtimeIdentity | null = null;
  /** Frames of lossy channels held back while the socket is backlogged (WriteCoalescer.writeLossy). */
  lossy: LossyBacklog | null = null;
  /** The client was told once that lossy frames are being dropped for it. */
  toldLagging = false;
  /** The user this connection delivers user-addressed events to (RealtimeHub.bindUser), or null. */
  boundUserId: string | null = null;

  constructor(
    /** The socket id: unique in the cluster, Pusher's `<digits>.<digits>` shape. */
    readonly id: string,
    /** Index of the dialect in the hub's dialect table. */
    readonly dialect: number,
    readonly ws: WebSocket,
    /** The raw socket under `ws`: the coalescer writes ready frames to it. */
    readonly socket: Socket,
  ) {}

  get tenantId(): string | null {
    return this.tenant?.id ?? null;
  }
}
