import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import addFormats from 'ajv-formats';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const DOCUMENT_ID = 'openapi.json';
const document = JSON.parse(readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...document, $id: DOCUMENT_ID });

/** Document paths as matchers, static segments before parameters (`/routing/default` before `/routing/{country}`). */
const templates = Object.keys(document.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => a.params - b.params);

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const validators = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  let v = validators.get(ref);
  if (!v) validators.set(ref, (v = ajv.compile({ $ref: `${DOCUMENT_ID}#/${ref}` })));
  return v;
}

/** Every mismatch between a gateway answer and docs/openapi.json; empty when every answer conforms. */
export function checkAnswer(
  method: string,
  url: URL,
  status: number,
  contentType: string | null,
  body: string,
): string[] {
  const where = `${method} ${url.pathname} -> ${status}`;
  const path = url.pathname.split('/').map(decodeSegment).join('/');
  const found = templates.find((t) => t.pattern.test(path));
  const m = method.toLowerCase();
  const operation = found && document.paths[found.template][m];
  // a path (or method) the document does not have is a resource that does not exist: a 404 problem, or a
  // 401 one where the key is checked before routing (the /api/platform and /payments prefixes)
  if (!found || !operation) {
    const refused = status === 404 || (status === 401 && /^\/(api\/platform|payments)\//.test(path));
    return refused ? problemErrors(where, contentType, body) : [`${where}: not documented`];
  }
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in operation.responses);
  if (!key) return [`${where}: status ${status} is not documented`];
  const content = operation.responses[key].content;
  if (!content) return body === '' ? [] : [`${where}: a body, where the document has none`];
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!(type in content))
    return [`${where}: content type ${type || 'none'}, documented ${Object.keys(content).join(', ')}`];
  if (!(content[type] as Json).schema) return [];
  let value: unknown = body;
  if (/[/+]json$/.test(type)) {
    try {
      value = JSON.parse(body);
    } catch {
      return [`${where}: ${type} body is not JSON`];
    }
  }
  const validate = validator(pointer('paths', found.template, m, 'responses', key, 'content', type, 'schema'));
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${where}: body${e.instancePath} ${e.message} (${e.schemaPath})`);
}

/** A path segment as the router sees it (`%61pi` is `api`); one that does not decode stays as it is. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function problemErrors(where: string, contentType: string | null, body: string): string[] {
  if (!contentType?.startsWith('application/problem+json')) return [`${where}: not a problem+json answer`];
  const validate = validator(pointer('components', 'schemas', 'Problem'));
  if (validate(JSON.parse(body))) return [];
  return (validate.errors ?? []).map((e) => `${where}: problem${e.instancePath} ${e.message}`);
}

const gateways = new Set<string>();

/** Answers from this origin (a gateway's url) are checked against the document from now on. */
export function watchGateway(url: string): void {
  gateways.add(new URL(url).origin);
}

/**
 * Replaces fetch: every answer of a watched gateway is checked (status, content type, body schema) and
 * each mismatch recorded. `finish` puts fetch back and tells how many answers were checked and what failed.
 */
export function checkGatewayAnswers(): { finish(): { validated: number; failures: string[] } } {
  const realFetch = globalThis.fetch;
  const failures: string[] = [];
  let validated = 0;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await realFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!gateways.has(url.origin)) return res;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const body = await res
      .clone()
      .text()
      .catch(() => null);
    if (body === null) return res; // the connection broke mid-answer: no answer to check
    validated += 1;
    failures.push(...checkAnswer(method, url, res.status, res.headers.get('content-type'), body));
    return res;
  };
  return {
    finish() {
      globalThis.fetch = realFetch;
      return { validated, failures };
    },
  };
}
