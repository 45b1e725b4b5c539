import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * A clone holds everything the repository refers to: no file of it (tracked, or new and not ignored)
 * names a design document kept outside it, and every relative link of a Markdown file lands on one of
 * its files (and, for a `#anchor` into Markdown, on one of its headings).
 */
const root = join(__dirname, '../../..');
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  // regular files only: an untracked symlink (a linked node_modules) or a directory is not the repository's text
  .filter((path) => path !== '' && existsSync(join(root, path)) && lstatSync(join(root, path)).isFile());
const outside = ['PROVIDERS', 'API', 'ARCHITECTURE', 'BRIEF', 'TOOLCHAIN', 'STYLE'];
const outsideCitation = new RegExp(`\\.\\./shared\\b|(?<![\\w.-])(?:${outside.join('|')})\\.md\\b`, 'g');

const text = (path: string) => readFileSync(join(root, path), 'utf8');
const markdown = files.filter((path) => path.endsWith('.md'));

const unfenced = (md: string) => md.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
/** Markdown outside fenced code blocks and inline code, where a link is a link. */
const prose = (md: string) => unfenced(md).replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of unfenced(md).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = heading
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function brokenLinks(path: string): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(text(path)).matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [file, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = file === '' ? path : relative(root, join(root, dirname(path), decodeURIComponent(file)));
    const inRepo = !resolved.startsWith('..') && files.some((t) => t === resolved || t.startsWith(resolved + sep));
    if (!inRepo) broken.push(`${path}: ${target} (no such file in the repository)`);
    else if (anchor && resolved.endsWith('.md') && statSync(join(root, resolved)).isFile()) {
      if (!anchors(text(resolved)).has(anchor)) broken.push(`${path}: ${target} (no such heading)`);
    }
  }
  return broken;
}

describe('the repository refers only to itself', () => {
  it('no file of the repository cites a document outside the clone', () => {
    const citations = files.flatMap((path) =>
      text(path)
        .split('\n')
        .flatMap((line, i) => (line.match(outsideCitation) ?? []).map((name) => `${path}:${i + 1}: ${name}`)),
    );
    expect(citations).toEqual([]);
  });

  it('every relative link of README.md and docs/*.md resolves to a file in the repository', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/providers.md']));
    expect(markdown.flatMap(brokenLinks)).toEqual([]);
  });

  it('finds the citations and broken links it exists for', () => {
    // spelled in pieces, so this file does not cite them itself
    const [shared, api, providers] = [`..${'/'}shared`, `${'API'}.md`, `${'PROVIDERS'}.md`];
    expect(`see ${shared}/${api} and ${providers} §2`.match(outsideCitation)).toEqual([shared, api, providers]);
    expect('docs/api.md, docs/providers.md#sumsub, OPENAPI.md'.match(outsideCitation)).toBeNull();
    expect([...anchors('# Provider reference\n## Twilio SMS\n### `X-Twilio-Signature`\n## Twilio SMS\n')]).toEqual([
      'provider-reference',
      'twilio-sms',
      'x-twilio-signature',
      'twilio-sms-1',
    ]);
    expect(prose('[a](b.md)\n```\n[c](d.md)\n```\n`[e](f.md)`')).not.toMatch(/d\.md|f\.md/);
  });
});
