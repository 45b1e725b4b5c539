import { Writable } from 'node:stream';

import { runWithContext } from './context';
import { createLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createLogger('test', sink) };
}

describe(createLogger.name, () => {
  it('censors secret-looking fields wherever they sit', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'S3CRET-pw',
        authorization: 'Bearer S3CRET-bearer',
        api_key: 'S3CRET-k1',
        credentials: { api_key: 'S3CRET-k2' },
        config: { auth_token: 'S3CRET-tok', client_secret: 'S3CRET-cs' },
        req: { headers: { authorization: 'Bearer S3CRET-x' } },
        provider: 'sendgrid',
      },
      'with secrets',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('S3CRET');
    expect(lines[0]).toMatchObject({ password: '[REDACTED]', provider: 'sendgrid', msg: 'with secrets' });
  });

  it("keeps an ordinary error's message and stack", () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('connector threw') }, 'failed');
    expect(lines[0].err).toMatchObject({
      type: 'Error',
      message: 'connector threw',
      stack: expect.stringContaining('connector threw'),
    });
  });

  it('stamps the request id and trace id of the current context on every line', () => {
    const { lines, logger } = capture();
    runWithContext({ requestId: 'req-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }, () => logger.info('inside'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ request_id: 'req-1', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(lines[1].request_id).toBeUndefined();
  });
});
