import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface SumsubFakeCredentials {
  appToken: string;
  secretKey: string;
  webhookSecret: string;
  /** Level names that exist in the fake project. */
  levels?: string[];
}

/** One document of `info.idDocs[]` (SumSub's names; `country` is alpha-3). */
export interface SumsubFakeIdDoc {
  idDocType: string;
  country: string;
  validUntil?: string;
  dob?: string;
  firstName?: string;
  lastName?: string;
}

export interface SumsubFakeApplicant {
  id: string;
  inspectionId: string;
  externalUserId: string;
  levelName: string;
  createdAt: string;
  email?: string;
  phone?: string;
  fixedInfo?: Record<string, unknown>;
  info: { country?: string; firstName?: string; lastName?: string; dob?: string; idDocs?: SumsubFakeIdDoc[] };
  review: {
    reviewStatus: string;
    reviewResult?: { reviewAnswer: 'GREEN' | 'RED'; rejectLabels?: string[]; reviewRejectType?: 'RETRY' | 'FINAL' };
  };
}

type DigestAlg = 'HMAC_SHA1_HEX' | 'HMAC_SHA256_HEX' | 'HMAC_SHA512_HEX';
const ALGS: Record<DigestAlg, string> = { HMAC_SHA1_HEX: 'sha1', HMAC_SHA256_HEX: 'sha256', HMAC_SHA512_HEX: 'sha512' };
/** SumSub refuses timestamps further than this from its clock (its documentation: about 60 s). */
const CLOCK_WINDOW_S = 60;

/**
 * SumSub API fake (docs/providers/sumsub.md). Every call must carry X-App-Token / X-App-Access-Ts /
 * X-App-Access-Sig; the signature is recomputed here with node:crypto, independently of the connector.
 */
export class SumsubFake extends FakeServer {
  readonly applicants = new Map<string, SumsubFakeApplicant>();
  readonly accessTokens: { token: string; userId: string; levelName: string; ttlInSecs: number }[] = [];
  readonly levels: string[];

  constructor(private readonly creds: SumsubFakeCredentials) {
    super();
    this.levels = creds.levels ?? ['basic-kyc-level'];
    this.route(
      'GET',
      /^\/resources\/applicants\/-\/levels$/,
      this.authed(() => this.listLevels()),
    );
    this.route(
      'POST',
      /^\/resources\/applicants$/,
      this.authed((r) => this.createApplicant(r)),
    );
    this.route(
      'GET',
      /^\/resources\/applicants\/[^/]+\/one$/,
      this.authed((r) => this.getApplicant(r)),
    );
    this.route(
      'GET',
      /^\/resources\/applicants\/[^/]+\/status$/,
      this.authed((r) => this.getStatus(r)),
    );
    this.route(
      'POST',
      /^\/resources\/applicants\/[^/]+\/status\/testCompleted$/,
      this.authed((r) => this.testCompleted(r)),
    );
    this.route(
      'POST',
      /^\/resources\/accessTokens\/sdk$/,
      this.authed((r) => this.sdkToken(r)),
    );
    this.route(
      'POST',
      /^\/resources\/accessTokens$/,
      this.authed((r) => this.legacyToken(r)),
    );
  }

  /** A webhook as SumSub sends it: exact body bytes plus x-payload-digest over them. */
  signedWebhook(
    payload: Record<string, unknown>,
    alg: DigestAlg = 'HMAC_SHA256_HEX',
  ): { body: Buffer; headers: Record<string, string> } {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    const digest = createHmac(ALGS[alg], this.creds.webhookSecret).update(body).digest('hex');
    return {
      body,
      headers: { 'content-type': 'application/json', 'x-payload-digest': digest, 'x-payload-digest-alg': alg },
    };
  }

  /** The webhook SumSub fires for the applicant's current state (`applicantReviewed` once completed). */
  webhookFor(applicantId: string, type?: string, alg?: DigestAlg): { body: Buffer; headers: Record<string, string> } {
    const a = this.mustFind(applicantId);
    const reviewed = a.review.reviewStatus === 'completed';
    return this.signedWebhook(
      {
        applicantId: a.id,
        inspectionId: a.inspectionId,
        correlationId: randomBytes(16).toString('hex'),
        externalUserId: a.externalUserId,
        levelName: a.levelName,
        type: type ?? (reviewed ? 'applicantReviewed' : 'applicantCreated'),
        sandboxMode: true,
        reviewStatus: a.review.reviewStatus,
        ...(reviewed ? { reviewResult: a.review.reviewResult } : {}),
        createdAtMs: new Date().toISOString().replace('T', ' ').replace('Z', ''),
        applicantType: 'individual',
        clientId: 'fake-client',
      },
      alg,
    );
  }

  /** What the applicant uploaded (documents, birth date): what `GET .../one` then returns in `info`. */
  setApplicantInfo(applicantId: string, info: SumsubFakeApplicant['info']): void {
    const a = this.mustFind(applicantId);
    a.info = { ...a.info, ...info };
  }

  /** What the sandbox "testCompleted" call does, without an HTTP round trip. */
  completeReview(
    applicantId: string,
    reviewAnswer: 'GREEN' | 'RED',
    reviewRejectType?: 'RETRY' | 'FINAL',
    rejectLabels: string[] = [],
  ): void {
    const a = this.mustFind(applicantId);
    a.review = {
      reviewStatus: 'completed',
      reviewResult: {
        reviewAnswer,
        ...(reviewAnswer === 'RED' ? { rejectLabels, reviewRejectType: reviewRejectType ?? 'FINAL' } : {}),
      },
    };
  }

  private mustFind(id: string): SumsubFakeApplicant {
    const a = this.applicants.get(id);
    if (!a) throw new Error(`no applicant ${id}`);
    return a;
  }

  private error(status: number, description: string): FakeReply {
    return { status, body: { description, code: status, correlationId: randomBytes(12).toString('hex') } };
  }

  /** Wraps a route with SumSub's request authentication. */
  private authed(route: (req: RecordedRequest) => FakeReply): (req: RecordedRequest) => FakeReply {
    return (req) => {
      const refusal = this.checkAuth(req);
      if (refusal) {
        req.rejected = true;
        return this.error(401, refusal);
      }
      return route(req);
    };
  }

  private checkAuth(req: RecordedRequest): string | undefined {
    const one = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    const token = one('x-app-token');
    const ts = one('x-app-access-ts');
    const sig = one('x-app-access-sig');
    if (!token || !ts || !sig)
      return 'Request is not authenticated: X-App-Token, X-App-Access-Ts and X-App-Access-Sig are required';
    if (token !== this.creds.appToken) return 'App token not found';
    if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > CLOCK_WINDOW_S)
      return 'Request timestamp is out of the allowed range';
    // The recorded request keeps the query parsed, not raw: accept the two usual encodings of it
    // (form style `+` and encodeURIComponent `%20`), which agree for every value without spaces.
    const forms = new Set([
      req.query.toString(),
      [...req.query].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
    ]);
    const ok = [...forms].some((q) => {
      const expected = createHmac('sha256', this.creds.secretKey)
        .update(`${ts}${req.method}${req.path}${q ? `?${q}` : ''}`)
        .update(req.rawBody)
        .digest();
      const given = Buffer.from(sig, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    return ok ? undefined : 'Invalid signature';
  }

  private listLevels(): FakeReply {
    const items = this.levels.map((name, i) => ({
      id: `${i}`.padStart(24, 'a'),
      name,
      clientId: 'fake-client',
      requiredIdDocs: {},
    }));
    return { status: 200, body: { items, totalItems: items.length } };
  }

  private createApplicant(req: RecordedRequest): FakeReply {
    const levelName = req.query.get('levelName');
    if (!levelName) return this.error(400, 'levelName is required');
    if (!this.levels.includes(levelName)) return this.error(404, `Level '${levelName}' not found`);
    const b = this.json<{
      externalUserId?: string;
      email?: string;
      phone?: string;
      fixedInfo?: Record<string, unknown>;
    }>(req);
    const externalUserId = b.externalUserId ?? randomUUID();
    const existing = [...this.applicants.values()].find((a) => a.externalUserId === externalUserId);
    if (existing)
      return this.error(409, `Applicant with external user id '${externalUserId}' already exists: ${existing.id}`);
    const a: SumsubFakeApplicant = {
      id: randomBytes(12).toString('hex'),
      inspectionId: randomBytes(12).toString('hex'),
      externalUserId,
      levelName,
      createdAt: new Date().toISOString().replace('T', ' ').slice(0, 19),
      email: b.email,
      phone: b.phone,
      fixedInfo: b.fixedInfo,
      info: { ...(b.fixedInfo ?? {}) },
      review: { reviewStatus: 'init' },
    };
    this.applicants.set(a.id, a);
    return { status: 200, body: { ...a, clientId: 'fake-client', type: 'individual' } };
  }

  /** `{id}` or `-;externalUserId={id}` as the path segment. */
  private find(req: RecordedRequest): SumsubFakeApplicant | undefined {
    const seg = decodeURIComponent(req.path.split('/')[3] ?? '');
    const ext = /^-;externalUserId=(.+)$/.exec(seg);
    return ext ? [...this.applicants.values()].find((a) => a.externalUserId === ext[1]) : this.applicants.get(seg);
  }

  private getApplicant(req: RecordedRequest): FakeReply {
    const a = this.find(req);
    return a
      ? { status: 200, body: { ...a, clientId: 'fake-client', type: 'individual' } }
      : this.error(404, 'Applicant not found');
  }

  private getStatus(req: RecordedRequest): FakeReply {
    const a = this.find(req);
    if (!a) return this.error(404, 'Applicant not found');
    return {
      status: 200,
      body: {
        reviewStatus: a.review.reviewStatus,
        reviewResult: a.review.reviewResult,
        levelName: a.levelName,
        attemptCnt: 1,
        createDate: a.createdAt,
      },
    };
  }

  private testCompleted(req: RecordedRequest): FakeReply {
    const a = this.find(req);
    if (!a) return this.error(404, 'Applicant not found');
    const b = this.json<{
      reviewAnswer?: 'GREEN' | 'RED';
      rejectLabels?: string[];
      reviewRejectType?: 'RETRY' | 'FINAL';
    }>(req);
    if (b.reviewAnswer !== 'GREEN' && b.reviewAnswer !== 'RED')
      return this.error(400, 'reviewAnswer must be GREEN or RED');
    this.completeReview(a.id, b.reviewAnswer, b.reviewRejectType, b.rejectLabels);
    return { status: 200, body: { ok: 1 } };
  }

  private issueToken(userId: string | undefined, levelName: string | undefined, ttl: number | undefined): FakeReply {
    if (!userId) return this.error(400, 'userId is required');
    if (!levelName || !this.levels.includes(levelName)) return this.error(404, `Level '${levelName ?? ''}' not found`);
    const token = `_act-sbx-jwt-${randomBytes(24).toString('base64url')}`;
    this.accessTokens.push({ token, userId, levelName, ttlInSecs: ttl ?? 600 });
    return { status: 200, body: { token, userId } };
  }

  private sdkToken(req: RecordedRequest): FakeReply {
    const b = this.json<{ userId?: string; levelName?: string; ttlInSecs?: number }>(req);
    return this.issueToken(b.userId, b.levelName, b.ttlInSecs);
  }

  private legacyToken(req: RecordedRequest): FakeReply {
    const ttl = req.query.get('ttlInSecs');
    return this.issueToken(
      req.query.get('userId') ?? undefined,
      req.query.get('levelName') ?? undefined,
      ttl ? Number(ttl) : undefined,
    );
  }
}
