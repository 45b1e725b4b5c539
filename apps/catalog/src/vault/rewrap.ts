import { Vault } from '@app/vault';

import type { ProvidersRepository } from '../providers/providers.repository';

export interface RewrapResult {
  rewrapped: number;
  /** Rows changed by a concurrent write between read and update (already on the newest key). */
  skipped: number;
}

/**
 * Moves every credential to the newest master key: only the data keys are re-wrapped, values are never
 * decrypted. Safe while the catalog runs: each update is conditional on the row being unchanged.
 */
export async function rewrapAll(repo: ProvidersRepository, vault: Vault, batch = 200): Promise<RewrapResult> {
  const result: RewrapResult = { rewrapped: 0, skipped: 0 };
  const current = vault.currentKeyId;
  for (;;) {
    const rows = await repo.credentialsNotOnKey(current, batch);
    if (rows.length === 0) return result;
    let progressed = false;
    for (const row of rows) {
      const sealed = vault.rewrap(row.sealed, { recordId: row.providerKey, field: row.field });
      if (await repo.rewrapCredential(row, sealed, vault.keyIdOf(sealed))) {
        result.rewrapped++;
        progressed = true;
      } else {
        result.skipped++;
      }
    }
    if (!progressed) return result;
  }
}
