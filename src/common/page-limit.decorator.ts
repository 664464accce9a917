import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** A `limit` query parameter of a paged list: an integer from 1 to 100, `defaultValue` when absent. */
export const PageLimit = (defaultValue: number) =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: 100, default: defaultValue }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
  );
