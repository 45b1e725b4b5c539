import { Module } from '@nestjs/common';
import { IsString } from 'class-validator';

import { KeyRing, Vault } from '@app/vault';

import { SERVICE_CONFIG } from './tokens';

/**
 * A service config class plus VAULT_MASTER_KEYS: an `id:base64(32 bytes)` list; the first key seals, every
 * listed key opens (the same ring in every service that holds secrets). The service's `validate` checks it
 * with KeyRing before any connection is opened.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withVaultKeys<T extends new (...args: any[]) => object>(Base: T) {
  class WithVaultKeys extends Base {
    @IsString()
    VAULT_MASTER_KEYS = '';
  }
  return WithVaultKeys;
}

/** The service's Vault, over the key ring of its VAULT_MASTER_KEYS. */
@Module({
  providers: [
    {
      provide: Vault,
      inject: [SERVICE_CONFIG],
      useFactory: (c: { VAULT_MASTER_KEYS: string }) => new Vault(KeyRing.fromEnv(c.VAULT_MASTER_KEYS)),
    },
  ],
  exports: [Vault],
})
export class VaultModule {}
