import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { getBodyParserOptions } from '@nestjs/platform-express/adapters/utils/get-body-parser-options.util';
import { json } from 'express';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { DatabaseEndpoint } from './infra/database/database-endpoint';
import { createValidationPipe } from './infra/http/validation.pipe';
import { setupSwagger } from './infra/swagger/swagger';
import { CredentialService } from './modules/auth/credential.service';
import { PusherRestService } from './modules/pusher/pusher-rest.service';
import { PusherTriggerLeanRoute } from './modules/pusher/pusher-trigger.lean-route';
import { TenantContextService } from './realtime/tenants/tenant-context.service';

export interface RelaybaseApp {
  app: NestExpressApplication;
  database: DatabaseEndpoint;
  /** Closes the app, then the database it was using. */
  close(): Promise<void>;
}

/** Builds the whole application for a configuration: the server, the CLI-less tests and benchmarks all use this. */
export async function createApp(config: AppConfig): Promise<RelaybaseApp> {
  const database = await DatabaseEndpoint.open(config);
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, database), {
      bufferLogs: true,
      bodyParser: false,
      // Pusher request signing covers the body's MD5: the raw bytes must be kept.
      rawBody: true,
      abortOnError: false,
    });
  } catch (e) {
    await database.close();
    throw e;
  }
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  app.enableCors({ origin: config.corsOrigin === '*' ? true : config.corsOrigin.split(',').map((o) => o.trim()) });
  app.useGlobalPipes(createValidationPipe());
  if (config.swagger.enabled) setupSwagger(app);
  installPusherTriggerRoute(app, config);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await database.close();
    })());
  return { app, database, close };
}

/**
 * Puts the lean Pusher trigger route (PusherTriggerLeanRoute) in front of express on the HTTP
 * server: it takes `POST /apps/:appId/events` and `/batch_events` and hands every other request to
 * the express application, which stays the server's only other 'request' listener.
 */
function installPusherTriggerRoute(app: NestExpressApplication, config: AppConfig): void {
  const adapter = app.getHttpAdapter() as unknown as ExpressAdapter;
  const expressApp = adapter.getInstance();
  const route = new PusherTriggerLeanRoute({
    contexts: app.get(TenantContextService),
    credentials: app.get(CredentialService),
    pusher: app.get(PusherRestService),
    bodyLimitBytes: config.bodyLimitBytes,
    // The parser app.useBodyParser('json', ...) above installs, with the raw body kept (rawBody: true).
    jsonParser: json(getBodyParserOptions('json', true, { limit: config.bodyLimitBytes })) as never,
    mapBodyError: (err) => adapter.mapException(err),
    etag: expressApp.get('etag fn'),
    logger: () => PinoLogger.root,
  });
  const server: Server = app.getHttpServer();
  const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (route.handle(req, res)) return;
    for (const listener of others) listener.call(server, req, res);
  });
}
