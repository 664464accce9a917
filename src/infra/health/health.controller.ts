import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../../modules/auth/auth.decorators';
import { REDIS } from '../redis/redis.token';

type CheckState = 'ok' | 'down';
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref())]);
}

@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok', timestamp: '2026-01-30T12:00:00.000Z' } } })
  getHealth(): { status: 'ok'; timestamp: string } {
    return { status: 'ok', timestamp: new Date().toISOString() };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database (and Redis when configured) answer' })
  @ApiOkResponse({ schema: { example: { status: 'ok', timestamp: '2026-01-30T12:00:00.000Z', checks: { database: 'ok', redis: 'ok' } } } })
  @ApiServiceUnavailableResponse({ schema: { example: { status: 'error', timestamp: '2026-01-30T12:00:00.000Z', checks: { database: 'ok', redis: 'down' } } } })
  async getReadiness(@Res({ passthrough: true }) res: Response) {
    const checks: Record<string, CheckState> = { database: await this.check(() => this.dataSource.query('SELECT 1')) };
    if (this.redis) {
      const redis = this.redis;
      checks.redis = await this.check(() => redis.ping());
    }
    const healthy = Object.values(checks).every((c) => c === 'ok');
    res.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: healthy ? 'ok' : 'error', timestamp: new Date().toISOString(), checks };
  }

  private async check(probe: () => Promise<unknown>): Promise<CheckState> {
    try {
      await withTimeout(probe());
      return 'ok';
    } catch {
      return 'down';
    }
  }
}
