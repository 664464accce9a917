import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';

const base = { JWT_SECRET: 'j'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32), DATA_DIR: mkdtempSync(join(tmpdir(), 'rb-rt-')) };

describe('realtime configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.realtime).toEqual({
      maxFrameBytes: 65_536,
      maxMessagesPerSecond: 100,
      maxBufferedBytes: 4 * 1024 * 1024,
      maxChannelNameLength: 164,
      pingIntervalMs: 30_000,
      authTimeoutMs: 10_000,
      heartbeatIntervalMs: 5_000,
      instanceTtlMs: 15_000,
      shutdownDrainMs: 3_000,
    });
    // A dead instance is swept within TTL + one sweep interval: under the 30 s promise.
    expect(config.realtime.instanceTtlMs + config.realtime.heartbeatIntervalMs).toBeLessThanOrEqual(30_000);
    expect(config.metrics).toEqual({ enabled: true, token: undefined });
  });

  it('reads overrides and refuses bad values', () => {
    const config = loadConfig({ ...base, WS_MAX_FRAME_BYTES: '1024', WS_MAX_MESSAGES_PER_SECOND: '5', METRICS_TOKEN: 'scrape-me' });
    expect(config.realtime.maxFrameBytes).toBe(1024);
    expect(config.realtime.maxMessagesPerSecond).toBe(5);
    expect(config.metrics.token).toBe('scrape-me');
    expect(() => loadConfig({ ...base, WS_MAX_BUFFERED_BYTES: '10' })).toThrow(/WS_MAX_BUFFERED_BYTES/);
    expect(() => loadConfig({ ...base, SHUTDOWN_DRAIN_MS: '9000' })).toThrow(/SHUTDOWN_DRAIN_MS/);
    expect(() => loadConfig({ ...base, WS_MAX_MESSAGES_PER_SECOND: '0' })).toThrow(/WS_MAX_MESSAGES_PER_SECOND/);
  });
});
