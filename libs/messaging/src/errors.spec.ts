import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

import { DomainError, ErrorCode } from '@app/contracts';

import { toErrorEnvelope } from './errors';

describe(toErrorEnvelope.name, () => {
  it('keeps domain errors and our own envelopes', () => {
    expect(toErrorEnvelope(new DomainError(ErrorCode.NotFound, 'gone'))).toEqual({
      code: 'NOT_FOUND',
      message: 'gone',
    });
    expect(toErrorEnvelope({ code: 'CONFLICT', message: 'busy' })).toEqual({ code: 'CONFLICT', message: 'busy' });
  });

  it('turns library errors that carry a code into an internal error, never passing their code or message on', () => {
    const nodeError = Object.assign(new TypeError('The "data" argument must be of type string'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(toErrorEnvelope(nodeError)).toEqual({ code: 'INTERNAL', message: 'Internal error' });
    expect(toErrorEnvelope({ code: '23505', message: 'duplicate key value violates unique constraint' })).toEqual({
      code: 'INTERNAL',
      message: 'Internal error',
    });
  });

  it('answers Unavailable (503), not Internal, when the service cannot reach its database', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const unavailable = {
      code: 'SERVICE_UNAVAILABLE',
      message: 'A dependency of the service is unavailable; try again',
    };
    expect(toErrorEnvelope(refused)).toEqual(unavailable);
    expect(toErrorEnvelope(new AggregateError([refused], ''))).toEqual(unavailable);
    expect(toErrorEnvelope(new Error('Connection terminated unexpectedly'))).toEqual(unavailable);
    expect(toErrorEnvelope(new Error('timeout exceeded when trying to connect'))).toEqual(unavailable);
    // Postgres shutting down or starting up, and TypeORM's wrapper around it
    expect(
      toErrorEnvelope(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ).toEqual(unavailable);
    expect(
      toErrorEnvelope(
        Object.assign(new Error('query failed'), {
          driverError: Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
        }),
      ),
    ).toEqual(unavailable);
    // a query that is simply wrong stays internal
    expect(toErrorEnvelope(Object.assign(new Error('syntax error'), { code: '42601' }))).toEqual({
      code: 'INTERNAL',
      message: 'Internal error',
    });
  });

  it('answers Unavailable when Postgres went away in the middle of a transaction (TypeORM released its connection)', () => {
    // seen by the resilience drill: pg_ctl stop under load, the transaction's next query or its commit
    const unavailable = {
      code: 'SERVICE_UNAVAILABLE',
      message: 'A dependency of the service is unavailable; try again',
    };
    expect(toErrorEnvelope(new QueryRunnerAlreadyReleasedError())).toEqual(unavailable);
    expect(toErrorEnvelope(new QueryRunnerProviderAlreadyReleasedError())).toEqual(unavailable);
  });
});
