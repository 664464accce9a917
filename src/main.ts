import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const { app, close } = await createApp(config);
  const logger = new Logger('Relaybase');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received, shutting down`);
      close().then(
        () => process.exit(0),
        (e) => {
          logger.error(e);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(config.port, config.host);
  const mode = config.database.url ? 'full' : 'embedded';
  logger.log(`Relaybase (${mode} mode) listening on http://${config.host}:${config.port} — Swagger UI at /docs`);
}

bootstrap().catch((e) => {
  console.error(e);
  process.exit(1);
});
