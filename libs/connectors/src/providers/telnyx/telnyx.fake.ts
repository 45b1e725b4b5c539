import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface TelnyxFakeOptions {
  apiKey: string;
  /** The Call Control Application id the account owns. */
  connectionId: string;
  /** The account's signing key; a fresh Ed25519 pair when omitted. */
  privateKey?: KeyObject;
}

/** One call leg as the fake keeps it. */
export interface TelnyxLeg {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  to: string;
  from: string;
  client_state?: string;
  webhook_url?: string;
  /** The leg this one was transferred from (lead legs). */
  parent?: string;
  ended: boolean;
  /** command_ids already executed on this leg (Telnyx ignores a repeat). */
  commands: string[];
}

export interface TelnyxWebhook {
  headers: Record<string, string>;
  body: string;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const DIALABLE = /^(\+[1-9]\d{1,14}|sips?:\S+@\S+)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const error = (status: number, code: string, title: string, detail: string, pointer?: string): FakeReply => ({
  status,
  body: { errors: [{ code, title, detail, ...(pointer ? { source: { pointer } } : {}) }] },
});
const unauthorized = error(
  401,
  '10009',
  'Authentication failed',
  'The required authentication headers were either invalid or not included in the request.',
);

/**
 * Telnyx API v2 fake (docs/providers/telnyx.md): `Authorization: Bearer <api key>` on every call (401
 * `{"errors":[{"code":"10009",...}]}` otherwise); POST /v2/calls (dial), POST
 * /v2/calls/{id}/actions/transfer (a new leg carrying target_leg_client_state; a repeated command_id
 * on the same leg is ignored), POST /v2/calls/{id}/actions/hangup (422 code 90018 once the leg has
 * ended), GET /v2/call_control_applications/{id}; and call webhooks signed with the account's Ed25519
 * key over `${timestamp}|${body}`, as Telnyx signs them.
 */
export class TelnyxFake extends FakeServer {
  readonly legs: TelnyxLeg[] = [];
  readonly privateKey: KeyObject;
  /** base64 of the 32 raw public key bytes, as the portal shows it. */
  readonly publicKeyBase64: string;

  constructor(private readonly opts: TelnyxFakeOptions) {
    super();
    this.privateKey = opts.privateKey ?? generateKeyPairSync('ed25519').privateKey;
    const jwk = this.privateKey.export({ format: 'jwk' });
    this.publicKeyBase64 = Buffer.from(jwk.x!, 'base64url').toString('base64');
    this.route('GET', /^\/v2\/call_control_applications\/[^/]+$/, (r) => this.authed(r, () => this.application(r)));
    this.route('POST', /^\/v2\/calls$/, (r) => this.authed(r, () => this.dial(r)));
    this.route('POST', /^\/v2\/calls\/[^/]+\/actions\/[a-z_]+$/, (r) => this.authed(r, () => this.action(r)));
  }

  override reset(): void {
    super.reset();
    this.legs.length = 0;
  }

  leg(callControlId: string): TelnyxLeg | undefined {
    return this.legs.find((l) => l.call_control_id === callControlId);
  }

  /** The lead leg a transfer of `agentLeg` created. */
  transferredFrom(agentLeg: string): TelnyxLeg | undefined {
    return this.legs.find((l) => l.parent === agentLeg);
  }

  private authed(req: RecordedRequest, handler: () => FakeReply): FakeReply {
    if (String(req.headers.authorization ?? '') !== `Bearer ${this.opts.apiKey}`) {
      req.rejected = true;
      return unauthorized;
    }
    return handler();
  }

  private application(req: RecordedRequest): FakeReply {
    const id = decodeURIComponent(req.path.split('/').at(-1)!);
    if (id !== this.opts.connectionId)
      return error(404, '10005', 'Resource not found', 'The requested resource or URL could not be found.');
    return {
      status: 200,
      body: {
        data: {
          id,
          record_type: 'call_control_application',
          application_name: 'crm-click-to-call',
          active: true,
          webhook_event_url: 'https://example.com/webhooks',
          webhook_api_version: '2',
        },
      },
    };
  }

  private body(req: RecordedRequest): Record<string, unknown> | null {
    try {
      const b = this.json<Record<string, unknown>>(req);
      return b && typeof b === 'object' && !Array.isArray(b) ? b : null;
    } catch {
      return null;
    }
  }

  private newLeg(to: string, from: string, clientState?: string, webhookUrl?: string, parent?: string): TelnyxLeg {
    const leg: TelnyxLeg = {
      call_control_id: `v3:${randomBytes(24).toString('base64url')}`,
      call_leg_id: randomUUID(),
      call_session_id: parent ? this.leg(parent)!.call_session_id : randomUUID(),
      to,
      from,
      client_state: clientState,
      webhook_url: webhookUrl,
      parent,
      ended: false,
      commands: [],
    };
    this.legs.push(leg);
    return leg;
  }

  /** Checks shared by dial and transfer; a reply when the request is refused. */
  private invalid(b: Record<string, unknown>, stateField: string): FakeReply | null {
    if (typeof b.to !== 'string' || !DIALABLE.test(b.to))
      return error(422, '10016', 'Phone number must be in +E.164 format', 'to must be +E.164 or a SIP URI', '/to');
    if (b.from !== undefined && (typeof b.from !== 'string' || !E164.test(b.from)))
      return error(422, '10016', 'Phone number must be in +E.164 format', 'from must be +E.164', '/from');
    const state = b[stateField];
    if (state !== undefined && (typeof state !== 'string' || !BASE64.test(state)))
      return error(422, '90053', 'Invalid client state', `${stateField} must be a valid Base-64 encoded string`);
    return null;
  }

  private dial(req: RecordedRequest): FakeReply {
    const b = this.body(req);
    if (!b) return error(400, '10015', 'Bad Request', 'The request failed because it was not well-formed.');
    if (b.connection_id !== this.opts.connectionId)
      return error(422, '10015', 'Invalid connection_id', 'connection_id is not a Call Control App of this account');
    if (typeof b.from !== 'string')
      return error(422, '10004', 'Missing required parameter', 'from is required', '/from');
    const bad = this.invalid(b, 'client_state');
    if (bad) return bad;
    const leg = this.newLeg(
      b.to as string,
      b.from,
      b.client_state as string | undefined,
      typeof b.webhook_url === 'string' ? b.webhook_url : undefined,
    );
    return {
      status: 200,
      body: {
        data: {
          call_control_id: leg.call_control_id,
          call_leg_id: leg.call_leg_id,
          call_session_id: leg.call_session_id,
          is_alive: false,
          record_type: 'call',
          ...(leg.client_state ? { client_state: leg.client_state } : {}),
        },
      },
    };
  }

  private action(req: RecordedRequest): FakeReply {
    const [, , , id, , action] = req.path.split('/');
    const leg = this.leg(decodeURIComponent(id));
    if (!leg) return error(404, '10005', 'Resource not found', 'The requested resource or URL could not be found.');
    const b = this.body(req) ?? {};
    const commandId = typeof b.command_id === 'string' ? b.command_id : undefined;
    const ok: FakeReply = { status: 200, body: { data: { result: 'ok' } } };
    // a repeated command on the same leg is ignored, as documented for command_id
    if (commandId && leg.commands.includes(commandId)) return ok;
    if (leg.ended)
      return error(422, '90018', 'Call has already ended', "This call is no longer active and can't receive commands.");
    if (action === 'hangup') {
      leg.ended = true;
    } else if (action === 'transfer') {
      const bad = this.invalid(b, 'target_leg_client_state');
      if (bad) return bad;
      this.newLeg(
        b.to as string,
        typeof b.from === 'string' ? b.from : leg.to,
        b.target_leg_client_state as string | undefined,
        typeof b.webhook_url === 'string' ? b.webhook_url : leg.webhook_url,
        leg.call_control_id,
      );
    } else {
      return error(404, '10005', 'Resource not found', 'The requested resource or URL could not be found.');
    }
    if (commandId) leg.commands.push(commandId);
    return ok;
  }

  /** Signs `${timestamp}|${body}` with the account key: base64 of the 64-byte Ed25519 signature. */
  signature(timestamp: string, body: string, key: KeyObject = this.privateKey): string {
    return sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), key).toString('base64');
  }

  /**
   * A call webhook for one leg, as Telnyx posts it. `timestamp` (Unix seconds) and `key` override the
   * signing time and key (stale or forged webhooks); `payload` adds or replaces payload fields.
   */
  webhook(
    callControlId: string,
    eventType: string,
    opts: { payload?: Record<string, unknown>; timestamp?: number; key?: KeyObject; id?: string } = {},
  ): TelnyxWebhook {
    const leg = this.leg(callControlId);
    if (!leg) throw new Error(`TelnyxFake: no leg ${callControlId}`);
    const hangup = eventType === 'call.hangup';
    if (hangup) leg.ended = true;
    const body = JSON.stringify({
      data: {
        record_type: 'event',
        event_type: eventType,
        id: opts.id ?? randomUUID(),
        occurred_at: new Date().toISOString(),
        payload: {
          call_control_id: leg.call_control_id,
          connection_id: this.opts.connectionId,
          call_leg_id: leg.call_leg_id,
          call_session_id: leg.call_session_id,
          ...(leg.client_state ? { client_state: leg.client_state } : {}),
          from: leg.from,
          to: leg.to,
          direction: 'outgoing',
          state: hangup ? 'hangup' : eventType === 'call.answered' ? 'answered' : 'bridging',
          ...(hangup ? { hangup_cause: 'normal_clearing', hangup_source: 'callee', sip_hangup_cause: '200' } : {}),
          ...opts.payload,
        },
      },
      meta: { attempt: 1, delivered_to: leg.webhook_url ?? '' },
    });
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    return {
      headers: {
        'content-type': 'application/json',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': this.signature(timestamp, body, opts.key),
      },
      body,
    };
  }

  async deliver(hook: TelnyxWebhook, url: string): Promise<Response> {
    return fetch(url, { method: 'POST', headers: hook.headers, body: hook.body });
  }
}
