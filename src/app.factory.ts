import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { DatabaseEndpoint } from './infra/database/database-endpoint';
import { createValidationPipe } from './infra/http/validation.pipe';
import { setupSwagger } from './infra/swagger/swagger';

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
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await database.close();
    })());
  return { app, database, close };
}
