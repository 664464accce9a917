import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const secrets = { JWT_SECRET: 'j'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32) };

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadConfig({ ...secrets, DATA_DIR: mkdtempSync(join(tmpdir(), 'rb-cfg-')) });
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.auth.jwtTtlSeconds).toBe(7 * 24 * 3600);
    expect(config.database.embeddedSharedBuffersMb).toBe(32);
    expect(Object.isFrozen(config.auth)).toBe(true);
  });

  it('takes the embedded database\'s shared_buffers in MB, within 1-8192', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rb-cfg-'));
    expect(loadConfig({ ...secrets, DATA_DIR: dataDir, EMBEDDED_SHARED_BUFFERS_MB: '64' }).database.embeddedSharedBuffersMb).toBe(64);
    for (const bad of ['0', '8193', '1.5', 'lots']) {
      expect(() => loadConfig({ ...secrets, DATA_DIR: dataDir, EMBEDDED_SHARED_BUFFERS_MB: bad })).toThrow(/EMBEDDED_SHARED_BUFFERS_MB/);
    }
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ ...secrets, PORT: 'eighty', REDIS_URL: 'http://x' })).toThrow(ConfigError);
    try {
      loadConfig({ ...secrets, PORT: 'eighty', REDIS_URL: 'http://x' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/REDIS_URL/);
    }
  });

  it('requires the secrets in full mode', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' })).toThrow(/JWT_SECRET[\s\S]*ENCRYPTION_KEY/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x', ...secrets, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('generates embedded secrets once and keeps them across restarts', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rb-cfg-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(second.auth.encryptionKey).toBe(first.auth.encryptionKey);
  });
});
