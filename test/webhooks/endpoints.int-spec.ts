import { WebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher';
import { createAccount, createApiKey, createTenant, TestAccount, TestTenant } from '../factories/account.factory';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { Receiver } from './support/receiver';
import { createEndpoint, isolatedPrefix, listDeliveries } from './support/webhook-fixtures';

/** A public address given as an IP literal, so validation needs no DNS; nothing is ever sent to it here. */
const PUBLIC_URL = 'https://1.1.1.1/hooks/relaybase';

describe('webhook endpoints (private destinations refused, the default)', () => {
  let t: TestApp;
  let account: TestAccount;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await startTestApp({ REDIS_KEY_PREFIX: isolatedPrefix('wh-endpoints') });
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    account = await createAccount(t.http);
    tenant = await createTenant(t.http, account);
  });

  const base = () => `/api/tenants/${tenant.id}/webhooks`;

  it('creates, lists, gets, changes and deletes endpoints', async () => {
    const created = await t.http.post(base(), { url: PUBLIC_URL, events: ['channel_occupied', 'channel_vacated'] }, { token: account.token });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      data: {
        id: expect.any(String),
        tenantId: tenant.id,
        url: PUBLIC_URL,
        events: ['channel_occupied', 'channel_vacated'],
        channelPrefix: null,
        format: 'pusher',
        headers: {},
        active: true,
        batch: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    const id = created.body.data.id;
    const second = await createEndpoint(t.http, account, tenant.id, {
      url: 'http://8.8.8.8:8080/x',
      events: ['member_added'],
      format: 'native',
      channelPrefix: 'presence-',
      headers: { 'X-Secret': 's3' },
      batch: true,
    });
    expect(second).toMatchObject({ format: 'native', channelPrefix: 'presence-', headers: { 'X-Secret': 's3' }, batch: true });

    const list = await t.http.get(base(), { token: account.token });
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([id, second.id]);

    const patched = await t.http.patch(`${base()}/${id}`, { active: false, channelPrefix: 'room-', events: ['client_event'] }, { token: account.token });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ active: false, channelPrefix: 'room-', events: ['client_event'], url: PUBLIC_URL });
    const cleared = await t.http.patch(`${base()}/${id}`, { channelPrefix: null }, { token: account.token });
    expect(cleared.body.data.channelPrefix).toBeNull();
    expect((await t.http.get(`${base()}/${id}`, { token: account.token })).body.data.active).toBe(false);

    expect((await t.http.delete(`${base()}/${id}`, { token: account.token })).status).toBe(200);
    expect((await t.http.get(`${base()}/${id}`, { token: account.token })).status).toBe(404);
    expect((await t.http.get(base(), { token: account.token })).body.data).toHaveLength(1);
  });

  it.each([
    ['loopback IPv4', 'http://127.0.0.1:9000/hook'],
    ['loopback name', 'http://localhost:9000/hook'],
    ['loopback IPv6', 'http://[::1]:9000/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['private 10/8', 'http://10.0.0.5/hook'],
    ['private 172.16/12', 'https://172.20.1.1/hook'],
    ['private 192.168/16', 'http://192.168.1.10/hook'],
    ['link-local (cloud metadata)', 'http://169.254.169.254/latest/meta-data'],
    ['IPv6 link-local', 'http://[fe80::1]/hook'],
    ['IPv6 unique local', 'http://[fd00::1]/hook'],
    ['unspecified', 'http://0.0.0.0:9000/hook'],
  ])('refuses a %s destination', async (_label, url) => {
    const res = await t.http.post(base(), { url, events: ['channel_occupied'] }, { token: account.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.message).toMatch(/private, loopback or link-local/);
  });

  it.each([
    ['ftp scheme', 'ftp://1.1.1.1/hook', /http or https/],
    ['file scheme', 'file:///etc/passwd', /http or https/],
    ['javascript scheme', 'javascript:alert(1)', /http or https/],
    ['relative URL', '/hooks', /absolute URL/],
    ['credentials in the URL', 'https://user:pw@1.1.1.1/hook', /credentials/],
    ['unresolvable host', 'https://no-such-host.invalid/hook', /does not resolve/],
  ])('refuses a URL with %s', async (_label, url, message) => {
    const res = await t.http.post(base(), { url, events: ['channel_occupied'] }, { token: account.token });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses a private URL on update too, and leaves the endpoint unchanged', async () => {
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: PUBLIC_URL, events: ['channel_occupied'] });
    const res = await t.http.patch(`${base()}/${endpoint.id}`, { url: 'http://127.0.0.1/x' }, { token: account.token });
    expect(res.status).toBe(400);
    expect((await t.http.get(`${base()}/${endpoint.id}`, { token: account.token })).body.data.url).toBe(PUBLIC_URL);
  });

  it('validates events, format and headers', async () => {
    const bad = async (body: Record<string, unknown>) => (await t.http.post(base(), { url: PUBLIC_URL, events: ['channel_occupied'], ...body }, { token: account.token })).status;
    expect(await bad({ events: [] })).toBe(400);
    expect(await bad({ events: ['channel_exploded'] })).toBe(400);
    expect(await bad({ events: ['channel_occupied', 'channel_occupied'] })).toBe(400);
    expect(await bad({ format: 'xml' })).toBe(400);
    expect(await bad({ headers: { 'X-Pusher-Signature': 'forged' } })).toBe(400);
    expect(await bad({ headers: { 'Content-Type': 'text/plain' } })).toBe(400);
    expect(await bad({ headers: { 'Bad Header': 'x' } })).toBe(400);
    expect(await bad({ headers: { 'X-Ok': 'line\r\nInjected: 1' } })).toBe(400);
    expect(await bad({ headers: { 'X-Num': 5 } })).toBe(400);
    expect(await bad({ unknownField: true })).toBe(400);
    expect((await t.http.get(base(), { token: account.token })).body.data).toEqual([]);
  });

  it('lets API keys with webhooks:manage in: bound to the tenant, or unbound of the owning account; not others', async () => {
    const bound = await createApiKey(t.http, account, { scopes: ['webhooks:manage'], tenantId: tenant.id });
    const unbound = await createApiKey(t.http, account, { scopes: ['webhooks:manage'] });
    const master = await createApiKey(t.http, account, { scopes: ['*'], tenantId: tenant.id });
    const wrongScope = await createApiKey(t.http, account, { scopes: ['channels:read'], tenantId: tenant.id });
    const otherTenant = await createTenant(t.http, account);
    const boundElsewhere = await createApiKey(t.http, account, { scopes: ['webhooks:manage'], tenantId: otherTenant.id });

    for (const k of [bound, unbound, master]) {
      expect((await t.http.post(base(), { url: PUBLIC_URL, events: ['cache_miss'] }, { apiKey: k.key })).status).toBe(201);
    }
    expect((await t.http.get(base(), { apiKey: bound.key })).body.data).toHaveLength(3);
    expect((await t.http.get(base(), { apiKey: wrongScope.key })).status).toBe(403);
    expect((await t.http.get(base(), { apiKey: boundElsewhere.key })).status).toBe(404);
    expect((await t.http.get(base())).status).toBe(401);
  });

  it('another account cannot see, change, test, or read the deliveries of your endpoints (404)', async () => {
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: PUBLIC_URL, events: ['channel_occupied'] });
    const intruder = await createAccount(t.http, 'intruder');
    const intruderTenant = await createTenant(t.http, intruder);
    const intruderKey = await createApiKey(t.http, intruder, { scopes: ['*'] });
    const intruderBoundKey = await createApiKey(t.http, intruder, { scopes: ['*'], tenantId: intruderTenant.id });
    const paths = [
      ['GET', base()],
      ['GET', `${base()}/${endpoint.id}`],
      ['PATCH', `${base()}/${endpoint.id}`],
      ['DELETE', `${base()}/${endpoint.id}`],
      ['POST', `${base()}/${endpoint.id}/test`],
      ['GET', `${base()}/${endpoint.id}/deliveries`],
      ['POST', base()],
      // The intruder's own tenant id with your endpoint id: still not found.
      ['GET', `/api/tenants/${intruderTenant.id}/webhooks/${endpoint.id}`],
      ['PATCH', `/api/tenants/${intruderTenant.id}/webhooks/${endpoint.id}`],
      ['GET', `/api/tenants/${intruderTenant.id}/webhooks/${endpoint.id}/deliveries`],
    ];
    for (const cred of [{ token: intruder.token }, { apiKey: intruderKey.key }, { apiKey: intruderBoundKey.key }]) {
      for (const [method, path] of paths) {
        const body = method === 'PATCH' ? { active: false } : method === 'POST' && path === base() ? { url: PUBLIC_URL, events: ['cache_miss'] } : undefined;
        const res = await t.http.request(method, path, { ...cred, body });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      }
    }
    const mine = await t.http.get(`${base()}/${endpoint.id}`, { token: account.token });
    expect(mine.body.data).toMatchObject({ active: true, url: PUBLIC_URL });
    expect((await t.http.get(base(), { token: account.token })).body.data).toHaveLength(1);
  });

  it('malformed ids are simply not found', async () => {
    expect((await t.http.get('/api/tenants/not-a-uuid/webhooks', { token: account.token })).status).toBe(404);
    expect((await t.http.get(`${base()}/not-a-uuid`, { token: account.token })).status).toBe(404);
    expect((await t.http.post(`${base()}/00000000-0000-4000-8000-000000000000/deliveries/x/redeliver`, undefined, { token: account.token })).status).toBe(404);
  });
});

describe('webhook deliveries across accounts', () => {
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', REDIS_KEY_PREFIX: isolatedPrefix('wh-isolation') });
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("another account cannot list, read or redeliver your deliveries, and events of one tenant never reach another's endpoints", async () => {
    const owner = await createAccount(t.http, 'owner');
    const tenant = await createTenant(t.http, owner);
    const endpoint = await createEndpoint(t.http, owner, tenant.id, { url: receiver.url('/owner'), events: ['channel_occupied'] });
    const intruder = await createAccount(t.http, 'intruder');
    const intruderTenant = await createTenant(t.http, intruder);
    await createEndpoint(t.http, intruder, intruderTenant.id, { url: receiver.url('/intruder'), events: ['channel_occupied'] });

    await t.app.get(WebhookDispatcher).emit(tenant.id, { name: 'channel_occupied', channel: 'secret-room' });
    await waitFor(async () => (await listDeliveries(t.http, owner, tenant.id, endpoint.id, '?status=succeeded')).length === 1);
    const [delivery] = await listDeliveries(t.http, owner, tenant.id, endpoint.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.map((r) => r.path)).toEqual(['/owner']);

    const base = `/api/tenants/${tenant.id}/webhooks/${endpoint.id}/deliveries`;
    for (const [method, path] of [
      ['GET', base],
      ['GET', `${base}/${delivery.id}`],
      ['POST', `${base}/${delivery.id}/redeliver`],
    ]) {
      expect((await t.http.request(method, path, { token: intruder.token })).status).toBe(404);
    }
    expect((await t.http.get(`${base}/${delivery.id}`, { token: owner.token })).body.data.id).toBe(delivery.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(1);
  });
});
