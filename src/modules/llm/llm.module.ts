import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RealtimeModule } from '../../realtime/realtime.module';
import { AccountRepository } from '../auth/account.repository';
import { Account } from '../auth/entities/account.entity';
import { FeedsModule } from '../feeds/feeds.module';
import { AutoAnalysisService } from './auto-analysis.service';
import { LlmAnalysis } from './entities/llm-analysis.entity';
import { LLM_ANALYSES_QUEUE } from './llm-analysis.jobs';
import { LlmAnalysisProcessor } from './llm-analysis.processor';
import { LlmAnalysisRepository } from './llm-analysis.repository';
import { LlmAnalysisScheduler } from './llm-analysis.scheduler';
import { LlmAnalysisService } from './llm-analysis.service';
import { LlmProviderRegistry } from './llm-provider.registry';
import { LlmAnalysesController } from './llm-analyses.controller';
import { LlmController } from './llm.controller';
import { LlmService } from './llm.service';
import { LlmWs } from './llm.ws';
import { TokenQuotaService } from './token-quota.service';

/**
 * LLM intelligence (issue 8): bring-your-own-model providers and the keyless builtin digest, manual and
 * streamed queries (REST and native WS `llm-query`), scheduled per-topic analysis of topic-routed feeds
 * (queue `llm-analyses`), stored analyses, and monthly token quotas of accounts.
 */
@Module({
  imports: [TypeOrmModule.forFeature([LlmAnalysis, Account]), BullModule.registerQueue({ name: LLM_ANALYSES_QUEUE }), FeedsModule, RealtimeModule],
  controllers: [LlmController, LlmAnalysesController],
  providers: [
    LlmProviderRegistry,
    AccountRepository,
    TokenQuotaService,
    LlmService,
    LlmAnalysisRepository,
    LlmAnalysisService,
    AutoAnalysisService,
    LlmAnalysisScheduler,
    LlmAnalysisProcessor,
    LlmWs,
  ],
})
export class LlmModule {}
