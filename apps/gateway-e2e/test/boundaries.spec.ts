import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The module boundaries of STYLE.md, checked on the source: apps import libs and never each other; the
 * gateway holds no entities, connectors or vault; contracts depend on nothing of ours; libs never
 * import apps; services find connectors through the registry, never by provider file.
 */
const root = resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) found.push(m[1]);
  return found;
}

/** Which top-level project (apps/x or libs/y) a resolved relative import lands in. */
function projectOf(path: string): string | null {
  const m = /^(apps|libs)\/([^/]+)/.exec(relative(root, path));
  return m ? `${m[1]}/${m[2]}` : null;
}

const projects = ['apps', 'libs']
  .flatMap((kind) => readdirSync(join(root, kind)).map((name) => `${kind}/${name}`))
  .filter((p) => statSync(join(root, p)).isDirectory());

describe('module boundaries', () => {
  const violations = (check: (project: string, spec: string, target: string | null) => string | null) => {
    const out: string[] = [];
    for (const project of projects) {
      const src = join(root, project, 'src');
      let files: string[] = [];
      try {
        files = sourceFiles(src);
      } catch {
        continue;
      }
      for (const file of files) {
        for (const spec of imports(file)) {
          const target = spec.startsWith('.') ? projectOf(resolve(dirname(file), spec)) : null;
          const problem = check(project, spec, target);
          if (problem) out.push(`${relative(root, file)}: ${spec} (${problem})`);
        }
      }
    }
    return out;
  };

  it('apps never import another app (the e2e project excepted)', () => {
    expect(
      violations((project, _spec, target) =>
        project.startsWith('apps/') &&
        project !== 'apps/gateway-e2e' &&
        target &&
        target !== project &&
        target.startsWith('apps/')
          ? 'imports another app'
          : null,
      ),
    ).toEqual([]);
  });

  it('libs never import apps, and reach other libs only through @app/* aliases', () => {
    expect(
      violations((project, _spec, target) =>
        project.startsWith('libs/') && target && target !== project ? `reaches into ${target}` : null,
      ),
    ).toEqual([]);
  });

  it('the gateway has no entities, connectors, vault or database access', () => {
    expect(
      violations((project, spec) =>
        project === 'apps/gateway' && /^(typeorm|pg|@app\/(persistence|connectors|vault))$/.test(spec)
          ? 'not allowed in the gateway'
          : null,
      ),
    ).toEqual([]);
  });

  it('contracts depend on nothing of ours', () => {
    expect(
      violations((project, spec) =>
        project === 'libs/contracts' && spec.startsWith('@app/') ? 'contracts must stand alone' : null,
      ),
    ).toEqual([]);
  });

  it('services never import a provider connector by name', () => {
    expect(
      violations((project, spec) =>
        project.startsWith('apps/') &&
        project !== 'apps/gateway-e2e' &&
        /providers\/([a-z0-9_]+\/)?[a-z0-9_]+\.connector/.test(spec)
          ? 'use the ConnectorRegistry'
          : null,
      ),
    ).toEqual([]);
  });
});
