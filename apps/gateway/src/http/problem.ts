import { ErrorCode, type FieldError } from '@app/contracts';

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

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: FieldError[];
  request_id?: string;
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
