import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from 'pino';
import { throwError, type Observable } from 'rxjs';

import { DomainError, ErrorCode } from '@app/contracts';

import { toErrorEnvelope } from './errors';

/**
 * Global filter of a service: a NATS handler's failure leaves as an ErrorEnvelope; unexpected ones are
 * logged with their stack and cross the wire only as INTERNAL.
 */
@Catch()
export class EnvelopeRpcFilter implements ExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    const envelope = toErrorEnvelope(exception);
    // an HTTP 4xx (a path the service does not serve) is the caller's mistake, not an unhandled error
    const clientError = exception instanceof HttpException && exception.getStatus() < 500;
    if (!(exception instanceof DomainError) && !clientError && envelope.code === ErrorCode.Internal) {
      this.logger.error({ err: exception, context: host.getType() }, 'unhandled error');
    } else if (!(exception instanceof DomainError) && envelope.code === ErrorCode.Unavailable) {
      this.logger.warn({ err: exception, context: host.getType() }, 'a dependency is unavailable; answered 503');
    }
    if (host.getType() === 'rpc') return throwError(() => envelope);
    // a service's own HTTP surface is only /health and /metrics: answer plainly, never with internals
    const reply = host.switchToHttp().getResponse<{ status(n: number): { send(b: unknown): void } }>();
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    reply.status(status).send({ status, detail: status === 404 ? 'Not found' : envelope.message });
  }
}
