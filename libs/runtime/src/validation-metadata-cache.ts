import { getMetadataStorage, type MetadataStorage } from 'class-validator';

type Storage = MetadataStorage & { __appMetadataCache?: true };
type TargetMetadatas = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

/**
 * class-validator looks a DTO's rules up again on every validation (of the object and of each nested
 * one): it filters the class's metadata and walks every registered class for inherited rules (an
 * `instanceof` per class), then groups the result by property. The rules of a class only change while
 * decorators run (module load), so this memoises both look-ups on the one global storage, per class and
 * option set, and forgets everything whenever a rule or constraint is registered. Idempotent.
 *
 * Safe because the executor only reads what it gets (it never mutates the arrays or the grouping).
 */
export function installValidationMetadataCache(storage: Storage = getMetadataStorage()): void {
  if (storage.__appMetadataCache) return;
  storage.__appMetadataCache = true;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  let byTarget = new Map<unknown, Map<string, TargetMetadatas>>();
  let grouped = new WeakMap<TargetMetadatas, Grouped>();
  const forget = (): void => {
    byTarget = new Map();
    grouped = new WeakMap();
  };
  for (const name of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const original = (storage[name] as (...args: unknown[]) => void).bind(storage);
    (storage as unknown as Record<string, (...args: unknown[]) => void>)[name] = (...args: unknown[]) => {
      forget();
      original(...args);
    };
  }
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups ? groups.join('\u0001') : ''}`;
    let perTarget = byTarget.get(target);
    if (!perTarget) byTarget.set(target, (perTarget = new Map<string, TargetMetadatas>()));
    let found = perTarget.get(key);
    if (!found) perTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadatas) => {
    let found = grouped.get(metadatas);
    if (!found) grouped.set(metadatas, (found = group(metadatas)));
    return found;
  };
}
