/**
 * Named 'ConfigError' on purpose: service bootstraps exit with code 2 and print the message for any
 * error of that name, so a bad VAULT_MASTER_KEYS stops start-up with a readable reason. Same shape as
 * @app/runtime's ConfigError without making the vault depend on the runtime lib.
 */
export class VaultConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Any sealed value that cannot be opened: tampered, bound to another record or field, sealed under a
 * key this ring does not hold, or malformed. Messages name the record, field and key id (none secret)
 * and never plaintext, ciphertext or key bytes.
 */
export class VaultDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultDecryptError';
  }
}
