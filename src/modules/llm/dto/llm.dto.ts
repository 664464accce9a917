import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { PROVIDER_ORDER } from '../llm-provider.registry';

export class LlmQueryDto {
  @ApiProperty({ example: '6f0c1f7e-3c1a-4c55-9a0e-2d5d7e1b9a10' })
  @IsString()
  @Length(1, 64)
  feedId: string;

  @ApiProperty({ example: 'What are the main trends in the data?' })
  @IsString()
  @Length(1, 4_000)
  question: string;

  @ApiPropertyOptional({ enum: PROVIDER_ORDER, description: 'Default: DEFAULT_AI_PROVIDER (or the first enabled)' })
  @IsOptional()
  @IsIn(PROVIDER_ORDER)
  provider?: string;

  @ApiPropertyOptional({ example: 'You are a financial analyst...' })
  @IsOptional()
  @IsString()
  @Length(1, 4_000)
  systemPrompt?: string;

  @ApiPropertyOptional({ description: "A topic of a topic-routed feed: the context is that topic's window", example: 'BTCUSDT' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  topic?: string;
}

export class LlmAnswerDto {
  @ApiProperty() answer: string;
  @ApiProperty({ example: 'openai' }) provider: string;
  @ApiProperty() feedId: string;
  @ApiProperty({ example: 450 }) tokensUsed: number;
  @ApiProperty({ example: 1250 }) durationMs: number;
}

export class LlmProvidersDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: [String], example: ['openai', 'builtin'] }) providers: string[];
  @ApiProperty({ nullable: true, type: String, example: 'openai' }) defaultProvider: string | null;
}

export class LlmAnalysisDto {
  @ApiProperty() _id: string;
  @ApiProperty() feedId: string;
  @ApiProperty() topic: string;
  @ApiProperty() analysis: string;
  @ApiProperty() provider: string;
  @ApiProperty() model: string;
  @ApiProperty() question: string;
  @ApiProperty() tokensUsed: number;
  @ApiProperty() durationMs: number;
  @ApiProperty() timestamp: Date;
}

export class LlmAnalysesQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
