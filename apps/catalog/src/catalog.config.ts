import { IsString } from 'class-validator';

import { ConnectorCallerConfig } from '@app/connectors';

/** Every variable of the catalog service, with its default. */
export class CatalogConfig extends ConnectorCallerConfig {
  /** `id:base64(32 bytes)` list; the first encrypts, all decrypt. Checked at start by KeyRing. */
  @IsString()
  VAULT_MASTER_KEYS = '';
}
