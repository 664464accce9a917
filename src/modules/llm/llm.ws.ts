import { Injectable, OnModuleInit } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { authorizationError, validationError } from '../../common/domain-error';
import type { HubConnection } from '../../realtime/hub/hub-connection';
import { errorMessage, nativeErrorCode } from '../../realtime/ws/native/native-error-code';
import { NativeMessageContext, NativeMessageRegistry } from '../../realtime/ws/native/native-message.registry';
import { hasScope } from '../auth/scopes';
import { LlmQueryDto } from './dto/llm.dto';
import { LlmService } from './llm.service';

type Payload = Record<string, unknown>;
const QUERY_FIELDS = ['feedId', 'question', 'provider', 'systemPrompt', 'topic'] as const;
/** Queries one connection may have running at once. */
export const MAX_LLM_QUERIES_PER_CONNECTION = 4;

/**
 * Native `llm-query` (scope `websocket:llm`): the same query as `POST /api/llm/query/stream`, answered
 * with `llm-chunk` frames as the answer is generated and a final `llm-answer`, each carrying the
 * client's `requestId` when it sent one. A connection that closes cancels its queries upstream.
 */
@Injectable()
export class LlmWs implements OnModuleInit {
  private readonly running = new WeakMap<HubConnection, number>();

  constructor(
    private readonly registry: NativeMessageRegistry,
    private readonly llm: LlmService,
  ) {}

  onModuleInit(): void {
    this.registry.register('llm-query', (ctx) => this.query(ctx));
  }

  /**
   * Checks (scope, body, access, quota) answer as usual; the answer itself streams in the background,
   * so a long answer does not hold up the connection's other messages (they are handled in order).
   */
  private async query({ conn, message, reply }: NativeMessageContext): Promise<void> {
    const accountId = accountWithLlm(conn);
    const payload = payloadOf(message);
    const requestId = payload.requestId;
    if (requestId !== undefined && (typeof requestId !== 'string' || requestId.length > 128)) throw validationError('requestId must be a string (at most 128 characters)');
    const dto = await validQuery(payload);
    const running = this.running.get(conn) ?? 0;
    if (running >= MAX_LLM_QUERIES_PER_CONNECTION) throw validationError(`At most ${MAX_LLM_QUERIES_PER_CONNECTION} LLM queries at a time per connection`);
    const run = await this.llm.openStream(accountId, dto);
    const tag = requestId === undefined ? {} : { requestId };
    const abort = new AbortController();
    const onClose = () => abort.abort(new Error('connection closed'));
    conn.ws.once('close', onClose);
    this.running.set(conn, (this.running.get(conn) ?? 0) + 1);
    void run(abort.signal, (chunk) => reply(JSON.stringify({ type: 'llm-chunk', payload: { ...tag, feedId: dto.feedId, chunk } })))
      .then(
        (answer) => reply(JSON.stringify({ type: 'llm-answer', payload: { ...tag, ...answer } })),
        (err: unknown) => {
          if (!abort.signal.aborted) reply(JSON.stringify({ type: 'error', code: nativeErrorCode(err, false), message: errorMessage(err), ...tag }));
        },
      )
      .finally(() => {
        conn.ws.off('close', onClose);
        this.running.set(conn, (this.running.get(conn) ?? 1) - 1);
      });
  }
}

function accountWithLlm(conn: HubConnection): string {
  const identity = conn.identity;
  if (!identity || identity.accountId === null) throw authorizationError('insufficient permissions');
  if (identity.scopes !== null && !hasScope(identity.scopes, 'websocket:llm')) throw authorizationError('insufficient permissions');
  return identity.accountId;
}

function payloadOf(message: Payload): Payload {
  const p = message.payload;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Payload) : message;
}

/** The REST body's rules (LlmQueryDto) applied to the frame's fields. */
async function validQuery(payload: Payload): Promise<LlmQueryDto> {
  const picked: Payload = {};
  for (const k of QUERY_FIELDS) if (payload[k] !== undefined) picked[k] = payload[k];
  const dto = plainToInstance(LlmQueryDto, picked);
  const errors = await validate(dto);
  if (errors.length) throw validationError(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
  return dto;
}
