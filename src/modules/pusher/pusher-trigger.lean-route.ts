import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Logger as PinoInstance } from 'pino';
import { httpErrorReply } from '../../infra/http/http-exception.filter';
import { requestIdOf } from '../../infra/logging/request-id';
import type { TenantContext } from '../../realtime/tenants/tenant-context';
import type { TenantContextService } from '../../realtime/tenants/tenant-context.service';
import type { CredentialService } from '../auth/credential.service';
import { authenticatePusherRequestNow } from './pusher-auth.guard';
import { pusherErrorReply } from './pusher-exception.filter';
import { NO_ATTRIBUTES, type PusherEventInput, type PusherRestService, type SetHeader } from './pusher-rest.service';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
type BodyRequest = IncomingMessage & { body?: unknown; rawBody?: Buffer };

/** What the lean route borrows from the application, so that it answers exactly like the Nest route. */
export interface PusherTriggerLeanRouteDeps {
  contexts: TenantContextService;
  credentials: CredentialService;
  pusher: PusherRestService;
  /** BODY_LIMIT_BYTES, as given to the application's JSON body parser. */
  bodyLimitBytes: number;
  /** The application's JSON body parser (same options, raw body kept): parses what the fast path does not. */
  jsonParser: Middleware;
  /** How the HTTP adapter maps a body-parser error before the global filter sees it. */
  mapBodyError: (err: unknown) => unknown;
  /** Express's ETag function (the `etag fn` setting), so answers carry the ETag `res.json` would give them. */
  etag: ((body: Buffer) => string) | undefined;
  /** The root pino logger (set once logging is initialised), for the access log line at `info`. */
  logger: () => PinoInstance | undefined;
}

/** `/apps/<appId>/events` or `/apps/<appId>/batch_events`, spelt exactly (anything else goes to express). */
const ROUTE = /^\/apps\/([A-Za-z0-9_-]+)\/(events|batch_events)(?:\?|$)/;
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const LEFT_BRACE = 0x7b;

/**
 * The Pusher server API's trigger routes (`POST /apps/:appId/events` and `/batch_events`) served on
 * the raw `node:http` request, ahead of express: the publish path of every server SDK, where the
 * framework stack (routing, per-request child logger, CORS, body parser) cost most of a publish.
 *
 * It answers exactly as the Nest route (PusherRestController, which stays for Swagger) does, by
 * calling the same code: authenticatePusherRequestNow (tenant, signature or master key),
 * PusherRestService.triggerEventsNow/triggerBatchEvents (admission, rate limit and its headers,
 * validation, delivery), pusherErrorReply (Pusher error shape, 5xx logged with the request id),
 * httpErrorReply for unreadable bodies, the request id of the logging module, express's ETag, and
 * express's own JSON parser for every body the fast path does not take (chunked, BOM, parse errors,
 * over the limit). What it does not serve — another method or spelling of the path, an `Origin`
 * header (CORS), a content type other than plain JSON, a content encoding — it leaves to express.
 */
export class PusherTriggerLeanRoute {
  private lastEtagBody: string | null = null;
  private lastEtag = '';
  private readonly sendOk = (res: ServerResponse, value: unknown, headers: string[]) => this.sendJson(res, 200, value, headers);

  constructor(private readonly deps: PusherTriggerLeanRouteDeps) {}

  /** Takes the request (true) or leaves it to express (false), deciding from the request line and headers only. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const route = ROUTE.exec(url);
    if (!route) return false;
    const headers = req.headers;
    const contentType = headers['content-type'];
    if (headers.origin !== undefined || contentType === undefined || !isJsonType(contentType) || headers['content-encoding'] !== undefined) {
      return false;
    }
    const batch = route[2] === 'batch_events';
    const length = headers['content-length'];
    const expected = length !== undefined && headers['transfer-encoding'] === undefined ? Number(length) : NaN;
    if (Number.isSafeInteger(expected) && expected > 0 && expected <= this.deps.bodyLimitBytes) this.readBody(req, res, expected, route[1], batch);
    else this.parseWith(this.deps.jsonParser, req as BodyRequest, req, res, route[1], batch);
    return true;
  }

  /** The common case: a Content-Length body within the limit, read without stream machinery beyond 'data'. */
  private readBody(req: IncomingMessage, res: ServerResponse, expected: number, appId: string, batch: boolean): void {
    let first: Buffer | null = null;
    let parts: Buffer[] | null = null;
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (first === null) first = chunk;
      else (parts ??= [first]).push(chunk);
    });
    req.on('end', () => {
      const raw = parts ? Buffer.concat(parts, received) : (first ?? Buffer.alloc(0));
      if (received === expected && raw[0] === LEFT_BRACE) {
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = undefined;
        }
        if (body !== undefined) return this.dispatch(req, res, appId, batch, body, raw);
      }
      // Anything unusual is parsed again by express's parser, for its exact result or error.
      // (A Readable, not a PassThrough: body-parser takes a stream that has ended its writable side as already read.)
      const replay = Object.assign(new Readable({ read: () => undefined }), { headers: req.headers });
      replay.push(raw);
      replay.push(null);
      this.parseWith(this.deps.jsonParser, replay as unknown as BodyRequest, req, res, appId, batch);
    });
  }

  private parseWith(parser: Middleware, source: BodyRequest, req: IncomingMessage, res: ServerResponse, appId: string, batch: boolean): void {
    parser(source, res, (err) => {
      if (err !== undefined && err !== null) return this.sendBodyError(res, err);
      this.dispatch(req, res, appId, batch, source.body, source.rawBody);
    });
  }

  /**
   * From here on as the Nest route: request id, CORS's Vary, guard, controller, Pusher errors. For a
   * signed request of a cached tenant whose rate limit is decided at once, the answer is written in
   * this call: no promise on the way (each would also pay the process's async hooks).
   */
  private dispatch(req: IncomingMessage, res: ServerResponse, appId: string, batch: boolean, body: unknown, rawBody: Buffer | undefined): void {
    const id = requestIdOf(req);
    (req as IncomingMessage & { id?: string }).id = id;
    // The answer's headers, in the order the express stack sets them, written at once with writeHead.
    const headers: string[] = ['X-Request-Id', id, 'Vary', 'Origin'];
    const log = this.deps.logger();
    if (log?.isLevelEnabled('info')) this.logOnClose(log, req, res);
    const setHeader = headerSink(headers);
    let result: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      const tenant = authenticatePusherRequestNow(
        this.deps.contexts,
        this.deps.credentials,
        { appId, method: 'POST', url: req.url!, headers: req.headers, rawBody },
        'events:trigger',
      );
      result =
        tenant instanceof Promise
          ? tenant.then((t) => this.trigger(t, batch, body, setHeader))
          : this.trigger(tenant, batch, body, setHeader);
    } catch (e) {
      return this.sendError(req, res, id, headers, e);
    }
    if (result instanceof Promise) {
      result.then(
        (r) => this.answer(res, r, headers),
        (e: unknown) => this.sendError(req, res, id, headers, e),
      );
    } else {
      this.answer(res, result, headers);
    }
  }

  /**
   * A trigger's 200, after the deliveries it queued on this instance (PusherRestService.deliveriesPending):
   * the coalescer's flush is already scheduled, so an immediate queued now runs after it.
   */
  private answer(res: ServerResponse, value: Record<string, unknown>, headers: string[]): void {
    if (this.deps.pusher.deliveriesPending) setImmediate(this.sendOk, res, value, headers);
    else this.sendJson(res, 200, value, headers);
  }

  private trigger(tenant: TenantContext, batch: boolean, body: unknown, setHeader: SetHeader): Record<string, unknown> | Promise<Record<string, unknown>> {
    return batch
      ? this.deps.pusher.triggerBatchEvents(tenant, body as { batch?: unknown } | undefined, setHeader)
      : this.deps.pusher.triggerEventsNow(tenant, body as PusherEventInput | undefined, setHeader);
  }

  private sendError(req: IncomingMessage, res: ServerResponse, id: string, headers: string[], e: unknown): void {
    const reply = pusherErrorReply(e, { id, method: 'POST', path: pathOf(req.url!) });
    for (const k in reply.headers) headers.push(k, reply.headers[k]);
    this.sendJson(res, reply.status, reply.body, headers);
  }

  /** An unreadable body, answered as express's body-parser error reaches the global filter (no request id or CORS yet). */
  private sendBodyError(res: ServerResponse, err: unknown): void {
    const reply = httpErrorReply(this.deps.mapBodyError(err), undefined);
    const headers: string[] = [];
    for (const k in reply.headers) headers.push(k, reply.headers[k]);
    this.sendJson(res, reply.status, reply.body, headers);
  }

  /** As express's `res.status(status).json(value)`: same bytes, Content-Type, Content-Length and ETag. */
  private sendJson(res: ServerResponse, status: number, value: unknown, headers: string[]): void {
    if (res.headersSent) return;
    // A string body: Node writes it with the head in one write (a Buffer would take a writev).
    const body = value === NO_ATTRIBUTES ? '{}' : JSON.stringify(value);
    headers.push('Content-Type', JSON_CONTENT_TYPE, 'Content-Length', String(Buffer.byteLength(body)));
    if (this.deps.etag) headers.push('ETag', this.etagOf(body));
    res.writeHead(status, headers);
    res.end(body);
  }

  /** Most answers are the same few bytes (`{}`): their ETag is computed once. */
  private etagOf(body: string): string {
    if (body !== this.lastEtagBody) {
      this.lastEtag = this.deps.etag!(Buffer.from(body, 'utf8'));
      this.lastEtagBody = body;
    }
    return this.lastEtag;
  }

  /** pino-http's access log line, written only when `info` is enabled (nothing is allocated otherwise). */
  private logOnClose(log: PinoInstance, req: IncomingMessage, res: ServerResponse): void {
    const start = Date.now();
    res.once('close', () => {
      const responseTime = Date.now() - start;
      if (res.statusCode >= 500) {
        log.info({ req, res, err: new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
        return;
      }
      log.info({ req, res, responseTime }, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
    });
  }
}

/** `application/json`, with or without `; charset=utf-8`, in any case (the SDKs' exact spelling first, without lower-casing it). */
function isJsonType(contentType: string): boolean {
  return contentType === 'application/json' || JSON_TYPES.has(contentType.toLowerCase());
}

/**
 * A SetHeader that appends to the answer's header list. Returned anonymous rather than declared as a
 * named closure in dispatch: the bundle (keepNames) gives every named function a `name` property as
 * it is created, an Object.defineProperty per request.
 */
function headerSink(headers: string[]): SetHeader {
  return (name, value) => void headers.push(name, value);
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
