import { ErrorCode } from '@app/contracts';

import { problem, STATUS_BY_CODE } from './problem';

describe('problem', () => {
  it('maps every error code to its HTTP status', () => {
    expect(STATUS_BY_CODE).toMatchObject({
      VALIDATION_FAILED: 400,
      UNAUTHORIZED: 401,
      NOT_FOUND: 404,
      CONFLICT: 409,
      PAYLOAD_TOO_LARGE: 413,
      PROVIDER_REFUSED: 422,
      PROVIDER_FAILED: 502,
      SERVICE_UNAVAILABLE: 503,
      TIMEOUT: 504,
    });
    expect(Object.keys(STATUS_BY_CODE).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('builds an RFC 9457 body with errors only when given', () => {
    expect(problem(404, 'gone')).toEqual({
      type: 'urn:problem-type:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'gone',
      code: 'NOT_FOUND',
    });
    expect(problem(400, 'bad', { errors: [{ field: 'to', message: 'required' }] }).errors).toEqual([
      { field: 'to', message: 'required' },
    ]);
  });
});
