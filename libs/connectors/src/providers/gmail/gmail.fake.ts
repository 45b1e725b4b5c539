import { randomBytes } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface GmailFakeCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  senderEmail: string;
  /** Scopes granted at consent; gmail.send by default. */
  scope?: string;
}

export interface GmailSentMessage {
  id: string;
  threadId: string;
  /** The decoded RFC 2822 message. */
  mime: string;
  headers: Record<string, string>;
}

const ACCESS_TTL_S = 3599;

/**
 * Google OAuth token endpoint (`POST /token`, refresh-token grant) plus Gmail `users.messages.send`
 * (docs/providers/gmail.md) on one server: point both `base_url` (or `token_url`) at it. Sending requires an
 * access token this fake issued and that has not expired.
 */
export class GmailFake extends FakeServer {
  readonly sent: GmailSentMessage[] = [];
  private readonly accessTokens = new Map<string, number>();
  private revoked = false;

  constructor(private readonly creds: GmailFakeCredentials) {
    super();
    this.route('POST', /^\/token$/, (r) => this.token(r));
    this.route('POST', /^\/gmail\/v1\/users\/[^/]+\/messages\/send$/, (r) => this.send(r));
  }

  /** The user revoked access (or the test app's token expired): the grant now fails with invalid_grant. */
  revokeRefreshToken(): void {
    this.revoked = true;
  }

  expireAccessTokens(): void {
    for (const t of this.accessTokens.keys()) this.accessTokens.set(t, 0);
  }

  private oauthError(req: RecordedRequest, status: number, error: string, description: string): FakeReply {
    req.rejected = true;
    return { status, body: { error, error_description: description } };
  }

  private token(req: RecordedRequest): FakeReply {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'Invalid Content-Type' } };
    }
    const f = this.form(req);
    if (f.get('grant_type') !== 'refresh_token')
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          error_description: `Invalid grant_type: ${f.get('grant_type') ?? ''}`,
        },
      };
    if (f.get('client_id') !== this.creds.clientId)
      return this.oauthError(req, 401, 'invalid_client', 'The OAuth client was not found.');
    if (f.get('client_secret') !== this.creds.clientSecret)
      return this.oauthError(req, 401, 'invalid_client', 'Unauthorized');
    if (!f.get('refresh_token'))
      return this.oauthError(req, 400, 'invalid_request', 'Missing required parameter: refresh_token');
    if (f.get('refresh_token') !== this.creds.refreshToken)
      return this.oauthError(req, 400, 'invalid_grant', 'Bad Request');
    if (this.revoked) return this.oauthError(req, 400, 'invalid_grant', 'Token has been expired or revoked.');
    const accessToken = `ya29.${randomBytes(32).toString('base64url')}`;
    this.accessTokens.set(accessToken, Date.now() + ACCESS_TTL_S * 1000);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: ACCESS_TTL_S,
        scope: this.creds.scope ?? 'https://www.googleapis.com/auth/gmail.send',
        token_type: 'Bearer',
      },
    };
  }

  private apiError(
    status: number,
    message: string,
    reason: string,
    extraHeaders: Record<string, string> = {},
  ): FakeReply {
    const statusText: Record<number, string> = {
      400: 'INVALID_ARGUMENT',
      401: 'UNAUTHENTICATED',
      403: 'PERMISSION_DENIED',
    };
    return {
      status,
      headers: extraHeaders,
      body: {
        error: {
          code: status,
          message,
          errors: [{ message, domain: 'global', reason }],
          status: statusText[status] ?? 'UNKNOWN',
        },
      },
    };
  }

  private send(req: RecordedRequest): FakeReply {
    const auth = req.headers.authorization ?? '';
    const until = auth.startsWith('Bearer ') ? this.accessTokens.get(auth.slice(7)) : undefined;
    if (until === undefined || until < Date.now()) {
      req.rejected = true;
      return this.apiError(
        401,
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        'authError',
        {
          'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        },
      );
    }
    const userId = decodeURIComponent(req.path.split('/')[4] ?? '');
    if (userId !== 'me' && userId !== this.creds.senderEmail)
      return this.apiError(403, `Delegation denied for ${this.creds.senderEmail}`, 'forbidden');
    let raw: unknown;
    let threadId: unknown;
    try {
      ({ raw, threadId } = this.json<{ raw?: unknown; threadId?: unknown }>(req));
    } catch {
      return this.apiError(400, 'Invalid JSON payload received.', 'badRequest');
    }
    if (typeof raw !== 'string' || raw === '')
      return this.apiError(
        400,
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        'invalidArgument',
      );
    const mime = Buffer.from(raw, 'base64url').toString('utf8');
    const headers = parseHeaders(mime);
    if (!headers.to && !headers.cc && !headers.bcc)
      return this.apiError(400, 'Recipient address required', 'invalidArgument');
    const id = randomBytes(8).toString('hex');
    const message = { id, threadId: typeof threadId === 'string' && threadId ? threadId : id, mime, headers };
    this.sent.push(message);
    return { status: 200, body: { id, threadId: message.threadId, labelIds: ['SENT'] } };
  }
}

/** Header block of an RFC 2822 message, names lowercased, folded lines joined. */
function parseHeaders(mime: string): Record<string, string> {
  const head = mime.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const out: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}
