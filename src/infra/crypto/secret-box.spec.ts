import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('an-encryption-key-of-at-least-32-characters');

  it('round-trips and never stores the plaintext', () => {
    const stored = box.encrypt('tenant-secret-value', 'tenant:1:secret');
    expect(stored).not.toContain('tenant-secret-value');
    expect(stored.startsWith('v1.')).toBe(true);
    expect(box.decrypt(stored, 'tenant:1:secret')).toBe('tenant-secret-value');
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same', 'aad')).not.toBe(box.encrypt('same', 'aad'));
  });

  it('refuses a ciphertext moved to another row, tampered with, or under another key', () => {
    const stored = box.encrypt('value', 'tenant:1:secret');
    expect(() => box.decrypt(stored, 'tenant:2:secret')).toThrow();
    const parts = stored.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'tenant:1:secret')).toThrow();
    expect(() => new SecretBox('another-encryption-key-of-32-characters!!').decrypt(stored, 'tenant:1:secret')).toThrow();
  });
});
