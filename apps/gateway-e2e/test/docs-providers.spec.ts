import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ConnectorRegistry } from '@app/connectors';

/**
 * Every connector the registry finds has its page, `docs/providers/<key>.md`, whose heading names its key
 * and category (`# Mailgun (`mailgun`, email)`), and every page there is a connector's. The index,
 * docs/providers.md, lists no provider: it links the folder, so adding a provider adds its page and
 * edits no existing file, and this spec says when the page is missing. docs/openapi.json lists no
 * provider either: its webhook paths take any key of the shape the gateway accepts.
 */
const root = join(__dirname, '../../..');
const pagesDir = join(root, 'docs/providers');
const HEADING = /^# .+ \(`([a-z][a-z0-9_]*)`, ([a-z]+)\)$/m;

/** The key and category a page's first heading names, if it has the provider heading. */
function pageHeading(markdown: string): { key: string; category: string } | undefined {
  const first = /^# .*$/m.exec(markdown)?.[0] ?? '';
  const m = HEADING.exec(first);
  return m ? { key: m[1], category: m[2] } : undefined;
}

describe('docs/providers/: one page per connector', () => {
  const connectors = ConnectorRegistry.fromDirectories().list();
  const pages = readdirSync(pagesDir).filter((f) => f.endsWith('.md'));

  it('finds the connectors it checks', () => {
    expect(connectors.map((c) => c.manifest.key)).toEqual(
      expect.arrayContaining(['mailgun', 'sumsub', 'twilio_sms', 'vonage_sms', 'zadarma']),
    );
  });

  it('every connector the registry finds has docs/providers/<key>.md, headed with its key and category', () => {
    const problems = connectors.flatMap(({ manifest: { key, category } }) => {
      if (!pages.includes(`${key}.md`)) return [`${key}: no docs/providers/${key}.md`];
      const heading = pageHeading(readFileSync(join(pagesDir, `${key}.md`), 'utf8'));
      return heading?.key === key && heading.category === category
        ? []
        : [`${key}: docs/providers/${key}.md is not headed "# <name> (\`${key}\`, ${category})"`];
    });
    expect(problems).toEqual([]);
  });

  it('every page of docs/providers/ is the page of a connector', () => {
    const keys = new Set(connectors.map((c) => c.manifest.key));
    expect(pages.filter((f) => !keys.has(f.replace(/\.md$/, '')))).toEqual([]);
  });

  it('the index, docs/providers.md, links the folder of the pages', () => {
    const index = readFileSync(join(root, 'docs/providers.md'), 'utf8');
    expect(index).toMatch(/\]\(providers\/\)/);
  });

  it('docs/openapi.json keeps no list of providers: a webhook path takes any key the registry finds', () => {
    type Param = { name: string; in: string; schema: { enum?: unknown; pattern?: string } };
    const doc = JSON.parse(readFileSync(join(root, 'docs/openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { parameters?: Param[] }>>;
    };
    const params = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/webhooks/') && path.includes('{provider}'))
      .flatMap(([, item]) => Object.values(item).flatMap((op) => op.parameters ?? []))
      .filter((p) => p.in === 'path' && p.name === 'provider');
    expect(params.length).toBeGreaterThanOrEqual(3);
    for (const { schema } of params) {
      expect(schema.enum).toBeUndefined();
      const pattern = new RegExp(schema.pattern!);
      expect(connectors.map((c) => c.manifest.key).filter((key) => !pattern.test(key))).toEqual([]);
      expect(pattern.test('Not-A-Key')).toBe(false);
    }
  });

  it('reads the heading it exists for, and refuses others', () => {
    expect(pageHeading('# Mailgun (`mailgun`, email)\n\nConnector: ...')).toEqual({
      key: 'mailgun',
      category: 'email',
    });
    expect(pageHeading('# Twilio SMS (`twilio_sms`, sms)\n## Webhooks')).toEqual({
      key: 'twilio_sms',
      category: 'sms',
    });
    expect(pageHeading('# Mailgun\n\n# Other (`mailgun`, email)')).toBeUndefined();
    expect(pageHeading('## Mailgun (`mailgun`, email)')).toBeUndefined();
    expect(pageHeading('# Mailgun (mailgun, email)')).toBeUndefined();
  });
});
