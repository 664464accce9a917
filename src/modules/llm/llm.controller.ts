import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiEnvelope } from '../../common/api-response';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountOrApiKey, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { LlmAnswerDto, LlmProvidersDto, LlmQueryDto } from './dto/llm.dto';
import { LlmService } from './llm.service';

const accountOf = (p: Principal): string => (p.kind === 'endUser' ? '' : p.accountId);

/**
 * Seed 003's LLM API: the enabled providers, a manual query and a streamed one. Account JWT, or an API
 * key with `websocket:llm`.
 */
@ApiTags('LLM')
@ApiErrorResponses()
@Controller('api/llm')
export class LlmController {
  constructor(private readonly llm: LlmService) {}

  @Get('providers')
  @AccountOrApiKey('websocket:llm')
  @ApiOperation({ summary: 'The enabled LLM providers (configured ones, and the keyless builtin digest)' })
  @ApiEnvelopeResponse(LlmProvidersDto, { extra: { enabled: { type: 'boolean' }, providers: { type: 'array', items: { type: 'string' } } } })
  listLlmProviders(): ApiEnvelope<LlmProvidersDto> & LlmProvidersDto {
    const data = this.llm.listProviders();
    return { success: true, ...data, data };
  }

  @Post('query')
  @HttpCode(200)
  @AccountOrApiKey('websocket:llm')
  @ApiOperation({ summary: "Ask a question about a feed's (or a topic's) latest data" })
  @ApiEnvelopeResponse(LlmAnswerDto, { extra: { answer: { type: 'string' }, provider: { type: 'string' }, tokensUsed: { type: 'integer' } } })
  async queryLlm(@CurrentPrincipal() p: Principal, @Body() dto: LlmQueryDto): Promise<ApiEnvelope<LlmAnswerDto> & LlmAnswerDto> {
    const data = await this.llm.query(accountOf(p), dto);
    return { success: true, ...data, data };
  }

  @Post('query/stream')
  @HttpCode(200)
  @AccountOrApiKey('websocket:llm')
  @ApiOperation({ summary: 'The answer as plain text, streamed as it is generated; closing the connection cancels the provider request' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Chunked text/plain answer', schema: { type: 'string' } })
  async streamLlmQuery(@CurrentPrincipal() p: Principal, @Body() dto: LlmQueryDto, @Res() res: Response): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });
    const start = () => {
      if (res.headersSent) return;
      res.status(200);
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
    };
    try {
      await this.llm.stream(accountOf(p), dto, abort.signal, (piece) => {
        start();
        res.write(piece);
      });
      start();
      res.end();
    } catch (err) {
      // Before the first chunk the error filter answers with the envelope; after it, the text ends.
      if (!res.headersSent) throw err;
      if (!abort.signal.aborted) res.end(`\n[error] ${(err as Error).message}`);
    }
  }
}
