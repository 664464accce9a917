import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class ApiErrorDto {
  @ApiProperty({
    enum: ['VALIDATION_ERROR', 'AUTHENTICATION_ERROR', 'AUTHORIZATION_ERROR', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'RATE_LIMIT_EXCEEDED', 'QUOTA_EXCEEDED', 'INTERNAL_ERROR'],
    example: 'VALIDATION_ERROR',
  })
  code: string;

  @ApiProperty({ example: 'email must be an email' })
  message: string;

  @ApiProperty({ required: false, description: 'On 500s: the id of the log line to quote to the operator' })
  requestId?: string;
}

export class ApiErrorEnvelopeDto {
  @ApiProperty({ example: false }) success: false;
  @ApiProperty({ nullable: true, example: null, type: Object }) data: null;
  @ApiProperty({ type: ApiErrorDto }) error: ApiErrorDto;
}

/** Documents `{ success: true, data: <model> }` (plus any seed-specific top-level fields). */
export function ApiEnvelopeResponse(
  model: Type<unknown>,
  options: { status?: number; isArray?: boolean; description?: string; extra?: Record<string, object> } = {},
) {
  const data = options.isArray ? { type: 'array', items: { $ref: getSchemaPath(model) } } : { $ref: getSchemaPath(model) };
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? 'Success',
      schema: {
        type: 'object',
        required: ['success', 'data'],
        properties: { success: { type: 'boolean', example: true }, data, ...(options.extra ?? {}) },
      },
    }),
  );
}

/** Documents the error envelope for the statuses a protected endpoint can answer. */
export function ApiErrorResponses(...extra: number[]) {
  const statuses = [400, 401, 403, 404, 413, ...extra];
  const text: Record<number, string> = {
    400: 'VALIDATION_ERROR: missing, malformed or unknown fields, or malformed JSON',
    401: 'AUTHENTICATION_ERROR: missing, invalid, expired or revoked credential',
    403: 'AUTHORIZATION_ERROR: the credential lacks a required scope or kind',
    404: 'NOT_FOUND: no such resource for this caller',
    409: 'CONFLICT: already exists',
    413: 'PAYLOAD_TOO_LARGE: body over BODY_LIMIT_BYTES',
    429: 'RATE_LIMIT_EXCEEDED: slow down (see Retry-After)',
  };
  const code: Record<number, string> = {
    400: 'VALIDATION_ERROR',
    401: 'AUTHENTICATION_ERROR',
    403: 'AUTHORIZATION_ERROR',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    429: 'RATE_LIMIT_EXCEEDED',
  };
  return applyDecorators(
    ApiExtraModels(ApiErrorEnvelopeDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: text[status] ?? 'Error',
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(ApiErrorEnvelopeDto) },
            example: { success: false, data: null, error: { code: code[status] ?? 'VALIDATION_ERROR', message: text[status]?.split(': ')[1] ?? 'Error' } },
          },
        },
      }),
    ),
  );
}
