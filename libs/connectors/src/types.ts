import type { ProviderCategory } from '@app/contracts';

export interface CredentialField {
  name: string;
  label: string;
  /** Write-only: never returned, logged or stored in clear. */
  secret: boolean;
  required: boolean;
  /** The value picks the host the credentials go to (Voiso's tenant cluster): changing it is an origin move. */
  origin?: boolean;
}

export interface SettingField {
  name: string;
  label: string;
  default?: string;
}

/** What the catalog shows about a provider; field names are those of the docs/providers/<key>.md pages, part of the public contract. */
export interface ProviderManifest {
  key: string;
  name: string;
  category: ProviderCategory;
  credential_fields: CredentialField[];
  /** Connector-specific settings; `base_url` is accepted by every connector and need not be listed. */
  settings: SettingField[];
  /**
   * The hosts the provider documents for its API (and for URLs it hands out, such as a cashier script):
   * the only ones a URL setting may name over https, unless CONNECTOR_ALLOWED_HOSTS names another.
   * `*.example.com` is any subdomain of example.com.
   */
  hosts: string[];
}

/** A provider's decrypted configuration as services receive it from the catalog. */
export interface ConnectorConfig {
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}
