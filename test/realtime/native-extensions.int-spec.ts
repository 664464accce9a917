import { validationError } from '../../src/common/domain-error';
import { NativeMessageRegistry } from '../../src/realtime/ws/native/native-message.registry';
import { startTestApp, TestApp } from '../support/test-app';
import { connectEndUser, createRealtimeTenant } from './support/realtime-fixtures';

/** Feature modules add native message types through the registry; the session dispatches to them. */
describe('native protocol extension point', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: undefined });
    const registry = t.app.get(NativeMessageRegistry);
    registry.register('test-echo', ({ conn, message, reply }) => {
      if (message.payload === undefined) throw validationError('Payload required');
      reply(JSON.stringify({ type: 'test-echoed', payload: message.payload, socketId: conn.id }));
    });
  });
  afterAll(() => t.close());

  it('routes a registered type to its handler, answers its errors as error frames, and keeps the connection', async () => {
    const { tenant } = await createRealtimeTenant(t.http);
    const client = await connectEndUser(t.baseUrl, tenant, 'u1');
    const echoed = await client.request({ type: 'test-echo', payload: { n: 1 } }, 'test-echoed');
    expect(echoed).toMatchObject({ type: 'test-echoed', payload: { n: 1 }, socketId: expect.stringMatching(/^\d+\.\d+$/) });
    const error = await client.request({ type: 'test-echo' }, 'error');
    expect(error).toEqual({ type: 'error', code: 'invalid_request', message: 'Payload required' });
    expect(await client.request({ type: 'no-such-type' }, 'error')).toMatchObject({ code: 'invalid_request', message: 'Unknown message type' });
    expect((await client.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    client.ws.close();
  });

  it('refuses to register one type twice', () => {
    expect(() => t.app.get(NativeMessageRegistry).register('test-echo', () => undefined)).toThrow(/already registered/);
  });
});
