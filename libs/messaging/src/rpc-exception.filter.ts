import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import type { Logger } from 'pino';
import { throwError, type Observable } from 'rxjs';
import { DomainError } from '@app/contracts';
import { toErrorEnvelope } from './errors';

/** Global filter for NATS handlers: every failure leaves as an ErrorEnvelope; unexpected ones are logged with their stack. */
@Catch()
export class EnvelopeRpcFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const envelope = toErrorEnvelope(exception);
    if (!(exception instanceof DomainError) && envelope.code === 'INTERNAL') {
      this.logger.error({ err: exception }, 'unhandled error in NATS handler');
    }
    return throwError(() => envelope);
  }
}
