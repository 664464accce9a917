import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('masks credentials in the query string and keeps the rest', () => {
    expect(redactUrl('/ws?token=abc.def&x=1')).toBe('/ws?token=[REDACTED]&x=1');
    expect(redactUrl('/ws/k?jwt=eyJ')).toBe('/ws/k?jwt=[REDACTED]');
    expect(redactUrl('/apps/1/events?auth_key=k&auth_signature=deadbeef')).toBe('/apps/1/events?auth_key=k&auth_signature=[REDACTED]');
    expect(redactUrl('/api/rooms?limit=5')).toBe('/api/rooms?limit=5');
  });
});
