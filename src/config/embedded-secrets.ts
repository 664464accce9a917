import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface EmbeddedSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

/**
 * Secrets for an embedded install that did not set JWT_SECRET / ENCRYPTION_KEY: generated once and
 * kept beside the embedded database (mode 0600), because losing them would invalidate every token
 * and make every encrypted tenant secret unreadable.
 */
export function resolveEmbeddedSecrets(dataDir: string): EmbeddedSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedSecrets>;
    if (typeof stored.jwtSecret === 'string' && typeof stored.encryptionKey === 'string') {
      return { jwtSecret: stored.jwtSecret, encryptionKey: stored.encryptionKey };
    }
  }
  const secrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}
