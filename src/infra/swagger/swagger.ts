import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Relaybase')
    .setDescription(
      [
        'Self-hosted realtime backend: WebSocket channels with presence, chat, webhooks, feeds and LLM analysis.',
        '',
        'To try it: `POST /api/auth/register` (or `/api/auth/login`), copy `token`, press **Authorize** and paste it',
        'under `account-jwt`. Create a tenant and an API key; API keys go under `api-key` (or also as a Bearer token).',
        '',
        '`/api` answers `{ "success": true, "data": ... }` or `{ "success": false, "data": null, "error": { "code", "message" } }`.',
      ].join('\n'),
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Account JWT from /api/auth/login' }, 'account-jwt')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key (rb_live_...) from /api/auth/api-keys' }, 'api-key')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'query',
        name: 'auth_signature',
        description:
          'Pusher HTTP API: sign with the tenant secret (auth_key, auth_timestamp, auth_version=1.0, body_md5, auth_signature; see the README), ' +
          'or send Authorization: Bearer <API key bound to the tenant>',
      },
      'pusher-signature',
    )
    .build();
  // Controller method names are unique across the app, so they serve as operation ids.
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
}

/**
 * Swagger UI at /docs and the OpenAPI JSON at /docs-json. The document is built on the first request
 * for it, not at start: scanning every controller takes most of a second of a cold start.
 */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
