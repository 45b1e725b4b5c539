import { checkAnswer } from './answers';

const url = (path: string) => new URL(`http://127.0.0.1:3000${path}`);
const json = 'application/json; charset=utf-8';
const problem = JSON.stringify({ type: 'urn:problem-type:not-found', title: 'Not Found', status: 404, detail: 'x' });

describe('checkAnswer (docs/openapi.json)', () => {
  it('accepts an answer the document describes', () => {
    expect(checkAnswer('GET', url('/livez'), 200, json, '{"status":"ok"}')).toEqual([]);
    expect(
      checkAnswer('GET', url('/api/platform/integrations/providers/nope'), 404, 'application/problem+json', problem),
    ).toEqual([]);
    expect(checkAnswer('DELETE', url('/api/platform/payments/routing/BR'), 204, null, '')).toEqual([]);
  });

  it('takes a static segment before a path parameter', () => {
    const pair = JSON.stringify({ deposit_gateway: null, withdrawal_gateway: 'praxis' });
    expect(checkAnswer('GET', url('/api/platform/payments/routing/default'), 200, json, pair)).toEqual([]);
  });

  it('refuses an undocumented status, path or method', () => {
    expect(checkAnswer('GET', url('/livez'), 418, json, '{}')).toEqual([
      'GET /livez -> 418: status 418 is not documented',
    ]);
    expect(checkAnswer('GET', url('/nowhere'), 200, json, '{}')).toHaveLength(1);
    expect(checkAnswer('DELETE', url('/livez'), 200, json, '{}')).toHaveLength(1);
  });

  it('takes a 404 problem for a path or a method the document does not have', () => {
    expect(checkAnswer('GET', url('/nowhere'), 404, 'application/problem+json', problem)).toEqual([]);
    expect(checkAnswer('GET', url('/nowhere'), 404, 'text/html', '<p>no</p>')).toHaveLength(1);
  });

  it('refuses another content type, or a body that does not match its schema', () => {
    expect(checkAnswer('GET', url('/livez'), 200, 'text/html', '<p>ok</p>')).toHaveLength(1);
    expect(checkAnswer('GET', url('/livez'), 200, json, '{"status":"fine"}')[0]).toMatch(/body\/status must be equal/);
    const error = JSON.stringify({
      type: 't',
      title: 'Bad Request',
      status: 400,
      detail: 'd',
      errors: [{ field: 'to' }],
    });
    expect(
      checkAnswer('POST', url('/api/platform/integrations/email/send'), 400, 'application/problem+json', error)[0],
    ).toMatch(/body\/errors\/0 must have required property 'message'/);
  });
});
