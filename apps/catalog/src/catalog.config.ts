import { ConnectorCallerConfig } from '@app/connectors';
import { withVaultKeys } from '@app/runtime/service';

/** Every variable of the catalog service, with its default. */
export class CatalogConfig extends withVaultKeys(ConnectorCallerConfig) {}
