import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { constantTimeEqual } from '../../common/constant-time';
import { authenticationError, notFound } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { Public } from '../../modules/auth/auth.decorators';
import { RealtimeMetrics } from './realtime-metrics.service';

/** Prometheus scrape endpoint; with METRICS_TOKEN set, it wants `Authorization: Bearer <token>`. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: RealtimeMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async getMetrics(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (!this.config.metrics.enabled) throw notFound('Metrics');
    const token = this.config.metrics.token;
    if (token && !constantTimeEqual(authorization ?? '', `Bearer ${token}`)) throw authenticationError('Metrics need the METRICS_TOKEN bearer token');
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
