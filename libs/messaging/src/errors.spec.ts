import { DomainError, ErrorCode } from '@app/contracts';
import { toErrorEnvelope } from './errors';

describe(toErrorEnvelope.name, () => {
  it('keeps domain errors and our own envelopes', () => {
    expect(toErrorEnvelope(new DomainError(ErrorCode.NotFound, 'gone'))).toEqual({ code: 'NOT_FOUND', message: 'gone' });
    expect(toErrorEnvelope({ code: 'CONFLICT', message: 'busy' })).toEqual({ code: 'CONFLICT', message: 'busy' });
  });

  it('turns library errors that carry a code into an internal error, never passing their code or message on', () => {
    const nodeError = Object.assign(new TypeError('The "data" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(toErrorEnvelope(nodeError)).toEqual({ code: 'INTERNAL', message: 'Internal error' });
    expect(toErrorEnvelope({ code: '23505', message: 'duplicate key value violates unique constraint' })).toEqual({ code: 'INTERNAL', message: 'Internal error' });
  });
});
