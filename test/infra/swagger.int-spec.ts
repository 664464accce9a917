import { startTestApp, TestApp } from '../support/test-app';

describe('Swagger UI and OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves Swagger UI at /docs', async () => {
    const res = await fetch(`${t.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger-ui');
  });

  it('documents every endpoint with its security, bodies and responses', async () => {
    const { body: doc } = await t.http.get('/docs-json');
    expect(doc.components.securitySchemes).toMatchObject({
      'account-jwt': { type: 'http', scheme: 'bearer' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    const expected = [
      'post /api/auth/register', 'post /api/auth/login', 'get /api/auth/me',
      'post /api/auth/api-keys', 'get /api/auth/api-keys', 'delete /api/auth/api-keys/{id}',
      'post /api/tenants', 'get /api/tenants', 'get /api/tenants/{id}', 'patch /api/tenants/{id}',
      'post /api/tenants/{id}/rotate-secret', 'delete /api/tenants/{id}', 'get /health', 'get /health/ready',
    ];
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ key: `${method} ${path}`, op })),
    );
    expect(operations.map((o) => o.key)).toEqual(expect.arrayContaining(expected));
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const open = new Set(['post /api/auth/register', 'post /api/auth/login']);
    for (const { key, op } of operations.filter((o) => o.key.includes(' /api/'))) {
      expect(op.summary).toEqual(expect.any(String));
      expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
      if (!open.has(key)) expect(op.security?.length ?? 0).toBeGreaterThan(0);
    }
    const register = doc.paths['/api/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema.$ref).toMatch(/RegisterDto/);
    expect(doc.components.schemas.ApiKeyCreateDto.properties.scopes.items.enum).toContain('websocket:subscribe');
  });
});
