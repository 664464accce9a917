import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/api-response';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountOrApiKey, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { LlmAnalysesQueryDto, LlmAnalysisDto } from './dto/llm.dto';
import { AnalysesPage, LlmAnalysisService } from './llm-analysis.service';

const accountOf = (p: Principal): string => (p.kind === 'endUser' ? '' : p.accountId);

/** Stored automatic analyses of a topic, newest first. */
@ApiTags('LLM')
@ApiErrorResponses()
@Controller('api/marketplace')
export class LlmAnalysesController {
  constructor(private readonly analyses: LlmAnalysisService) {}

  @Get('feeds/:id/topics/:topic/analyses')
  @AccountOrApiKey()
  @ApiOperation({ summary: "A topic's automatic analyses, newest first (paginated)" })
  @ApiEnvelopeResponse(LlmAnalysisDto, { isArray: true, extra: { count: { type: 'integer' }, total: { type: 'integer' }, page: { type: 'integer' }, limit: { type: 'integer' } } })
  async listTopicAnalyses(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Param('topic') topic: string,
    @Query() query: LlmAnalysesQueryDto,
  ): Promise<ApiEnvelope<LlmAnalysisDto[]> & Omit<AnalysesPage, 'data'>> {
    const page = await this.analyses.list(accountOf(p), id, topic, query.page ?? 1, query.limit ?? 20);
    return { success: true, ...page, data: page.data };
  }
}
