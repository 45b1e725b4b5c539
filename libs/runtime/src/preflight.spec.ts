import { describeConnectError } from './preflight';

describe(describeConnectError.name, () => {
  it('points a refused NATS login at NATS_USER / NATS_PASSWORD, not at starting a server', () => {
    const auth = Object.assign(new Error('Authorization Violation'), { name: 'AuthorizationError' });
    const e = describeConnectError('NATS', 'nats://127.0.0.1:4222', auth);
    expect(e.message).toMatch(/NATS_USER/);
    expect(e.message).toMatch(/NATS_PASSWORD/);
    expect(e.message).not.toMatch(/docker compose/);
  });

  it('still says how to get a NATS when none answers, and hides credentials in the URL', () => {
    const e = describeConnectError('NATS', 'nats://catalog:hunter2@127.0.0.1:4222', new Error('connect ECONNREFUSED'));
    expect(e.message).toMatch(/docker compose up -d nats/);
    expect(e.message).not.toContain('hunter2');
  });
});
