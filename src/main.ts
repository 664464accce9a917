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
      // Whatever is still pending after 10 s (a hung connection, a stuck job) does not hold the exit.
      setTimeout(() => {
        logger.error('Shutdown took longer than 10 s; exiting anyway');
        process.exit(1);
      }, 10_000).unref();
      close().then(
        () => process.exit(0),
        (e) => {
          logger.error(e);
          process.exit(1);
        },
      );
    });
  }
  const mode = config.database.url ? 'full' : 'embedded';
  if (config.role === 'worker') {
    // Queue workers only: initialise every module (BullMQ workers start) but serve no HTTP.
    await app.init();
    logger.log(`Relaybase worker (${mode} mode) running queue workers, not listening for HTTP`);
    return;
  }
  await app.listen(config.port, config.host);
  const workers = config.role === 'api' ? ', queue workers off (ROLE=api)' : '';
  logger.log(`Relaybase (${mode} mode) listening on http://${config.host}:${config.port}${workers} — Swagger UI at /docs`);
}

bootstrap().catch((e) => {
  console.error(e);
  process.exit(1);
});
