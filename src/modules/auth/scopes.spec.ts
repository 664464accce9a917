import { hasScope, isScope } from './scopes';

describe('scopes', () => {
  it('* grants everything', () => {
    expect(hasScope(['*'], 'events:trigger')).toBe(true);
    expect(hasScope(['*'], 'websocket:llm')).toBe(true);
  });

  it('websocket:* grants websocket scopes only', () => {
    expect(hasScope(['websocket:*'], 'websocket:topic')).toBe(true);
    expect(hasScope(['websocket:*'], 'chat:read')).toBe(false);
  });

  it('a specific scope grants only itself', () => {
    expect(hasScope(['websocket:subscribe'], 'websocket:subscribe')).toBe(true);
    expect(hasScope(['websocket:subscribe'], 'websocket:llm')).toBe(false);
    expect(hasScope([], 'channels:read')).toBe(false);
  });

  it('knows the documented scopes', () => {
    expect(isScope('webhooks:manage')).toBe(true);
    expect(isScope('admin')).toBe(false);
  });
});
