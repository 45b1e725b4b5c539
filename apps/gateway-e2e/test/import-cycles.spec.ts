import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * No import cycles in apps/ and libs/, type-only imports included: a cycle hides which file is the
 * dependency, and at runtime it hands one side a half-initialised module. The graph is read from the
 * source: static `import … from`, `export … from` and side-effect imports, relative paths resolved to
 * files, `@app/<lib>` to the lib's index.ts. Dynamic import() is lazy and is not an edge.
 */
const root = resolve(__dirname, '../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const STATIC_IMPORT = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

export function importsOf(text: string): string[] {
  return [...text.matchAll(STATIC_IMPORT)].map((m) => m[1] ?? m[2]);
}

/** The file an import lands on, or null for a package outside the repo. */
function resolveImport(from: string, spec: string): string | null {
  const lib = /^@app\/([^/]+)$/.exec(spec);
  if (lib) return join(root, 'libs', lib[1], 'src/index.ts');
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  return [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p)) ?? null;
}

/** The files of each import cycle: the strongly connected groups of the graph (Tarjan), self-imports included. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.unshift(member);
    } while (member !== node);
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(group);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('import cycles', () => {
  it('reads type-only, re-export, multi-line and side-effect imports, and skips dynamic ones', () => {
    const text = [
      "import type { A } from './a';",
      "import {\n  B,\n  type C,\n} from '../b';",
      "export * from './c';",
      "export { D } from './d';",
      "import './tracing';",
      "const later = () => import('./lazy');",
      "const s = 'from x';",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a', '../b', './c', './d', './tracing']);
  });

  it('finds a cycle of any length and nothing in a tree', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['d']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('apps and libs have none', () => {
    const files = ['apps', 'libs'].flatMap((kind) => tsFiles(join(root, kind)));
    const graph = new Map(
      files.map((file) => [
        relative(root, file),
        importsOf(readFileSync(file, 'utf8'))
          .map((spec) => resolveImport(file, spec))
          .filter((target): target is string => target !== null)
          .map((target) => relative(root, target)),
      ]),
    );
    expect(cycles(graph).map((group) => group.join(' -> '))).toEqual([]);
  });
});
