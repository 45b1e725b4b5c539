import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiResponse,
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';

import { PROVIDER_KEY } from '@app/contracts';

import { Problem, PROBLEM_CONTENT_TYPE } from './http/problem';

type Json = Record<string, unknown>;

const TAGS: [string, string][] = [
  [
    'connector catalog',
    'Providers per category: activation, credentials (secrets masked), defaults and breaker health',
  ],
  ['payments', 'Payment routing per country and the cashier session of the gateway that serves a payment'],
  ['kyc', 'Applicants at the KYC provider, the customer record and its compliance gates'],
  ['comms', 'Email, SMS and click-to-call through the default (or named) provider, with delivery history'],
  ['affiliates', 'Affiliate endpoints, lead attribution, FTD thresholds and batched webhook deliveries'],
  ['operations', 'Dead letters of the durable consumers: list, replay, discard'],
  ['diagnostics', 'Round trips that measure the gateway and the bus'],
  ['health', 'Liveness, readiness and Prometheus metrics, served without a key'],
  ['webhooks', 'Provider callbacks, each authenticated by the provider\u2019s own signature scheme'],
];

const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(Problem) } } };

/** The error answers an operation gives besides the ones every authenticated operation can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(Problem),
    ...statuses.map((status) =>
      ApiResponse({ status, description: PROBLEM_DESCRIPTIONS[status], content: problemContent }),
    ),
  );
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: every invalid field in `errors[]`',
  401: 'Missing or unknown key (or, for a callback, a bad or missing signature)',
  403: 'A read-only key on a write',
  404: 'Unknown resource',
  409: 'State conflict',
  413: 'Body too large',
  415: 'A body that is not JSON',
  422: 'The provider refused',
  429: "Past the key's rate limit (see `Retry-After`)",
  502: 'The provider failed or timed out, with nothing left to fail over to',
  503: 'Nothing can serve: overloaded (see `Retry-After`), no provider, or a service unavailable',
  504: 'A service did not answer in time',
};

/** The document of the public surface, built from the controllers plus what Nest does not route. */
export function describeApi(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Integration platform gateway')
    .setDescription(
      'Connector catalog, payment routing, KYC, communications and affiliate webhooks for brokerage CRMs. ' +
        'Every error is `application/problem+json` (`Problem`); JSON field names are snake_case.',
    )
    .setVersion('1')
    .setContact('Platform team', 'https://example.com/platform', 'platform@example.com')
    .setLicense('Proprietary', 'https://example.com/license')
    .addServer('http://127.0.0.1:3000', 'A local gateway (PORT, default 3000)')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description:
        'An opaque platform API key, one of the gateway\u2019s PLATFORM_API_KEYS; a key configured with `:read` may only GET',
    });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controller, method) => method,
    extraModels: [Problem],
  });
  return completeDocument(document);
}

function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const paths = document.paths as Record<string, Record<string, Json>>;
  for (const item of Object.values(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const responses = op.responses as Record<string, Json>;
      const add = (status: number) => {
        responses[status] ??= { description: PROBLEM_DESCRIPTIONS[status], content: problemContent };
      };
      if ((op.security as unknown[] | undefined)?.length) {
        [401, 429, 503, 504].forEach(add);
        if (method !== 'get') add(403);
      }
      if ((op.parameters as unknown[]).length || op.requestBody) add(400);
      if (op.requestBody) [413, 415].forEach(add);
    }
  }
  Object.assign(paths, WEBHOOK_PATHS, { '/metrics': { get: METRICS } }, DOCS_PATHS);
  document.webhooks = { affiliateBatch: { post: AFFILIATE_BATCH } } as OpenAPIObject['webhooks'];
  return toJsonSchemaNulls(document);
}

/**
 * A nullable schema (the decorators emit `type: [T, 'null']`, or 3.0's `nullable: true` beside a `$ref`) as
 * `anyOf: [{...}, {type: 'null'}]`, which generators and validators written for OpenAPI 3.0 read too.
 */
function toJsonSchemaNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(toJsonSchemaNulls) as T;
  if (!value || typeof value !== 'object') return value;
  const { nullable, description, example, ...rest } = value as Json;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJsonSchemaNulls(v)]));
  const notes = {
    ...(description === undefined ? {} : { description }),
    ...(example === undefined ? {} : { example }),
  };
  const types = Array.isArray(out.type) ? (out.type as string[]) : null;
  if (nullable !== true && !types?.includes('null')) return { ...out, ...notes } as T;
  const inner: Json = Array.isArray(out.allOf) && out.allOf.length === 1 ? (out.allOf[0] as Json) : { ...out };
  if (types) inner.type = types.length === 2 ? types.find((t) => t !== 'null') : types.filter((t) => t !== 'null');
  if (Array.isArray(inner.enum)) inner.enum = inner.enum.filter((v) => v !== null);
  return { anyOf: [inner, { type: 'null' }], ...notes } as T;
}

const ANY_OBJECT = { type: 'object', additionalProperties: true };
const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
const problem = (status: number, description = PROBLEM_DESCRIPTIONS[status]) => ({
  [status]: { description, content: problemContent },
});
const received = {
  description: 'Verified and recorded (a duplicate changes nothing); the body is what the provider expects back',
  content: {
    'application/json': { schema: ANY_OBJECT },
    'text/plain': { schema: { type: 'string' } },
  },
};
const rawBody = (types: string[], description: string) => ({
  required: true,
  description,
  content: Object.fromEntries(types.map((t) => [t, { schema: t.includes('json') ? ANY_OBJECT : { type: 'string' } }])),
});
const header = (name: string, description: string, required = false) => ({
  name,
  in: 'header',
  required,
  description,
  schema: { type: 'string' },
});
const callbackAnswers = {
  200: received,
  ...problem(400, 'A verified body that cannot be read'),
  ...problem(401, 'Signature missing or wrong, or no secret configured: nothing stored'),
  ...problem(404, 'No webhook endpoint for this service or provider'),
  ...problem(413),
  ...problem(503),
  ...problem(504),
};

function callback(
  [operationId, summary, description]: [string, string, string],
  body: Json,
  parameters: Json[],
  responses: Json = callbackAnswers,
) {
  return {
    tags: ['webhooks'],
    operationId,
    summary,
    description,
    security: [],
    parameters,
    requestBody: body,
    responses,
  };
}

/**
 * The connector that calls back. No enum: which connectors exist is the catalog's (a provider is added
 * without touching the gateway), so the document names the shape the gateway accepts and where the keys are.
 */
const provider = (category: string) => ({
  name: 'provider',
  in: 'path',
  required: true,
  description:
    `The key of ${category} connector of the catalog (\`GET /api/platform/integrations/providers\` lists them ` +
    'with their category; each has its page, `docs/providers/<key>.md`). A key with no connector that takes ' +
    'callbacks is 404',
  schema: { type: 'string', pattern: PROVIDER_KEY.source },
});

const WEBHOOK_PATHS = {
  '/webhooks/payments/{provider}': {
    post: callback(
      [
        'receivePaymentCallback',
        'Receive a payment notification',
        'An approved deposit or withdrawal becomes a durable payment event; a duplicate changes nothing',
      ],
      rawBody(['application/json'], 'The provider\u2019s own notification, verified over its exact bytes'),
      [
        provider('a payment'),
        header('GT-Authentication', 'Praxis: hex HMAC-SHA384 of the notification (96 hex characters)'),
      ],
      {
        ...callbackAnswers,
        ...problem(401, 'Signature, order or payload digest does not verify (also an unreadable body)'),
      },
    ),
  },
  '/webhooks/kyc/sumsub': {
    post: callback(
      [
        'receiveSumsubWebhook',
        'Receive a SumSub webhook',
        'Maps the applicant review to the customer\u2019s status and re-evaluates the compliance gates',
      ],
      rawBody(['application/json'], 'SumSub\u2019s webhook body'),
      [
        header('x-payload-digest', 'Hex HMAC of the raw body, keyed by the webhook_secret credential', true),
        header('x-payload-digest-alg', '`HMAC_SHA1_HEX`, `HMAC_SHA256_HEX` or `HMAC_SHA512_HEX`', true),
      ],
    ),
  },
  '/webhooks/kyc/{provider}': {
    post: callback(
      [
        'receiveKycWebhook',
        'Receive a KYC provider\u2019s webhook',
        'The provider\u2019s own decision webhook (Veriff and any KYC connector other than SumSub), verified over its exact bytes, mapped through the internal format onto the customer\u2019s status and gates; a duplicate changes nothing',
      ],
      rawBody(['application/json'], 'The provider\u2019s own webhook body'),
      [
        provider('a kyc'),
        header('X-HMAC-SIGNATURE', 'Veriff: hex HMAC-SHA256 of the raw body, keyed by the shared_secret credential'),
        header('X-AUTH-CLIENT', 'Veriff: the integration\u2019s API key (checked when present)'),
      ],
    ),
  },
  '/webhooks/comms/{provider}': {
    post: callback(
      [
        'receiveCommsCallback',
        'Receive a delivery or call-status callback',
        'Applied forward-only (an older status is kept in history only), de-duplicated by the provider event id',
      ],
      rawBody(
        ['application/json', 'application/x-www-form-urlencoded'],
        'The provider\u2019s own callback, JSON or a form as the provider sends it (its page, `docs/providers/<key>.md`), verified over its exact bytes',
      ),
      [
        provider('an email, sms or voip'),
        header('X-Twilio-Signature', 'Twilio: base64 HMAC-SHA1 of the public URL and the sorted form fields'),
        header('X-Twilio-Email-Event-Webhook-Signature', 'SendGrid: base64 DER ECDSA P-256 signature'),
        header('X-Twilio-Email-Event-Webhook-Timestamp', 'SendGrid: signed decimal seconds'),
        header('Signature', 'Zadarma: base64 HMAC-SHA1 of the event\u2019s signed fields'),
      ],
    ),
    get: {
      tags: ['webhooks'],
      operationId: 'checkZadarmaUrl',
      summary: 'Answer a URL check, or a callback sent as a GET query',
      description:
        'The connector reads the GET: a URL check is answered as its provider expects (Zadarma\u2019s `zd_echo`, ' +
        '1 to 256 printable ASCII characters, echoed as text/plain); a callback sent as a query is verified and ' +
        'recorded as the POST is',
      security: [],
      parameters: [
        provider('an email, sms or voip'),
        {
          name: 'zd_echo',
          in: 'query',
          required: false,
          description: 'Zadarma\u2019s URL check',
          schema: { type: 'string', maxLength: 256 },
        },
      ],
      responses: {
        200: { ...received, description: 'The `zd_echo` value as text/plain, or a verified and recorded callback' },
        ...problem(400),
        ...problem(401, 'Signature missing or wrong, or no secret configured: nothing stored'),
        ...problem(404),
        ...problem(503),
      },
    },
  },
};

const METRICS = {
  tags: ['health'],
  operationId: 'getMetrics',
  summary: 'Prometheus metrics',
  description: 'The gateway\u2019s metrics; served on METRICS_PORT instead when that is set',
  security: [],
  responses: { 200: text('Prometheus text exposition format'), ...problem(404, 'Served on METRICS_PORT instead') },
};

const DOCS_PATHS = {
  '/docs': {
    get: {
      tags: ['health'],
      operationId: 'getApiReference',
      summary: 'API reference',
      description: 'This document, rendered by Swagger UI',
      security: [],
      responses: { 200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
  '/docs-json': {
    get: {
      tags: ['health'],
      operationId: 'getOpenApiDocument',
      summary: 'OpenAPI document',
      description: 'This document (docs/openapi.json in the repository)',
      security: [],
      responses: {
        200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: ANY_OBJECT } } },
      },
    },
  },
};

const LEAD = {
  type: 'object',
  required: ['affiliate_lead_id'],
  properties: {
    affiliate_lead_id: { type: 'string' },
    amount: { anyOf: [{ type: 'number' }, { type: 'null' }] },
    currency: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'ISO 4217' },
    ftd_at: { type: 'string', format: 'date-time' },
    registered_at: { type: 'string', format: 'date-time' },
    kyc_approved_at: { type: 'string', format: 'date-time' },
    deposited_at: { type: 'string', format: 'date-time' },
  },
  additionalProperties: true,
};

const AFFILIATE_BATCH = {
  tags: ['affiliates'],
  operationId: 'receiveAffiliateBatch',
  summary: 'What the platform POSTs to an affiliate\u2019s webhook_url: one batch of one event type',
  description:
    'Retried with backoff on a non-2xx answer, a timeout or a network error; a redelivery keeps its webhook-id, ' +
    'by which a receiver de-duplicates. During a secret rotation the previous secret signs too.',
  security: [],
  parameters: [
    header('X-Webhook-Signature', '`sha256=` + lowercase hex HMAC-SHA256 of the exact body, keyed by the secret', true),
    header('X-Webhook-Signature-Previous', 'The same by the previous secret, during a rotation overlap'),
    header('webhook-id', 'Standard Webhooks: the delivery id, the same on every attempt', true),
    header('webhook-timestamp', 'Standard Webhooks: decimal seconds of the attempt', true),
    header(
      'webhook-signature',
      'Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated',
      true,
    ),
  ],
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['event', 'batch_at', 'leads'],
          properties: {
            event: { type: 'string', enum: ['lead.registered', 'lead.kyc_approved', 'lead.deposit', 'lead.ftd'] },
            batch_at: { type: 'string', format: 'date-time' },
            leads: { type: 'array', items: LEAD },
          },
        },
        example: {
          event: 'lead.ftd',
          batch_at: '2026-03-10T12:00:00Z',
          leads: [{ affiliate_lead_id: 'L-1001', amount: 150, currency: 'USD', ftd_at: '2026-03-10T11:59:12Z' }],
        },
      },
    },
  },
  responses: {
    '2XX': { description: 'Accepted: the batch counts as delivered' },
    default: { description: 'Any other answer (or none in time) is retried' },
  },
};
