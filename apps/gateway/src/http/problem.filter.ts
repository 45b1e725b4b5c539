import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

import { DomainError, ErrorCode } from '@app/contracts';
import type { RequestContext } from '@app/observability';

import { problem, PROBLEM_CONTENT_TYPE, STATUS_BY_CODE, type Problem } from './problem';

/** Renders anything thrown while handling a request as application/problem+json; never a stack or a secret. */
export function toProblem(
  err: unknown,
  req: { method: string; url: string; ctx?: RequestContext },
  logger: Logger,
): Problem {
  const requestId = req.ctx?.requestId;
  logger = requestId ? logger.child({ request_id: requestId, trace_id: req.ctx?.traceId }) : logger;
  if (err instanceof DomainError) {
    const status = STATUS_BY_CODE[err.code] ?? 500;
    if (status >= 500 && err.code === ErrorCode.Internal) logger.error({ code: err.code }, err.message);
    return problem(status, status === 500 ? 'An internal error occurred' : err.message, {
      code: err.code,
      errors: err.errors,
      requestId,
    });
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const detail = status === 404 ? `No route ${req.method} ${req.url.split('?')[0]}` : err.message;
    return problem(status, detail, { requestId });
  }
  const fastifyErr = err as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyErr?.statusCode === 'number' && fastifyErr.statusCode < 500) {
    return problem(fastifyErr.statusCode, describeFastifyError(fastifyErr), { requestId });
  }
  logger.error({ err }, 'unhandled error');
  return problem(500, 'An internal error occurred', { requestId });
}

function describeFastifyError(err: { statusCode?: number; code?: string; message?: string }): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than this endpoint accepts';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return `The request body is not valid JSON: ${err.message ?? ''}`.trim();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type: send application/json';
    default:
      return err.message ?? 'Bad request';
  }
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toProblem(exception, req, this.logger);
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}
