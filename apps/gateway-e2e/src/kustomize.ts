import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

import { parseAllDocuments } from 'yaml';

export const ROOT = resolve(__dirname, '..', '..', '..');
/** The kustomization `kubectl apply -k` takes (README and deploy/README.md say so). */
export const KUSTOMIZATION_DIR = 'deploy/k8s';

// rendered YAML is untyped by nature: the specs' assertions are what type it
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = Record<string, any>;

/**
 * `kubectl kustomize deploy/k8s`: the objects exactly as `kubectl apply -k` would send them. Without
 * kubectl this throws (CI has it): a deploy spec that cannot render must fail, not pass by skipping.
 */
export function renderKustomization(dir = KUSTOMIZATION_DIR): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', resolve(ROOT, dir)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 32 << 20,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error(
        'kubectl is not on PATH: the deploy specs render deploy/k8s with `kubectl kustomize` (install kubectl)',
        { cause: err },
      );
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr || e.message}`, { cause: err });
  }
  return parseAllDocuments(out)
    .map((doc) => {
      if (doc.errors.length)
        throw new Error(`kubectl kustomize ${dir}: ${doc.errors.map((x) => x.message).join('; ')}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((d): d is K8sObject => d !== null);
}
