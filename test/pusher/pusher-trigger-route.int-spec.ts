import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { wsUrl } from '../realtime/support/realtime-fixtures';
import { TestWsClient } from '../realtime/support/ws-client';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { client, createPusherApp, portOf, PusherApp, silence, subscribed } from './support/pusher-fixtures';
import { pipelined, rawRequest, RawRequest, RawResponse, signedPath } from './support/raw-http';

/**
 * `POST /apps/:appId/events` and `/batch_events` are served by a lean route ahead of express
 * (src/modules/pusher/pusher-trigger.lean-route.ts). The SDK suite proves the common case; these
 * cover what the lean route handles itself: framing (Content-Length, chunked), unreadable bodies,
 * refusals, the rate limit and admission control, and what it leaves to express (other methods,
 * CORS). Where both paths can serve a request, the answers are compared: a request whose
 * Content-Type is spelt `application/json;charset=utf-8` (no space) is left to the Nest route.
 */
const JSON_TYPE = { 'content-type': 'application/json' };
/** The same media type, spelt so that the lean route leaves the request to express and the Nest controller. */
const VIA_NEST = { 'content-type': 'application/json;charset=utf-8' };
const OVERLOADED = 'Server overloaded: publish refused, retry later';
const GOOD = JSON.stringify({ name: 'e', data: '{"n":1}', channels: ['lean'] });

/** Status, body and the headers that do not vary from request to request. */
/** The same request with the signature's first hex digit changed (always changed: a digit that is already 0 becomes 1). */
function withWrongSignature(target: string): string {
  return target.replace(/auth_signature=(.)/, (_, digit: string) => `auth_signature=${digit === '0' ? '1' : '0'}`);
}

function comparable(r: RawResponse) {
  const { date: _d, 'x-request-id': rid, 'x-ratelimit-remaining': remaining, connection: _c, 'keep-alive': _k, ...headers } = r.headers;
  return { status: r.status, text: r.text, headers, hasRequestId: typeof rid === 'string', hasRemaining: typeof remaining === 'string' };
}

describe('Pusher trigger route (lean path ahead of express)', () => {
  let t: TestApp;
  let app: PusherApp;
  const send = (r: RawRequest) => rawRequest(portOf(t), r);
  const path = (route: string, body: string | undefined, p = app, method = 'POST') =>
    signedPath(`/apps/${p.tenant.appId}/${route}`, body, p.tenant.key, p.tenant.secret, method);

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
    app = await createPusherApp(t);
  });
  afterAll(() => t.close());

  it("answers a trigger after writing its deliveries to this instance's subscribers", async () => {
    const sub = new TestWsClient(new WebSocket(wsUrl(t.baseUrl, `/app/${app.tenant.key}?protocol=7`)));
    const upgraded = new Promise<net.Socket>((resolve) => sub.ws.once('upgrade', (res) => resolve(res.socket as net.Socket)));
    await sub.opened;
    const subscriberSocket = await upgraded;
    const http = net.connect(portOf(t), '127.0.0.1');
    try {
      await new Promise((resolve, reject) => http.once('connect', resolve).once('error', reject));
      await sub.next((f) => f.event === 'pusher:connection_established');
      sub.send({ event: 'pusher:subscribe', data: { channel: 'lean-order' } });
      await sub.next((f) => f.event === 'pusher_internal:subscription_succeeded');
      // Which socket the server wrote to first: the order in which this process sees their bytes.
      const order: string[] = [];
      subscriberSocket.on('data', () => order.push('delivery'));
      http.on('data', () => order.push('answer'));
      // Events and batches, on the lean route and on the Nest route, twice each.
      const cases = [JSON_TYPE, VIA_NEST, JSON_TYPE, VIA_NEST].flatMap((headers) => [
        { headers, route: 'events', event: (n: number) => ({ name: 'e', data: JSON.stringify({ n }), channel: 'lean-order' }) },
        { headers, route: 'batch_events', event: (n: number) => ({ batch: [{ name: 'e', data: JSON.stringify({ n }), channel: 'lean-order' }] }) },
      ]);
      for (const [n, { headers, route, event }] of cases.entries()) {
        order.length = 0;
        const body = JSON.stringify(event(n));
        const head = Object.entries({ host: '127.0.0.1', ...headers, 'content-length': String(Buffer.byteLength(body)) }).map(([k, v]) => `${k}: ${v}\r\n`);
        http.write(`POST ${path(route, body)} HTTP/1.1\r\n${head.join('')}\r\n${body}`);
        await waitFor(async () => order.includes('answer') && order.includes('delivery'), 5_000);
        expect({ n, route, order: order.slice(0, 2) }).toEqual({ n, route, order: ['delivery', 'answer'] });
        expect(JSON.parse((await sub.next((f) => f.event === 'e')).data)).toEqual({ n });
      }
    } finally {
      http.destroy();
      sub.ws.close();
    }
  });

  it('delivers a signed trigger with a Content-Length body, and a chunked one, answering {} with the Nest headers', async () => {
    const c = client(t, app.tenant);
    const channel = await subscribed(c, 'lean');
    const got: unknown[] = [];
    channel.bind('e', (d: unknown) => got.push(d));
    const plain = await send({ path: path('events', GOOD), headers: { ...JSON_TYPE, 'x-request-id': 'lean-req-1' }, body: GOOD });
    expect(plain.status).toBe(200);
    expect(plain.text).toBe('{}');
    expect(plain.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': 'lean-req-1',
      vary: 'Origin',
      'x-ratelimit-limit': '1000',
      etag: 'W/"2-vyGp6PvFo4RvsFtPoIWeCReyIC8"',
    });
    const chunked = await send({ path: path('events', GOOD), headers: JSON_TYPE, chunks: [GOOD.slice(0, 7), GOOD.slice(7, 20), GOOD.slice(20)] });
    expect(chunked.status).toBe(200);
    expect(chunked.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([{ n: 1 }, { n: 1 }]);
    c.disconnect();
  });

  it('delivers a batch, including one sent chunked', async () => {
    const c = client(t, app.tenant);
    const channel = await subscribed(c, 'lean-batch');
    const got: unknown[] = [];
    channel.bind('b', (d: unknown) => got.push(d));
    const body = JSON.stringify({ batch: [1, 2].map((n) => ({ channel: 'lean-batch', name: 'b', data: JSON.stringify({ n }) })) });
    expect((await send({ path: path('batch_events', body), headers: JSON_TYPE, body })).status).toBe(200);
    expect((await send({ path: path('batch_events', body), headers: JSON_TYPE, chunks: [body.slice(0, 10), body.slice(10)] })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([{ n: 1 }, { n: 2 }, { n: 1 }, { n: 2 }]);
    c.disconnect();
  });

  it('answers refusals in the Pusher shape: bad signature or body_md5 401, unknown app 404, disabled app 403, validation 400', async () => {
    const c = client(t, app.tenant);
    const channel = await subscribed(c, 'lean');
    const nothing = silence(channel, 'e', 500);
    const badSig = await send({ path: withWrongSignature(path('events', GOOD)), headers: JSON_TYPE, body: GOOD });
    expect(badSig.status).toBe(401);
    expect(badSig.json).toEqual({ error: 'Invalid signature: you should have sent HmacSHA256Hex(string_to_sign, secret)', code: 401 });
    expect(badSig.headers['x-request-id']).toBeDefined();
    const tampered = await send({ path: path('events', GOOD), headers: JSON_TYPE, body: GOOD.replace('"e"', '"f"') });
    expect(tampered.json).toEqual({ error: 'body_md5 does not match the request body', code: 401 });
    const unsigned = await send({ path: `/apps/${app.tenant.appId}/events`, headers: JSON_TYPE, body: GOOD });
    expect(unsigned.json).toEqual({ error: 'Missing auth_key, auth_timestamp or auth_signature', code: 401 });
    expect(await nothing).toBe(true);
    c.disconnect();

    const unknown = await send({ path: signedPath('/apps/999999999/events', GOOD, app.tenant.key, app.tenant.secret), headers: JSON_TYPE, body: GOOD });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: 'Unknown app: 999999999', code: 404 });
    const disabled = await createPusherApp(t, { enabled: false });
    expect((await send({ path: path('events', GOOD, disabled), headers: JSON_TYPE, body: GOOD })).json).toEqual({ error: 'App is disabled', code: 403 });
    const noChannels = JSON.stringify({ name: 'e', data: '{}' });
    expect((await send({ path: path('events', noChannels), headers: JSON_TYPE, body: noChannels })).json).toEqual({ error: 'Missing channels or channel', code: 400 });
    expect((await send({ path: path('events', GOOD) + '&x=1&x=2', headers: JSON_TYPE, body: GOOD })).json).toEqual({ error: 'Query parameter x given twice', code: 400 });
  });

  it('answers unreadable bodies as the body parser does: malformed JSON 400, over BODY_LIMIT_BYTES 413 (sized or chunked), other charsets 415', async () => {
    const envelope = (code: string, message: string) => ({ success: false, data: null, error: { code, message } });
    const bad = '{"name": "e", ';
    const malformed = await send({ path: path('events', bad), headers: JSON_TYPE, body: bad });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual(envelope('VALIDATION_ERROR', 'Expected double-quoted property name in JSON at position 14'));
    // Refused before the request id is assigned, as express's body parser runs first.
    expect(malformed.headers['x-request-id']).toBeUndefined();
    expect((await send({ path: path('events', '"x"'), headers: JSON_TYPE, body: '"x"' })).json).toEqual(
      envelope('VALIDATION_ERROR', 'Unexpected token \'"\', ""x"" is not valid JSON'),
    );
    const big = JSON.stringify({ name: 'e', data: 'x'.repeat(3000), channels: ['a'] });
    const tooLarge = envelope('PAYLOAD_TOO_LARGE', 'request entity too large');
    const sized = await send({ path: path('events', big), headers: JSON_TYPE, body: big });
    expect([sized.status, sized.json]).toEqual([413, tooLarge]);
    const chunked = await send({ path: path('events', big), headers: JSON_TYPE, chunks: [big.slice(0, 1500), big.slice(1500)] });
    expect([chunked.status, chunked.json]).toEqual([413, tooLarge]);
    const latin1 = await send({ path: path('events', GOOD), headers: { 'content-type': 'application/json; charset=latin1' }, body: GOOD });
    expect([latin1.status, latin1.json]).toEqual([415, envelope('VALIDATION_ERROR', 'unsupported charset "LATIN1"')]);
    // An empty body, no body at all, and a JSON array are parsed (to {} / nothing / []) and then refused by validation.
    for (const r of [{ body: '' }, {}, { body: '[1]' }] as Array<{ body?: string }>) {
      const res = await send({ path: path('events', r.body), headers: JSON_TYPE, ...r });
      expect([res.status, res.json]).toEqual([400, { error: 'Missing channels or channel', code: 400 }]);
    }
    // A UTF-8 byte-order mark is accepted, as the body parser strips it.
    expect((await send({ path: path('events', '\uFEFF' + GOOD), headers: JSON_TYPE, body: '\uFEFF' + GOOD })).status).toBe(200);
  });

  it('answers exactly as the Nest route for the same requests', async () => {
    const big = JSON.stringify({ name: 'e', data: 'x'.repeat(3000), channels: ['a'] });
    const cases: Array<[string, string | undefined, string[] | undefined]> = [
      ['events', GOOD, undefined],
      ['events', JSON.stringify({ name: 'e', data: '{}', channels: ['a', 'presence-b'], info: 'subscription_count,user_count' }), undefined],
      ['batch_events', JSON.stringify({ batch: [{ name: 'e', data: '{}', channel: 'a' }] }), undefined],
      ['batch_events', JSON.stringify({ batch: [{ name: 'e', data: '{}', channels: ['a', 'b'] }] }), undefined],
      ['events', JSON.stringify({ name: 'pusher:x', data: '{}', channel: 'a' }), undefined],
      ['events', '{"name": ', undefined],
      ['events', big, undefined],
      ['events', undefined, [GOOD.slice(0, 9), GOOD.slice(9)]],
    ];
    for (const [route, body, chunks] of cases) {
      const signed = path(route, body ?? chunks?.join(''));
      let lean: RawResponse;
      let nest: RawResponse;
      // Admission control may refuse either one when this (shared, busy) process stalls: ask again.
      for (let attempt = 0; ; attempt++) {
        lean = await send({ path: signed, headers: JSON_TYPE, body, chunks });
        nest = await send({ path: signed, headers: VIA_NEST, body, chunks });
        if (attempt === 2 || ![lean, nest].some((r) => r.json?.error === OVERLOADED)) break;
      }
      expect(comparable(lean)).toEqual(comparable(nest));
    }
    const badSig = withWrongSignature(path('events', GOOD));
    expect(comparable(await send({ path: badSig, headers: JSON_TYPE, body: GOOD }))).toEqual(comparable(await send({ path: badSig, headers: VIA_NEST, body: GOOD })));
  });

  it('leaves other methods, other spellings of the path and CORS requests to express', async () => {
    const get = await send({ method: 'GET', path: path('events', undefined, app, 'GET') });
    expect(get.status).toBe(404);
    expect(get.json.error).toEqual({ code: 'NOT_FOUND', message: expect.stringMatching(/^Cannot GET \/apps\/\d+\/events\?/) });
    const put = await send({ method: 'PUT', path: path('events', GOOD, app, 'PUT'), headers: JSON_TYPE, body: GOOD });
    expect(put.status).toBe(404);
    const preflight = await send({ method: 'OPTIONS', path: `/apps/${app.tenant.appId}/events`, headers: { origin: 'http://browser.test', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://browser.test');
    const withOrigin = await send({ path: path('events', GOOD), headers: { ...JSON_TYPE, origin: 'http://browser.test' }, body: GOOD });
    expect(withOrigin.status).toBe(200);
    expect(withOrigin.headers['access-control-allow-origin']).toBe('http://browser.test');
    // Signed for /events but sent to /events/: express routes it, the signature covers the path.
    const trailing = await send({ path: path('events', GOOD).replace('/events?', '/events/?'), headers: JSON_TYPE, body: GOOD });
    expect(trailing.json).toEqual({ error: 'Invalid signature: you should have sent HmacSHA256Hex(string_to_sign, secret)', code: 401 });
  });

  it('accepts the master key as a Bearer token and refuses a bad one', async () => {
    const bearer = (key: string) => send({ path: `/apps/${app.tenant.appId}/events`, headers: { ...JSON_TYPE, authorization: `Bearer ${key}` }, body: GOOD });
    expect((await bearer(app.masterKey)).status).toBe(200);
    expect((await bearer('nope')).json).toEqual({ error: 'Invalid token', code: 401 });
  });

  it('admission control: a saturated event loop that has been publishing a backlog for over 50 ms answers 429 with Retry-After, spending no rate-limit point', async () => {
    const c = client(t, app.tenant);
    const channel = await subscribed(c, 'lean-busy');
    const got: unknown[] = [];
    channel.bind('e', (d: unknown) => got.push(d));
    const event = (n: number) => JSON.stringify({ name: 'e', data: JSON.stringify({ n }), channel: 'lean-busy' });
    // Warm the tenant cache, so that nothing between the busy handlers and the admission checks waits on I/O.
    expect((await send({ path: path('events', event(0)), headers: JSON_TYPE, body: event(0) })).status).toBe(200);
    // Another handler on the same server spends 20 ms of CPU per request: publishes pipelined on one
    // connection are parsed in one turn, which then lasts 20 ms per publish.
    const server = t.app.getHttpServer();
    const busy = (req: IncomingMessage) => {
      if (req.headers['x-test-busy'] !== undefined) spinCpu(20);
    };
    const pipeline = (headers: Record<string, string>, body: string, n: number, route = 'events') =>
      pipelined(portOf(t), Array.from({ length: n }, () => ({ path: path(route, body), headers: { ...headers, 'x-test-busy': '1' }, body })));
    const statuses = (answers: RawResponse[]) => answers.map((a) => a.status);
    server.prependListener('request', busy);
    try {
      // Not saturated: a long turn refuses nothing (a large fan-out is not a queue).
      expect(statuses(await pipeline(JSON_TYPE, event(1), 6))).toEqual([200, 200, 200, 200, 200, 200]);
      // Saturated, but only three publishes in the turn: nothing refused either.
      expect(statuses(await whileSaturated(() => pipeline(JSON_TYPE, event(2), 3)))).toEqual([200, 200, 200]);
      // Saturated, six publishes in a 120 ms turn: four admitted, the rest refused, on either path.
      for (const [headers, n] of [[JSON_TYPE, 3], [VIA_NEST, 4]] as const) {
        const answers = await whileSaturated(() => pipeline(headers, event(n), 6));
        expect(statuses(answers)).toEqual([200, 200, 200, 200, 429, 429]);
        expect(answers[4].json).toEqual({ error: 'Server overloaded: publish refused, retry later', code: 429 });
        expect(answers[4].headers['retry-after']).toBe('1');
        expect(answers[4].headers['x-ratelimit-remaining']).toBeUndefined();
        expect(answers[3].headers['x-ratelimit-remaining']).toBeDefined();
      }
      const batch = JSON.stringify({ batch: [{ name: 'e', data: '{"n":9}', channel: 'lean-busy' }] });
      expect(statuses(await whileSaturated(() => pipeline(JSON_TYPE, batch, 5, 'batch_events')))).toEqual([200, 200, 200, 200, 429]);
      await new Promise((r) => setTimeout(r, 300));
      const counts = new Map<number, number>();
      for (const d of got as Array<{ n: number }>) counts.set(d.n, (counts.get(d.n) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual({ 0: 1, 1: 6, 2: 3, 3: 4, 4: 4, 9: 4 });
    } finally {
      server.removeListener('request', busy);
      c.disconnect();
    }
  });
});

/** Spends `ms` of this process's CPU time (not wall-clock time: the machine may be busy). */
function spinCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

/**
 * Runs `action` while this process's event loop is saturated: 20 ms busy turns back to back (timers
 * and I/O still run between them), for a second before `action` starts and until it settles.
 */
async function whileSaturated<T>(action: () => Promise<T>): Promise<T> {
  let done = false;
  const spin = () => {
    if (done) return;
    const until = performance.now() + 20;
    while (performance.now() < until);
    setImmediate(spin);
  };
  spin();
  try {
    await new Promise((r) => setTimeout(r, 1000));
    return await action();
  } finally {
    done = true;
  }
}

describe('Pusher trigger route: the tenant rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_TRIGGER_PER_SECOND: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After and the rate-limit headers past the burst, per tenant', async () => {
    const busy = await createPusherApp(t);
    const calm = await createPusherApp(t);
    const trigger = (p: PusherApp) =>
      rawRequest(portOf(t), { path: signedPath(`/apps/${p.tenant.appId}/events`, GOOD, p.tenant.key, p.tenant.secret), headers: JSON_TYPE, body: GOOD });
    // Within one second-window (the limiter counts fixed seconds): wait for the start of one.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const answers = await Promise.all(Array.from({ length: 6 }, () => trigger(busy)));
    const refused = answers.filter((r) => r.status === 429);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(3);
    expect(refused).toHaveLength(3);
    expect(refused[0].json).toEqual({ error: 'Rate limit exceeded', code: 429 });
    expect(refused[0].headers).toMatchObject({ 'retry-after': '1', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0' });
    expect((await trigger(calm)).status).toBe(200);
  });
});
