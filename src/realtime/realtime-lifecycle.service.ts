import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.token';
import { REALTIME_BUS, RealtimeBus } from './bus/realtime-bus';
import { CLUSTER_STATE, ClusterState } from './cluster/cluster-state';
import { RealtimeHub } from './hub/realtime-hub.service';
import { WebSocketGateway } from './ws/websocket.gateway';

/** Cluster writes of closing connections get this long to finish during shutdown. */
const SETTLE_MS = 1_500;

/**
 * Start and stop of the realtime layer. Shutdown (app.close(), which SIGTERM triggers) runs before
 * the HTTP server closes, in this order, well within 10 s: refuse new upgrades; send every client
 * `{"type":"reconnect"}` and close it with 1012; wait up to SHUTDOWN_DRAIN_MS for the closes, then
 * terminate the rest; wait for their presence and count updates; delete what is left of this
 * instance's cluster entries and its heartbeat; close the bus connection.
 */
@Injectable()
export class RealtimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RealtimeLifecycle');
  private abandoned = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: RealtimeHub,
    private readonly gateway: WebSocketGateway,
    @Inject(REALTIME_BUS) private readonly bus: RealtimeBus,
    @Inject(CLUSTER_STATE) private readonly cluster: ClusterState,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.hub.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.abandoned) return this.gateway.detach();
    const started = Date.now();
    await this.gateway.drain(this.config.realtime.shutdownDrainMs);
    await this.hub.settle(SETTLE_MS);
    await this.cluster.stop().catch((e: unknown) => this.logger.warn(`Cluster cleanup failed: ${(e as Error).message}`));
    await this.bus.stop();
    this.gateway.detach();
    this.logger.log(`Realtime layer stopped in ${Date.now() - started} ms`);
  }

  /**
   * Stops as a crashed process would look to the rest of the cluster: no more heartbeats or Redis
   * writes, sockets dropped, nothing cleaned up. For failure drills and the scale-out tests.
   */
  abandon(): void {
    this.abandoned = true;
    this.hub.abandon();
    this.cluster.abandon();
    this.bus.abandon();
    this.gateway.abandon();
  }
}
