import { Module } from '@nestjs/common';

import { KeyRing, Vault } from '@app/vault';

import { SERVICE_CONFIG } from './tokens';

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
