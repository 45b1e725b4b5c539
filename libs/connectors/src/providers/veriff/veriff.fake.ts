import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface VeriffFakeCredentials {
  apiKey: string;
  sharedSecret: string;
}

/** A decision status Veriff documents for `verification.status`. */
export type VeriffFakeDecisionStatus =
  'approved' | 'declined' | 'resubmission_requested' | 'expired' | 'abandoned' | 'review';

/** The decision codes of Veriff's session status table, as the fake writes them (the connector reads `status`). */
const CODES: Record<VeriffFakeDecisionStatus, number> = {
  approved: 9001,
  declined: 9102,
  resubmission_requested: 9103,
  expired: 9104,
  abandoned: 9104,
  review: 9121,
};

export interface VeriffFakeDocument {
  /** PASSPORT, ID_CARD, DRIVERS_LICENSE, RESIDENCE_PERMIT, OTHER... */
  type: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  number?: string;
  validUntil?: string;
}

export interface VeriffFakeDecisionInput {
  reasonCode?: number;
  reason?: string;
  document?: VeriffFakeDocument;
  dateOfBirth?: string;
  riskLabels?: { label: string; category: string }[];
  /** ISO time; now by default. */
  decisionTime?: string;
}

export interface VeriffFakeSession {
  id: string;
  url: string;
  sessionToken: string;
  vendorData?: string;
  person?: Record<string, unknown>;
  callback?: string;
  status: 'created' | 'started' | 'submitted' | VeriffFakeDecisionStatus;
  decision: Record<string, unknown> | null;
  attemptId: string;
}

/**
 * Veriff Public API v1 fake (docs/providers/veriff.md). Every call must carry this integration's
 * `X-AUTH-CLIENT`; every call but `POST /sessions` an `X-HMAC-SIGNATURE` recomputed here with
 * node:crypto, independently of the connector (the body for POST, the session id for GET).
 * Answers and webhooks are signed the same way, as Veriff signs them.
 */
export class VeriffFake extends FakeServer {
  readonly sessions = new Map<string, VeriffFakeSession>();

  constructor(private readonly creds: VeriffFakeCredentials) {
    super();
    this.route('POST', /^\/v1\/sessions\/?$/, (r) => this.guard(r, null, () => this.createSession(r)));
    this.route('GET', /^\/v1\/sessions\/[^/]+\/decision$/, (r) => {
      const id = decodeURIComponent(r.path.split('/')[3]);
      return this.guard(r, id, () => this.decisionOf(id));
    });
  }

  /** The exact bytes and headers Veriff posts to the webhook URL. */
  signedWebhook(payload: Record<string, unknown>): { body: Buffer; headers: Record<string, string> } {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-auth-client': this.creds.apiKey,
        'x-hmac-signature': createHmac('sha256', this.creds.sharedSecret).update(body).digest('hex'),
      },
    };
  }

  /** The decision webhook of a decided session. */
  decisionWebhook(sessionId: string): { body: Buffer; headers: Record<string, string> } {
    const s = this.mustFind(sessionId);
    if (!s.decision) throw new Error(`session ${sessionId} has no decision`);
    return this.signedWebhook({ status: 'success', verification: s.decision, technicalData: { ip: '127.0.0.2' } });
  }

  /** An event webhook (`started` 7001, `submitted` 7002), as the flow moves on. */
  eventWebhook(sessionId: string, action: 'started' | 'submitted'): { body: Buffer; headers: Record<string, string> } {
    const s = this.mustFind(sessionId);
    s.status = action;
    return this.signedWebhook({
      id: s.id,
      attemptId: s.attemptId,
      feature: 'selfid',
      code: action === 'started' ? 7001 : 7002,
      action,
      vendorData: s.vendorData ?? null,
    });
  }

  /** What Veriff's decision does to the session: `GET .../decision` and the decision webhook then carry it. */
  decide(sessionId: string, status: VeriffFakeDecisionStatus, input: VeriffFakeDecisionInput = {}): void {
    const s = this.mustFind(sessionId);
    s.status = status;
    const decided = status !== 'expired' && status !== 'abandoned';
    s.decision = {
      id: s.id,
      attemptId: s.attemptId,
      code: CODES[status],
      status,
      reason: input.reason ?? null,
      reasonCode: input.reasonCode ?? null,
      vendorData: s.vendorData ?? null,
      decisionTime: input.decisionTime ?? new Date().toISOString(),
      acceptanceTime: new Date().toISOString(),
      person: decided
        ? { firstName: 'SARAH', lastName: 'MORGAN', dateOfBirth: input.dateOfBirth ?? null, idNumber: null }
        : null,
      document: decided && input.document ? { validFrom: null, number: null, ...input.document } : null,
      riskLabels: input.riskLabels ?? [],
      comments: [],
      additionalVerifiedData: {},
    };
  }

  private mustFind(id: string): VeriffFakeSession {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no session ${id}`);
    return s;
  }

  private fail(status: number, code: number, message: string): FakeReply {
    return { status, body: { status: 'fail', code, message } };
  }

  private signed(status: number, body: unknown): FakeReply {
    const text = JSON.stringify(body);
    return {
      status,
      body: text,
      headers: {
        'content-type': 'application/json',
        'x-auth-client': this.creds.apiKey,
        'x-hmac-signature': createHmac('sha256', this.creds.sharedSecret).update(text).digest('hex'),
      },
    };
  }

  private one(req: RecordedRequest, name: string): string | undefined {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  /**
   * Veriff's request authentication: the API key, and the signature over `signedId` (a GET's session
   * id) or, for POSTs, the raw body; `POST /sessions` (signedId null) is checked only when signed.
   */
  private guard(req: RecordedRequest, signedId: string | null, route: () => FakeReply): FakeReply {
    const key = this.one(req, 'x-auth-client');
    const sig = this.one(req, 'x-hmac-signature');
    const refuse = (code: number, message: string) => {
      req.rejected = true;
      return this.fail(401, code, message);
    };
    if (!key) return refuse(1801, 'Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.');
    const k = Buffer.from(key);
    const want = Buffer.from(this.creds.apiKey);
    if (k.length !== want.length || !timingSafeEqual(k, want)) return refuse(1802, 'Integration not found.');
    const mustSign = signedId !== null;
    if (mustSign && !sig)
      return refuse(1102, 'Mandatory X-HMAC-SIGNATURE header containing the SHA256 hash of the payload is missing.');
    if (sig) {
      const expected = createHmac('sha256', this.creds.sharedSecret)
        .update(signedId ?? req.rawBody)
        .digest();
      const given = /^[0-9a-f]{64}$/.test(sig) ? Buffer.from(sig, 'hex') : Buffer.alloc(0);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return refuse(1812, 'Signature does not match the HMAC-SHA256 of the payload and the shared secret.');
    }
    return route();
  }

  private createSession(req: RecordedRequest): FakeReply {
    let b: { verification?: { callback?: unknown; person?: Record<string, unknown>; vendorData?: unknown } };
    try {
      b = this.json(req);
    } catch {
      return this.fail(400, 1003, 'Request body is not valid JSON.');
    }
    const v = b.verification;
    if (!v || typeof v !== 'object') return this.fail(400, 1001, 'verification is required.');
    if (v.vendorData !== undefined && (typeof v.vendorData !== 'string' || v.vendorData.length > 1000))
      return this.fail(400, 1001, 'vendorData must be a string of at most 1000 characters.');
    const id = randomUUID();
    const sessionToken = randomBytes(24).toString('base64url');
    const s: VeriffFakeSession = {
      id,
      url: `${this.baseUrl}/v/${sessionToken}`,
      sessionToken,
      vendorData: v.vendorData,
      person: v.person,
      callback: typeof v.callback === 'string' ? v.callback : undefined,
      status: 'created',
      decision: null,
      attemptId: randomUUID(),
    };
    this.sessions.set(id, s);
    return this.signed(201, {
      status: 'success',
      verification: {
        id,
        url: s.url,
        vendorData: s.vendorData ?? null,
        host: this.baseUrl,
        status: 'created',
        sessionToken,
      },
    });
  }

  private decisionOf(id: string): FakeReply {
    const s = this.sessions.get(id);
    if (!s) return this.fail(404, 1404, 'Session not found.');
    return this.signed(200, { status: 'success', verification: s.decision });
  }
}
