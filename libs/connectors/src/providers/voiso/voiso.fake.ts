import { randomUUID } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface VoisoClickRecord {
  callId: string;
  agent: string;
  number: string;
  account_id?: string;
  crm?: string;
}

export interface VoisoWebhook {
  headers: Record<string, string>;
  body: string;
}

export interface VoisoAgent {
  id: number;
  name: string;
  email: string;
  extension: string;
}

const err = (status: number, errors: string): FakeReply => ({ status, body: { errors } });

/**
 * Voiso cluster API (https://{cluster}.voiso.com, reached here through base_url):
 * - v1 click2call with the API key in the path; params from the query, a form or a JSON body;
 *   `get_call_id=true` -> 200 {call_id}, else 204; errors `{"errors": "..."}` (400/403 as documented).
 * - v4 `GET /api/v4/users` with `Authorization: Bearer <api key>` (the connector's test call).
 * The 401/403 split and the users list shape are not documented; chosen here and flagged as such.
 */
export class VoisoFake extends FakeServer {
  readonly clicks: VoisoClickRecord[] = [];

  constructor(
    readonly apiKey: string,
    readonly webhookSecret: string,
    readonly agents: VoisoAgent[] = [{ id: 1, name: 'Agent One', email: 'agent1@example.com', extension: '1002' }],
  ) {
    super();
    this.route('GET', /^\/api\/v4\/users\/?$/, (r) => this.users(r));
    this.route('POST', /^\/api\/v1\/[^/]+\/click2call\/?$/, (r) => this.click2call(r));
  }

  override reset(): void {
    super.reset();
    this.clicks.length = 0;
  }

  private users(req: RecordedRequest): FakeReply {
    if (String(req.headers.authorization ?? '') !== `Bearer ${this.apiKey}`) {
      req.rejected = true;
      return err(401, 'Unauthorized');
    }
    return { status: 200, body: { data: this.agents } };
  }

  /** Query parameters, overlaid by a form or JSON body (all three are accepted by click2call). */
  private params(req: RecordedRequest): Record<string, string> {
    const out: Record<string, string> = Object.fromEntries(req.query.entries());
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('application/x-www-form-urlencoded'))
      Object.assign(out, Object.fromEntries(this.form(req).entries()));
    else if (type.startsWith('application/json') && req.rawBody.length) {
      for (const [k, v] of Object.entries(this.json<Record<string, unknown>>(req)))
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    }
    return out;
  }

  private click2call(req: RecordedRequest): FakeReply {
    const key = decodeURIComponent(/^\/api\/v1\/([^/]+)\//.exec(req.path)?.[1] ?? '');
    if (key !== this.apiKey) {
      req.rejected = true;
      return err(403, 'Invalid API key');
    }
    const p = this.params(req);
    if (!p.agent || !p.number) return err(400, 'agent and number are required');
    // Documented as E.164 digits without '+': a connector sending "+44..." must be caught here.
    if (!/^\d{6,15}$/.test(p.number)) return err(400, 'Invalid number');
    if (!this.agents.some((a) => a.extension === p.agent || a.email === p.agent)) return err(400, 'User not found');
    const rec: VoisoClickRecord = {
      callId: randomUUID(),
      agent: p.agent,
      number: p.number,
      account_id: p.account_id,
      crm: p.crm,
    };
    this.clicks.push(rec);
    return p.get_call_id === 'true' ? { status: 200, body: { call_id: rec.callId } } : { status: 204 };
  }

  /**
   * A webhook as Voiso posts it: JSON envelope carrying the configured secret in the body (no HMAC).
   * `secret` overrides it to build a forged one.
   */
  webhook(event: string, callId: string, opts: { secret?: string; data?: Record<string, unknown> } = {}): VoisoWebhook {
    const click = this.clicks.find((c) => c.callId === callId);
    const agent = this.agents.find((a) => a.extension === click?.agent || a.email === click?.agent) ?? this.agents[0];
    const body = {
      event,
      object: 'call',
      timestamp: new Date().toISOString(),
      secret: opts.secret ?? this.webhookSecret,
      contact_center_id: 'cc-fake',
      data: {
        id: callId,
        type: event.split('.')[0],
        start_time: new Date().toISOString(),
        duration: { total: 42, dialing_time: 5 },
        calling_number: agent.extension,
        called_number: click?.number ?? '',
        ext_user_id: click?.account_id ?? null,
        cdr_url: `https://cc-fake.voiso.com/cdr/${callId}`,
        agent,
        ...opts.data,
      },
    };
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }

  async deliver(hook: VoisoWebhook, url: string): Promise<Response> {
    return fetch(url, { method: 'POST', headers: hook.headers, body: hook.body });
  }
}
