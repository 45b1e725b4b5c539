/**
 * docs/api.md, rendered from the OpenAPI document: one section per tag, one entry per operation (method,
 * path, operationId, summary, parameters, request body, every answer), then the schemas' fields and the
 * webhooks the platform sends. `npm run openapi` writes it; a unit test fails when it drifts.
 */
type Json = Record<string, unknown>;
type Schema = Json & { $ref?: string; type?: string | string[]; anyOf?: Schema[]; oneOf?: Schema[]; items?: Schema };
type Operation = Json & {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
};
interface Document {
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema & { properties?: Record<string, Schema>; required?: string[] }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const anchor = (name: string) =>
  `#${name
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-')}`;

/** A schema as a short type: a `$ref` links to its section, unions are joined with `|`. */
function typeOf(s: Schema | undefined): string {
  if (!s) return '';
  if (s.$ref) {
    const name = s.$ref.split('/').pop() ?? s.$ref;
    return `[${name}](${anchor(name)})`;
  }
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${typeOf(s.items)}[]`;
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const type = Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
  return typeof s.format === 'string' ? `${type} (${s.format})` : type;
}

function bodyOf(content: Record<string, { schema?: Schema }> | undefined): string {
  return Object.entries(content ?? {})
    .map(([type, { schema }]) => `\`${type}\`${schema ? ` ${typeOf(schema)}` : ''}`)
    .join(', ');
}

function operation(method: string, path: string, op: Operation): string[] {
  const lines = [`### \`${method.toUpperCase()} ${path}\``, ''];
  if (op.operationId) lines.push(`\`${op.operationId}\`${op.summary ? `: ${op.summary}` : ''}`, '');
  else if (op.summary) lines.push(op.summary, '');
  if (op.description) lines.push(op.description.trim(), '');
  if (op.parameters?.length) {
    lines.push('| parameter | in | type | required | description |', '|---|---|---|---|---|');
    for (const p of op.parameters)
      lines.push(
        `| \`${p.name}\` | ${p.in} | ${typeOf(p.schema)} | ${p.required ? 'yes' : 'no'} | ${cell(p.description)} |`,
      );
    lines.push('');
  }
  if (op.requestBody)
    lines.push(`Body${op.requestBody.required ? '' : ' (optional)'}: ${bodyOf(op.requestBody.content)}`, '');
  lines.push('| status | answer | when |', '|---|---|---|');
  for (const [status, r] of Object.entries(op.responses ?? {}))
    lines.push(`| ${status} | ${bodyOf(r.content)} | ${cell(r.description)} |`);
  lines.push('');
  return lines;
}

export function renderApiReference(doc: Document): string {
  const out = [
    `# ${doc.info.title} — API reference`,
    '',
    `Rendered from [openapi.json](openapi.json) (OpenAPI, version ${doc.info.version}) by \`npm run openapi\`; do not edit by hand.`,
    '',
  ];
  if (doc.info.description) out.push(doc.info.description.trim(), '');
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), ...operation(method, path, op)]);
    }
  }
  const tags = [
    ...(doc.tags ?? []).map((t) => t.name),
    ...[...byTag.keys()].filter((t) => !doc.tags?.some((d) => d.name === t)),
  ];
  for (const tag of tags) {
    const lines = byTag.get(tag);
    if (!lines) continue;
    out.push(`## ${tag}`, '');
    const description = doc.tags?.find((t) => t.name === tag)?.description;
    if (description) out.push(description.trim(), '');
    out.push(...lines);
  }
  if (doc.webhooks && Object.keys(doc.webhooks).length) {
    out.push('## Webhooks the platform sends', '');
    for (const [name, item] of Object.entries(doc.webhooks))
      for (const method of METHODS) if (item[method]) out.push(...operation(method, name, item[method]));
  }
  out.push('## Schemas', '');
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) {
    out.push(`### ${name}`, '');
    if (typeof s.description === 'string') out.push(s.description.trim(), '');
    const properties = Object.entries(s.properties ?? {});
    if (properties.length) {
      out.push('| field | type | required | description |', '|---|---|---|---|');
      for (const [field, p] of properties)
        out.push(
          `| \`${field}\` | ${typeOf(p)} | ${s.required?.includes(field) ? 'yes' : 'no'} | ${cell(typeof p.description === 'string' ? p.description : '')} |`,
        );
    } else out.push(`Type: ${typeOf(s)}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
