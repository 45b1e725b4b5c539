import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { ErrorCode, FieldError } from '@app/contracts';

/** The one table from error code to HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.ProviderRefused]: 422,
  [ErrorCode.ProviderFailed]: 502,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Timeout]: 504,
  [ErrorCode.Internal]: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Every error answer (RFC 9457 problem details), as `application/problem+json`. */
export class Problem {
  @ApiProperty({ example: 'urn:problem-type:validation-failed' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'The request has invalid fields' }) detail!: string;
  @ApiPropertyOptional({ example: 'VALIDATION_FAILED' }) code?: string;
  @ApiPropertyOptional({
    type: [FieldError],
    description: 'Every invalid field, for a 400',
    example: [{ field: 'credentials.api_key', message: 'is required' }],
  })
  errors?: FieldError[];
  @ApiPropertyOptional({ example: '5f0c3a52-2f7e-4c1b-9a57-0f1c2d3e4b5a' }) request_id?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(
  status: number,
  detail: string,
  extra: { code?: string; errors?: FieldError[]; requestId?: string } = {},
): Problem {
  const code = extra.code ?? codeForStatus(status);
  return {
    type: `urn:problem-type:${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.requestId ? { request_id: extra.requestId } : {}),
  };
}

function codeForStatus(status: number): string {
  const found = (Object.entries(STATUS_BY_CODE) as [ErrorCode, number][]).find(([, s]) => s === status);
  return found ? found[0] : (TITLES[status] ?? 'ERROR').toUpperCase().replace(/ /g, '_');
}
