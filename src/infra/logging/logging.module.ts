import type { IncomingMessage } from 'node:http';
import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { pinoHttp, type Options } from 'pino-http';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { redactUrl } from './redact-url';
import { assignRequestId } from './request-id';

/** The access log of every express route: request id (from X-Request-Id when sane, echoed back), method, masked URL, status. */
function httpLogOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    genReqId: assignRequestId,
    // Credentials never reach the log: headers are not logged, and URL query credentials are masked.
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
  };
}

/**
 * Structured logs (pino): the application's Nest logger, and an access log line with a request id
 * per request.
 *
 * The access log is pino-http mounted here rather than by the logger module, because the module's
 * own middleware also runs every request inside an AsyncLocalStorage context (so that a service's
 * log lines carry the request's bindings). On Node 20 that context is kept by async hooks, which,
 * once enabled, run on every async resource of the process — every socket write, timer, tick and
 * promise, WebSocket and trigger paths included — and cost about a sixth of the trigger API's
 * throughput (bench/RESULTS.md). Request ids stay where they are needed: in the access log line, the
 * X-Request-Id response header, and the error filters' log lines, which take the id from the request.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      // No middleware from the logger module (see above): `forRoutes` is empty.
      useFactory: (config: AppConfig) => ({ pinoHttp: httpLogOptions(config), forRoutes: [] }),
    }),
  ],
})
export class LoggingModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // A child of the root logger the Nest logger writes through: one destination, one level.
    const accessLog = pinoHttp({ ...httpLogOptions(this.config), logger: PinoLogger.root });
    consumer.apply(accessLog).forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
